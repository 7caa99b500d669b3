"""Storing the documents of the life after selection (docs/domain.md, After selection): an
upload is checked by content like the application's documents; a stored file that its row
never joined (the transaction failed) is deleted."""

import hashlib
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction

from adn_portal.accounts.models import User
from adn_portal.lib import uploads

from ..models import Application, FollowUpDocument


def _digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def document_prepare(
    *, application: Application, upload, kind: str, by: User | None
) -> FollowUpDocument:
    """An uploaded document checked (size, type read from its content) and written to the
    private storage, its row not saved yet: the caller saves it inside its transaction, under
    `stored_or_deleted`. Raises ValidationError for a refused upload."""
    checked = uploads.check_upload(upload, folder="follow-up")
    document = FollowUpDocument(
        application=application,
        kind=kind,
        original_name=checked.safe_name,
        content_type=checked.mime,
        size=upload.size,
        sha256=_digest(upload),
        uploaded_by=by,
    )
    document.file.save(checked.stored_name, upload, save=False)
    return document


def document_from_bytes(
    *, application: Application, content: bytes, name: str, kind: str
) -> FollowUpDocument:
    """A document the portal made itself (a drafted agreement), not saved yet."""
    document = FollowUpDocument(
        application=application,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    document.file.save(
        f"follow-up/{uploads.uuid.uuid4().hex}.pdf", ContentFile(content), save=False
    )
    return document


@contextmanager
def stored_or_deleted(*documents: FollowUpDocument | None):
    """A transaction in which the documents' rows are saved with the rest: if anything fails,
    their files, already written, are deleted (no orphan file in the storage)."""
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for document in documents:
            if document is not None:
                document.file.delete(save=False)
        raise
