"""The API's access and repeat-safety pieces that need accounts' models: the audited
404-unless permission and the Idempotency-Key mixin (the rest of the API's shared pieces, which
need no model, are in adn_portal/lib/api.py)."""

import hashlib
import json

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from adn_portal.lib.api import IDEMPOTENCY_HEADER, UNSAFE_METHODS

from . import idempotency
from .audit import audit
from .models import AuditEvent
from .permissions import holds_staff_rights, second_factor_missing


class SignedInWithStaffSecondFactor(BasePermission):
    """Signed in; and a staff member (whose own data speaks of files and programmes) only with
    the second factor of this session or a token made after it, as on the staff endpoints."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if holds_staff_rights(user) and second_factor_missing(user):
            raise exceptions.PermissionDenied(
                _(
                    "Staff access needs a session that passed two-factor authentication, or a staff API token."
                ),
                code="two_factor_required",
            )
        return True


class NotFoundUnless(BasePermission):
    """Like the pages: a caller without access sees a 404, not a 403 (nothing is revealed)."""

    def check(self, request) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", "") is None or (
            not hasattr(view, request.method.lower()) and not hasattr(view, "action_map")
        ):
            return True  # a method the endpoint does not offer: let it answer 405
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not self.check(request):
            audit(AuditEvent.Action.PERMISSION_DENIED, request=request, view=type(view).__name__)
            raise exceptions.NotFound()
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            audit(
                AuditEvent.Action.STAFF_ACTION,
                request=request,
                view=type(view).__name__,
                view_action=getattr(view, "action", ""),
            )
        return True


class _Replayed(Exception):
    def __init__(self, response: Response):
        self.response = response


class _Refusal(exceptions.APIException):
    """A refusal about the Idempotency-Key header, with its own status."""

    def __init__(self, message, *, code: str, status_code: int, wait: int | None = None):
        super().__init__({IDEMPOTENCY_HEADER: [exceptions.ErrorDetail(message, code=code)]})
        self.status_code = status_code
        self.wait = wait  # DRF's handler sends it as Retry-After


class _TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _body_fingerprint(request) -> str:
    """SHA-256 of the raw body; for a multipart upload, of its fields and files (a client
    retrying an upload encodes it again, with another boundary)."""
    digest = hashlib.sha256()
    if request.content_type.startswith("multipart/form-data"):
        for name, values in sorted(request.data.lists()):
            for value in values:
                if isinstance(value, UploadedFile):
                    digest.update(f"{name}\0{value.name}\0{value.size}\0".encode())
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(f"{name}\0{value}\0".encode())
        return digest.hexdigest()
    try:
        digest.update(request.body)
    except RequestDataTooBig:
        raise _TooLarge(_("The request body is too large.")) from None
    return digest.hexdigest()


def _as_sent(data):
    """The body as the API's renderer wrote it (decimals as JSON numbers): a replay answers the
    same JSON, not the stored field's own encoding (Django's encoder writes decimals as strings)."""
    return None if data is None else json.loads(JSONRenderer().render(data))


class Idempotent:
    """Every unsafe method (POST, PUT, PATCH, DELETE) of the view honours an `Idempotency-Key`
    header: the same request repeated with the key is answered as the first time and done once
    (idempotency.py beside this module). Put first in the bases of every API view that
    writes; a test checks every unsafe endpoint of the schema."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if request.method not in UNSAFE_METHODS or not key or not request.user.is_authenticated:
            return
        if not hasattr(self, request.method.lower()):
            return  # a method the endpoint does not offer: DRF answers 405, nothing is reserved
        if len(key) > 100:
            raise exceptions.ValidationError(
                {IDEMPOTENCY_HEADER: [_("At most 100 characters.")]}, code="invalid"
            )
        scope = hashlib.sha256(f"{request.method} {request.path}".encode()).hexdigest()
        try:
            reserved = idempotency.idempotency_key_reserve(
                user=request.user, key=key, scope=scope, fingerprint=_body_fingerprint(request)
            )
        except idempotency.KeyReused:
            raise _Refusal(
                _(
                    "This Idempotency-Key was used for another request (method, address or "
                    "body): send a new key."
                ),
                code="idempotency_key_reused",
                status_code=422,
            ) from None
        except idempotency.InProgress:
            raise _Refusal(
                _("A request with this Idempotency-Key is still running: repeat it in a moment."),
                code="idempotency_in_progress",
                status_code=409,
                wait=1,
            ) from None
        if isinstance(reserved, idempotency.Replay):
            raise _Replayed(
                Response(
                    reserved.body,
                    status=reserved.status_code,
                    headers={"Idempotent-Replay": "true"},
                )
            )
        self.idempotency_reservation = reserved

    def handle_exception(self, exc):
        if isinstance(exc, _Replayed):
            return exc.response
        return super().handle_exception(exc)

    def dispatch(self, request, *args, **kwargs):
        self.idempotency_reservation = None
        try:
            response = super().dispatch(request, *args, **kwargs)
        except BaseException:
            if self.idempotency_reservation is not None:
                idempotency.idempotency_key_release(reservation=self.idempotency_reservation)
            raise
        reservation = self.idempotency_reservation
        if reservation is None:
            return response
        # Only a success is kept. A refusal (4xx) changed nothing (the services refuse whole):
        # replaying it would hide the fix, so the corrected request may run under the same key;
        # a server error (5xx) frees the key too.
        if 200 <= response.status_code < 300:
            idempotency.idempotency_key_complete(
                reservation=reservation,
                status_code=response.status_code,
                body=_as_sent(getattr(response, "data", None)),
            )
        else:
            idempotency.idempotency_key_release(reservation=reservation)
        return response
