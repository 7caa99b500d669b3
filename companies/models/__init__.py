"""The models of organisations and expert companies. Knows nothing of application files.

organisations: the organisation, its size class and related enterprises · members: who acts
for it (memberships, invitations, requests to join, ownership claims) · experts: the expert
company's public profile, the directory's rows and the recognition's history."""

from .experts import (  # noqa: F401
    IDENTITY_FIELDS,
    ORGANISATION_IDENTITY,
    REVIEWED_FIELDS,
    Expert,
    ExpertFacet,
    ExpertProfileChange,
    ExpertQuerySet,
    ExpertReference,
    Language,
    ProfileChangeStatus,
    RecognitionEvent,
    Sector,
    Speciality,
    known_codes,
    known_labels,
)
from .members import (  # noqa: F401
    ClaimStatus,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberRole,
    Membership,
    OwnershipClaim,
    OwnershipClaimQuerySet,
    invitation_digest,
)
from .organisations import (  # noqa: F401
    SME_CLASSES,
    EnterpriseRelation,
    Organisation,
    OrganisationKind,
    PublicBodyException,
    RelatedEnterprise,
    SizeClass,
    kind_conflict_q,
    size_class_for,
)
from .register import (  # noqa: F401
    RegisterCode,
    RegisteredActivity,
    RegisteredAddress,
    RegisteredEnterprise,
    RegisteredName,
    RegisterExtract,
)
