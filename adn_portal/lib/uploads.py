"""Uploaded documents are checked by their content, not their name (domain: attachments).
Shared by applicants' attachments and ownership claims' supporting documents."""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# Detected type → the extensions it may carry and the MIME type it is served with.
ALLOWED = {
    "pdf": ({"pdf"}, "application/pdf"),
    "docx": ({"docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ({"xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": ({"odt"}, "application/vnd.oasis.opendocument.text"),
    "png": ({"png"}, "image/png"),
    "jpg": ({"jpg", "jpeg"}, "image/jpeg"),
}
ALLOWED_LABEL = "PDF, DOCX, XLSX, ODT, PNG, JPEG"


@dataclass(frozen=True)
class CheckedUpload:
    mime: str
    safe_name: str  # shown to people
    stored_name: str  # generated: never the user's name on disk


def safe_display_name(name: str) -> str:
    """The last path component, without anything a file system or a header could misread."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = get_valid_filename(base) if base.strip(". ") else ""
    return (cleaned or "document")[-120:]


def check_upload(upload, *, folder: str) -> CheckedUpload:
    """Size, then the type read from the first bytes, which the name must agree with."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("This file is too large (%(size)s): the maximum is %(max)s.")
            % {
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("This file is empty."), code="empty")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    detected = kind.extension if kind else None
    if detected not in ALLOWED:
        raise ValidationError(
            _("This type of file is not accepted. Accepted: %(types)s.") % {"types": ALLOWED_LABEL},
            code="type",
        )
    extensions, mime = ALLOWED[detected]
    if extension not in extensions:
        raise ValidationError(
            _("The file's content does not match its name (.%(extension)s). Accepted: %(types)s.")
            % {"extension": extension or "?", "types": ALLOWED_LABEL},
            code="type_mismatch",
        )
    return CheckedUpload(
        mime=mime,
        safe_name=safe_display_name(upload.name),
        stored_name=f"{folder}/{uuid.uuid4().hex}.{detected}",
    )


def private_storage():
    """Uploads live in the "private" storage (outside any public path), served by a view that
    checks who asks. A callable, so that tests can swap the storage."""
    return storages["private"]
