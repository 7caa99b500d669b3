"""Every write on organisations and expert companies. Each is one transaction and leaves a
trace; e-mails leave through the outbox after commit. Reads are in companies/selectors.py.

organisations: registering, editing, members, invitations, requests to join · sme: the SME
declaration · experts: applying, the recognition's moves (`expert_transition`, the only code
that changes a recognition's status), the public profile and its review, the daily expiry and
reminders · claims: ownership claims · register: loading the enterprise register's extracts ·
errors: what a refused action raises."""

from .claims import (  # noqa: F401
    PENDING_CLAIMS_KEY,
    ownership_claim_create,
    ownership_claim_decide,
)
from .errors import CompanyError, InvitationLimitReached  # noqa: F401
from .experts import (  # noqa: F401
    DIRECTORY_VERSION_KEY,
    directory_changed,
    expert_apply,
    expert_profile_change_decide,
    expert_save_by_staff,
    expert_transition,
    expert_update_profile,
    experts_expire,
    experts_send_renewal_reminders,
    recognition_period,
)
from .organisations import (  # noqa: F401
    INVITATION_VALIDITY,
    invitation_accept,
    join_request_create,
    join_request_decide,
    membership_remove,
    organisation_create,
    organisation_delete,
    organisation_invite,
    organisation_save_by_staff,
    organisation_update,
)
from .register import (  # noqa: F401
    RegisterError,
    organisations_match_register,
    register_extract_apply,
    register_folder_import,
)
from .sme import organisation_declare_structure  # noqa: F401
