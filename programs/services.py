"""Writes of a call's page: the documents, FAQ and contact that programme managers keep there
(docs/domain.md, Programmes and calls). Each write checks who writes, runs in a transaction and
is audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from adn_portal.lib.uploads import check_upload

from .models import Call, CallDocument, CallQuestion, ScoringCriterion
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


# --- the call's review form (docs/domain.md, Reviews) ------------------------------------------

CRITERION_FIELDS = (
    "label_fr",
    "label_en",
    "label_de",
    "guidance_fr",
    "guidance_en",
    "guidance_de",
    "scale_min",
    "scale_max",
    "weight",
    "position",
)


CRITERION_TEXTS = CRITERION_FIELDS[:6]


def _criterion_values(entry: dict) -> dict:
    """An entry's values, the texts left empty stored as ""."""
    return {name: entry.get(name) or "" for name in CRITERION_TEXTS} | {
        name: entry[name] for name in CRITERION_FIELDS[6:] if entry.get(name) is not None
    }


@transaction.atomic
def review_criteria_save(*, call: Call, entries: list[dict], by: User) -> list[ScoringCriterion]:
    """The call's review form as the staff's form lists it: each entry with an `id` changes that
    criterion (or removes it when `delete` is set), each entry without one adds a criterion.
    Once a review answered the current version (frozen), the change is the next version: the
    reviews keep the criteria they answered, unchanged."""
    _require_manager(by, call)
    # Lock the call: a reviewer's first save freezes the version under the same lock.
    call = Call.objects.select_for_update().get(pk=call.pk)
    current = {
        c.pk: c for c in ScoringCriterion.objects.filter(call=call, version=call.review_version)
    }
    kept = [
        entry
        for entry in entries
        if not entry.get("delete") and (not entry.get("id") or entry["id"] in current)
    ]
    new_version = call.review_version_frozen
    if new_version:
        call.review_version += 1
        call.review_version_frozen = False
        call.save(update_fields=["review_version", "review_version_frozen", "updated_at"])
        ScoringCriterion.objects.bulk_create(
            [
                ScoringCriterion(call=call, version=call.review_version, **_criterion_values(e))
                for e in kept
            ]
        )
    else:
        kept_ids = {e["id"] for e in kept if e.get("id")}
        ScoringCriterion.objects.filter(pk__in=set(current) - kept_ids).delete()
        changed, added = [], []
        for entry in kept:
            criterion = current.get(entry.get("id")) or ScoringCriterion(
                call=call, version=call.review_version
            )
            for name, value in _criterion_values(entry).items():
                setattr(criterion, name, value)
            (changed if criterion.pk else added).append(criterion)
        ScoringCriterion.objects.bulk_update(changed, CRITERION_FIELDS)
        ScoringCriterion.objects.bulk_create(added)
    audit(
        AuditEvent.Action.STAFF_ACTION,
        user=by,
        call=call.pk,
        review_form_version=call.review_version,
        new_version=new_version,
        criteria=len(kept),
    )
    return list(ScoringCriterion.objects.filter(call=call, version=call.review_version))


def review_criteria_copy(*, call: Call, source: Call, by: User) -> list[ScoringCriterion]:
    """Replace the call's review form by another call's current one (a call the same person
    manages): a new version when the current one is frozen, as any change."""
    if not manages(by, source.programme_id):
        raise CallContentError(_("Only the programme's managers keep this call's page."))
    entries = [
        {"id": pk, "delete": True}
        for pk in ScoringCriterion.objects.filter(
            call=call, version=call.review_version
        ).values_list("pk", flat=True)
    ] + [
        {name: getattr(c, name) for name in CRITERION_FIELDS}
        for c in ScoringCriterion.objects.filter(call=source, version=source.review_version)
    ]
    return review_criteria_save(call=call, entries=entries, by=by)


def review_form_freeze(*, call_id: int) -> int:
    """Called in the transaction of a review's first scores: the call's current review form is
    answered and stays as it is. Returns the version answered."""
    call = (
        Call.objects.select_for_update()
        .only("review_version", "review_version_frozen")
        .get(pk=call_id)
    )
    if not call.review_version_frozen:
        Call.objects.filter(pk=call_id).update(review_version_frozen=True)
    return call.review_version
