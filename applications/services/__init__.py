"""Every write on a file. Each is one transaction: guard, lock, save, event row; e-mails and
other side effects leave through the outbox after commit.

core: errors and the one transition function · applicant: drafts, documents, submission,
answers, report · staff: assignment, scores, decisions, notes, exports · messages: the one way
to write to the applicant · reminders: what the portal sends on its own schedule."""

from .applicant import (  # noqa: F401
    application_answer_information_request,
    application_delete_draft,
    application_request_information,
    application_save_step,
    application_start,
    application_submit,
    application_submit_report,
    application_update_answer_step,
    application_withdraw,
    attachment_add,
    attachment_remove,
)
from .core import (  # noqa: F401
    ApplicationError,
    DraftConflict,
    SubmissionRefused,
    application_transition,
)
from .messages import applicant_message_send  # noqa: F401
from .reminders import information_requests_remind  # noqa: F401
from .staff import (  # noqa: F401
    SCORABLE,
    application_add_note,
    application_assign,
    application_assign_expert,
    application_decide,
    application_score,
    application_staff_transition,
    applications_auto_assign,
    applications_decide_batch,
    conflict_declare,
    conflicts_withdraw,
    export_request,
    reviewers_of,
    staff_actor,
)
