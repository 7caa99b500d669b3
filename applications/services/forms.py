"""Staff's changes to a call's application form (docs/domain.md, Application forms): a
version is changed in place until a file answering it is submitted; then a change makes the
next version, the call's drafts move to it, and the submitted files keep theirs forever."""

from django.db import transaction
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from programs.application_forms import DefinitionError, parse
from programs.application_forms.versions import call_form_version
from programs.models import Call, FormVersion
from programs.selectors import manages

from ..models import Application
from ..workflow import Status
from .core import ApplicationError


class FormRefused(ApplicationError):
    """A definition that cannot be a form: `problems` says why (for the builder's page)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            _("This form cannot be saved: %(problems)s") % {"problems": "; ".join(problems)}
        )


def form_version_frozen(version: FormVersion) -> bool:
    """Whether a file answering the version was submitted (its questions are then kept)."""
    return Application.objects.filter(form_version=version).exclude(status=Status.DRAFT).exists()


def application_form_save(*, call: Call, definition: dict, by: User) -> FormVersion:
    """Save the call's application form as `definition` (checked whole, or refused whole).
    Returns the version that now holds it: the current one changed, or a new one."""
    if not manages(by, call.programme_id):
        raise ApplicationError(_("Only the programme's managers change its calls' forms."))
    try:
        parse(definition)
    except DefinitionError as error:
        raise FormRefused(error.problems) from error
    with transaction.atomic():
        # Lock the call: two managers saving at once make one version each, in turn.
        # No key: a submission in flight holds the version (below) and writes rows that point
        # at the call; a key-blocking lock here would deadlock with it.
        Call.objects.select_for_update(no_key=True).filter(pk=call.pk).first()
        # And the version: a submission holds it until its file is stored (see
        # application_submit), so a submission in flight is seen here and its questions kept.
        current = FormVersion.objects.select_for_update(no_key=True).get(
            pk=call_form_version(call=call).pk
        )
        if form_version_frozen(current):
            version = FormVersion.objects.create(
                call=call, number=current.number + 1, definition=definition, created_by=by
            )
            moved = Application.objects.filter(form_version=current, status=Status.DRAFT).update(
                form_version=version
            )
        else:
            version, moved = current, 0
            version.definition = definition
            version.save(update_fields=["definition", "updated_at"])
            for read in ("form", "_steps"):  # what was read of the old text
                version.__dict__.pop(read, None)
        audit(
            AuditEvent.Action.STAFF_ACTION,
            user=by,
            what="application_form_saved",
            call=call.slug,
            version=version.number,
            drafts_moved=moved,
        )
    return version
