"""Every write on a file. Each is one transaction: guard, lock, save, event row; e-mails and
other side effects leave through the outbox after commit.

core: errors and the one transition function · applicant: drafts, documents, submission,
answers, report · staff: assignment, decisions, notes, exports · reviews: the no-conflict
confirmation, a reviewer's review and its lock · messages: the one way
to write to the applicant · conversation: what any side writes in a file's conversation, and
reading it · reminders: what the portal sends on its own schedule · after a
selection (docs/domain.md, After selection): agreements, payments, follow_up (the diagnostic,
milestones, the survey 12 months on), documents (their storage)."""

from .agreements import (  # noqa: F401
    agreement_amend,
    agreement_document,
    agreement_draft,
    agreement_record_signatures,
    agreement_sign,
    agreement_transition,
)
from .applicant import (  # noqa: F401
    application_answer_information_request,
    application_choose_expert,
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
from .conversation import conversation_read, message_post  # noqa: F401
from .core import (  # noqa: F401
    ApplicationError,
    DraftConflict,
    SubmissionRefused,
    application_transition,
)
from .follow_up import (  # noqa: F401
    diagnostic_confirm,
    diagnostic_decide,
    diagnostic_save,
    diagnostic_submit,
    diagnostic_transition,
    follow_up_survey_answer,
    follow_up_surveys_send,
    milestone_submit,
    milestones_remind,
)
from .messages import applicant_message_send  # noqa: F401
from .payments import (  # noqa: F401
    amount_due,
    instalments_open,
    payee_actor,
    payment_line_add,
    payment_record,
    payment_request_approve,
    payment_request_check,
    payment_request_reject,
    payment_request_start,
    payment_request_submit,
    payment_request_transition,
)
from .reminders import (  # noqa: F401
    drafts_remind,
    information_requests_remind,
    reminders_send,
    reviews_remind,
)
from .reviews import (  # noqa: F401
    SCORABLE,
    ReviewLocked,
    review_declare_conflict,
    review_open,
    review_save,
)
from .staff import (  # noqa: F401
    application_add_note,
    application_assign,
    application_assign_expert,
    application_decide,
    application_decision_preview,
    application_staff_transition,
    applications_auto_assign,
    applications_decide_batch,
    conflict_declare,
    conflicts_withdraw,
    export_request,
    reviewers_of,
    staff_actor,
)
