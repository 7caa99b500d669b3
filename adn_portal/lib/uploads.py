"""Uploaded documents are checked by their content, not their name (domain: attachments).
Shared by applicants' attachments and ownership claims' supporting documents."""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
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


# Room for the form's other fields and the multipart headers next to one file at the limit.
FIELDS_ROOM = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it is known to be too large, instead of streaming
    the whole body to disk before a form can say no. A body announced (Content-Length) over
    one file at the limit plus FIELDS_ROOM stops where its first file starts, before any of
    its bytes; any other file stops once past ATTACHMENT_MAX_BYTES. The fields read so far (the
    CSRF token comes first in our forms) are kept; `upload_refusal` tells the view which file
    was refused. First in FILE_UPLOAD_HANDLERS."""

    body_too_large = False
    body_size = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_size = content_length
        self.body_too_large = content_length > settings.ATTACHMENT_MAX_BYTES + FIELDS_ROOM

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if self.body_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.ATTACHMENT_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers store the file

    def _refuse(self):
        if self.request is not None:
            self.request.upload_refused_field = self.field_name
            self.request.upload_refused_size = self.body_size  # the file's, give or take a field
        # Not read to its end: behind the proxy (which buffers bodies) nothing waits on it.
        raise StopUpload(connection_reset=True)


def upload_refusal(request) -> str | None:
    """Why SizeLimitUploadHandler stopped this request's upload (its field is
    `request.upload_refused_field`), or None. Ask after the body was parsed (request.POST,
    request.FILES or DRF's request.data)."""
    if getattr(request, "upload_refused_field", None) is None:
        return None
    return _("This file is too large (%(size)s): the maximum is %(max)s.") % {
        "size": filesizeformat(request.upload_refused_size),
        "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }
