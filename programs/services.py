"""Writes of a call's page: the documents, FAQ and contact that programme managers keep there
(docs/domain.md, Programmes and calls). Each write checks who writes, runs in a transaction and
is audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from adn_portal.lib.uploads import check_upload

from .models import Call, CallDocument, CallQuestion
from .selectors import manages

TITLE_FIELDS = ("title_fr", "title_en", "title_de")
QUESTION_FIELDS = (
    "question_fr",
    "question_en",
    "question_de",
    "answer_fr",
    "answer_en",
    "answer_de",
    "position",
)


class CallContentError(Exception):
    """A write refused: its message is for the person who tried it."""


def _require_manager(by: User, call: Call) -> None:
    if not manages(by, call.programme_id):
        raise CallContentError(_("Only the programme's managers keep this call's page."))


def call_document_add(
    *,
    call: Call,
    upload,
    kind: str,
    title_fr: str,
    title_en: str = "",
    title_de: str = "",
    position: int = 0,
    by: User,
) -> CallDocument:
    """Store a document for the call's page after checking its size and real type (by
    content, like every upload: adn_portal/lib/uploads.py)."""
    _require_manager(by, call)
    checked = check_upload(upload, folder="calls")  # ValidationError for the form's field
    document = CallDocument(
        call=call,
        kind=kind,
        title_fr=title_fr,
        title_en=title_en,
        title_de=title_de,
        position=position,
        original_name=checked.safe_name,
        content_type=checked.mime,
        size=upload.size,
        uploaded_by=by,
    )
    document.file.save(checked.stored_name, upload, save=False)
    try:
        with transaction.atomic():
            document.save()
            audit(
                AuditEvent.Action.STAFF_ACTION,
                user=by,
                call=call.pk,
                document_added=document.pk,
                name=document.original_name,
            )
    except Exception:
        document.file.delete(save=False)  # no orphan file when the row is not stored
        raise
    return document


@transaction.atomic
def call_document_update(
    *,
    document: CallDocument,
    kind: str,
    title_fr: str,
    title_en: str,
    title_de: str,
    position: int,
    by: User,
) -> CallDocument:
    """Its kind, titles and place in the list; the file itself is replaced by removing the
    document and adding another."""
    _require_manager(by, document.call)
    document.kind = kind
    document.title_fr, document.title_en, document.title_de = title_fr, title_en, title_de
    document.position = position
    document.save(update_fields=["kind", *TITLE_FIELDS, "position"])
    audit(AuditEvent.Action.STAFF_ACTION, user=by, call=document.call_id, document=document.pk)
    return document


@transaction.atomic
def call_document_remove(*, document: CallDocument, by: User) -> None:
    _require_manager(by, document.call)
    name, storage = document.file.name, document.file.storage
    audit(
        AuditEvent.Action.STAFF_ACTION,
        user=by,
        call=document.call_id,
        document_removed=document.pk,
        name=document.original_name,
    )
    document.delete()
    # The file goes once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def call_questions_save(*, call: Call, entries: list[dict], by: User) -> list[CallQuestion]:
    """The call's FAQ as the form lists it: each entry with an `id` changes that question
    (or removes it when `delete` is set), each entry without one adds a question."""
    _require_manager(by, call)
    existing = {q.pk: q for q in CallQuestion.objects.select_for_update().filter(call=call)}
    removed, changed, added = [], [], []
    for entry in entries:
        question = existing.get(entry.get("id"))
        if entry.get("id") and question is None:
            continue  # removed meanwhile, or another call's: nothing to change
        if entry.get("delete"):
            if question is not None:
                removed.append(question.pk)
            continue
        values = {
            name: entry.get(name) or ("" if name != "position" else 0) for name in QUESTION_FIELDS
        }
        if question is None:
            added.append(CallQuestion(call=call, **values))
        else:
            for name, value in values.items():
                setattr(question, name, value)
            changed.append(question)
    CallQuestion.objects.filter(call=call, pk__in=removed).delete()
    CallQuestion.objects.bulk_update(changed, QUESTION_FIELDS)
    CallQuestion.objects.bulk_create(added)
    audit(
        AuditEvent.Action.STAFF_ACTION,
        user=by,
        call=call.pk,
        questions_added=len(added),
        questions_changed=len(changed),
        questions_removed=len(removed),
    )
    return list(CallQuestion.objects.filter(call=call).order_by("position", "pk"))


@transaction.atomic
def call_contact_update(*, call: Call, email: str, phone: str, by: User) -> Call:
    """The call's own contact; both empty: its programme's is shown."""
    _require_manager(by, call)
    call.contact_email, call.contact_phone = email, phone
    call.save(update_fields=["contact_email", "contact_phone", "updated_at"])
    audit(AuditEvent.Action.STAFF_ACTION, user=by, call=call.pk, contact=True)
    return call
