"""The applications app's models: the files and the staff's work on them (files.py), and what
follows a selection (docs/domain.md, After selection): the agreement and its versions
(agreements.py), payment requests and payments (payments.py), the follow-up of the project
(follow_up.py)."""

from .agreements import Agreement, AgreementTemplate, FollowUpDocument  # noqa: F401
from .conversation import ConversationRead, MessageAttachment  # noqa: F401
from .files import (  # noqa: F401
    TIMELINE_FIELDS,
    ApplicantMessage,
    Application,
    ApplicationEvent,
    ApplicationQuerySet,
    ApplicationVersion,
    Assignment,
    Attachment,
    ConflictOfInterest,
    Export,
    MessageTemplate,
    OutcomeReport,
    Recommendation,
    ReferenceSequence,
    Review,
    ReviewQuerySet,
    Score,
    ScoreQuerySet,
    Side,
    private_storage,
    timeline_chain,
    timeline_content,
)
from .follow_up import Diagnostic, FollowUpSurvey, Milestone  # noqa: F401
from .payments import Payment, PaymentLine, PaymentRequest  # noqa: F401
