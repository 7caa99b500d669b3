"""What every API endpoint shares: structured errors, capped pages, idempotent POSTs."""

import functools
import hashlib
from datetime import datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import BasePermission
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
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None


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


def idempotent(view_method):
    """An `Idempotency-Key` header makes a POST safe to repeat: the first response is stored
    and returned again; the action is not done twice."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        from adn_portal.accounts.models import IdempotencyKey

        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 100:
            return error(
                "Idempotency-Key is 100 characters at most.",
                code="invalid",
                field="Idempotency-Key",
            )
        scope = hashlib.sha256(request.path.encode()).hexdigest()[:32]
        stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            if stored.scope != scope:
                return error(
                    "This Idempotency-Key was used for another request.",
                    code="idempotency_conflict",
                    status_code=422,
                )
            return Response(
                stored.body, status=stored.status_code, headers={"Idempotent-Replay": "true"}
            )
        response = view_method(self, request, *args, **kwargs)
        if response.status_code < 500:
            IdempotencyKey.objects.get_or_create(
                user=request.user,
                key=key,
                defaults={
                    "scope": scope,
                    "status_code": response.status_code,
                    "body": response.data,
                },
            )
        return response

    return wrapper


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
    "409": "Conflict: the object changed, or a rule refused the action",
    "413": "Request body too large (a document over the size limit)",
    "415": "Unsupported media type",
    "422": "Refused: see the errors (failed checks, reused idempotency key)",
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
