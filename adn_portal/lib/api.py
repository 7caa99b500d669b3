"""What every API endpoint shares: structured errors, capped pages, repeat-safe writes."""

import functools
import hashlib
from datetime import datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .numbers import whole_number

MAX_PAGE_SIZE = 100


class JSONParser(parsers.JSONParser):
    """DRF's parser turns a ValueError into a 400; a body nested deeper than Python recurses
    ("[[[[…]]]]", 100 KB is enough) raises RecursionError instead: a 400 as well."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from None


class CappedPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class CappedCursorPagination(CursorPagination):
    """For long lists: stable under inserts, and as fast on page 2,000 as on page 1."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-pk"

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """DRF checks a cursor's offset, not its position, which goes straight into the query:
        a position the ordering's field cannot hold is an invalid cursor too (404, as DRF
        answers for a cursor it cannot read), not a 500."""
        cursor = super().decode_cursor(request)
        if cursor is not None and not self._position_fits(cursor.position):
            raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor

    def _position_fits(self, position: str | None) -> bool:
        if position is None:  # the first page's cursor, or one that only moves back
            return True
        name = self.ordering[0].lstrip("-")
        meta = self._model._meta
        field = meta.pk if name == "pk" else meta.get_field(name)
        if "\x00" in position:  # no text column takes it (PostgreSQL refuses the query)
            return False
        try:
            value = field.clean(position, None)  # type, size and range checks of the column
        except DjangoValidationError:
            return False
        return not (isinstance(value, datetime) and timezone.is_naive(value))


def _flatten(detail, field=None) -> list[dict]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = (
                None
                if key in ("non_field_errors", "detail")
                else (f"{field}.{key}" if field else key)
            )
            errors += _flatten(value, name)
        return errors
    if isinstance(detail, list):
        return [e for item in detail for e in _flatten(item, field)]
    return [{"field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def exception_handler(exc, context):
    """Every error as {"status": 400, "errors": [{"field", "code", "message"}]}; the message is
    in the caller's language (Accept-Language: fr by default, en or de)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"status": response.status_code, "errors": _flatten(response.data)}
    # In JSON whatever the endpoint renders otherwise (the schema's YAML, the docs' HTML) or
    # whatever the request asked (an unknown ?format= is a 404 with no renderer chosen).
    request = context.get("request")
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    return response


def error(
    message: str,
    *,
    code: str,
    field: str | None = None,
    status_code: int = status.HTTP_400_BAD_REQUEST,
) -> Response:
    return Response(
        {
            "status": status_code,
            "errors": [{"field": field, "code": code, "message": str(message)}],
        },
        status=status_code,
    )


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
            from adn_portal.accounts.audit import audit
            from adn_portal.accounts.models import AuditEvent

            audit(AuditEvent.Action.PERMISSION_DENIED, request=request, view=type(view).__name__)
            raise exceptions.NotFound()
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            from adn_portal.accounts.audit import audit
            from adn_portal.accounts.models import AuditEvent

            audit(
                AuditEvent.Action.STAFF_ACTION,
                request=request,
                view=type(view).__name__,
                view_action=getattr(view, "action", ""),
            )
        return True


def reject_unknown_fields(serializer_class):
    """Fields a caller may not set (status, reference, organisation, scores…) are refused, not
    silently applied: the request names them and fails."""

    original = serializer_class.to_internal_value

    @functools.wraps(original)
    def to_internal_value(self, data):
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(getattr(data, "keys", dict)()) - writable)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [exceptions.ErrorDetail("This field cannot be set.", code="read_only")]
                    for name in unknown
                }
            )
        return original(self, data)

    serializer_class.to_internal_value = to_internal_value
    return serializer_class


UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
IDEMPOTENCY_HEADER = "Idempotency-Key"


class _Replayed(Exception):
    def __init__(self, response: Response):
        self.response = response


class _Refusal(exceptions.APIException):
    """A refusal about the Idempotency-Key header, with its own status."""

    def __init__(self, message, *, code: str, status_code: int):
        super().__init__({IDEMPOTENCY_HEADER: [exceptions.ErrorDetail(message, code=code)]})
        self.status_code = status_code


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


class Idempotent:
    """Every unsafe method (POST, PUT, PATCH, DELETE) of the view honours an `Idempotency-Key`
    header: the same request repeated with the key is answered as the first time and done once
    (adn_portal/accounts/idempotency.py). Put first in the bases of every API view that
    writes; a test checks every unsafe endpoint of the schema."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if request.method not in UNSAFE_METHODS or not key or not request.user.is_authenticated:
            return
        from adn_portal.accounts import idempotency

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
        from adn_portal.accounts import idempotency

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
                body=getattr(response, "data", None),
            )
        else:
            idempotency.idempotency_key_release(reservation=reservation)
        return response


IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 100},
    "description": (
        "Makes the request safe to repeat (a retry after a lost answer): the same request "
        "with the same key within 24 hours is answered as the first time (header "
        "`Idempotent-Replay: true`) and done once. Only a success is kept: after a refusal, "
        "the corrected request may use the key again. The key is bound to the method, address "
        "and body (another request with it: 422 `idempotency_key_reused`); while the first "
        "request runs, a repeat gets 409 `idempotency_in_progress`."
    ),
}


def document_idempotency(result, generator, request, public):
    """drf-spectacular hook: every unsafe operation documents the Idempotency-Key header."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() not in UNSAFE_METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == IDEMPOTENCY_HEADER for p in parameters):
                parameters.append(IDEMPOTENCY_PARAMETER)
    return result


ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "errors"],
    "properties": {
        "status": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
ERROR_CODES = {
    "400": "Invalid request: each error names its field",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found (or not yours)",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflict: the object changed, a rule refused the action, or a request with this Idempotency-Key is still running",
    "413": "Request body too large (a document over the size limit)",
    "415": "Unsupported media type",
    "422": "Refused: see the errors (failed checks, an Idempotency-Key used for another request)",
    "429": "Too many requests",
}


def document_errors(result, generator, request, public):
    """drf-spectacular hook: every operation may answer the structured error, and request
    bodies refuse fields they do not declare (the API rejects them)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_CODES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result


def _strict_page_size(paginator, request):
    values = request.query_params.getlist(paginator.page_size_query_param)
    if not values:
        return paginator.page_size
    size = whole_number(values[0], minimum=1)
    if len(values) > 1 or size is None:
        raise exceptions.ValidationError(
            {
                paginator.page_size_query_param: [
                    exceptions.ErrorDetail("A whole number from 1.", code="invalid")
                ]
            }
        )
    return min(size, paginator.max_page_size)


CappedPagination.get_page_size = _strict_page_size
CappedCursorPagination.get_page_size = _strict_page_size


def _strict_page_number(paginator, request, django_paginator):
    values = request.query_params.getlist(paginator.page_query_param)
    if not values:
        return 1
    if len(values) > 1 or not (
        whole_number(values[0]) is not None or values[0] in paginator.last_page_strings
    ):
        raise exceptions.ValidationError(
            {paginator.page_query_param: [exceptions.ErrorDetail("A page number.", code="invalid")]}
        )
    return values[0]


CappedPagination.get_page_number = _strict_page_number
