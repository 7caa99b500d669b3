"""What every API endpoint shares: structured errors, capped pages, the Idempotency-Key header's
documentation. The audited permission and the Idempotency-Key mixin need accounts' models: they
are in adn_portal/accounts/api.py."""

import functools
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .numbers import whole_number

MAX_PAGE_SIZE = 100
MAX_ANNOTATED_POSITION = 1000  # longer than any name a cursor could have been written with


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

    def get_ordering(self, request, queryset, view):
        """The list's sort when the view's FilterSet chose one (its `ordering`, checked), else
        the pagination's own; the primary key last, so that the order is total."""
        filterset = getattr(view, "filterset", None)  # adn_portal.lib.filters.FilterBackend
        chosen = getattr(filterset, "cursor_ordering", None)
        ordering = chosen() if chosen else None
        if not ordering:
            return super().get_ordering(request, queryset, view)
        tie = "-pk" if ordering[0].startswith("-") else "pk"
        return (*ordering, tie)

    def decode_cursor(self, request):
        """DRF answers 404 for a cursor it cannot read, and checks a cursor's offset, not its
        position, which goes straight into the query: both are a 400 naming `cursor` here (a
        position the ordering's field cannot hold would be a 500), in DRF's translated words."""
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            cursor = None
            fits = False
        else:
            fits = cursor is None or self._position_fits(cursor.position)
        if not fits:
            raise exceptions.ValidationError(
                {
                    self.cursor_query_param: [
                        exceptions.ErrorDetail(self.invalid_cursor_message, code="invalid_cursor")
                    ]
                }
            )
        return cursor

    def _position_fits(self, position: str | None) -> bool:
        if position is None:  # the first page's cursor, or one that only moves back
            return True
        name = self.ordering[0].lstrip("-")
        meta = self._model._meta
        field = meta.pk if name == "pk" else _field_of(meta, name)
        if "\x00" in position:  # no text column takes it (PostgreSQL refuses the query)
            return False
        if field is None:  # an annotated column, text (the queue's organisation name)
            return len(position) <= MAX_ANNOTATED_POSITION
        try:
            value = field.clean(position, None)  # type, size and range checks of the column
        except DjangoValidationError:
            return False
        return not (isinstance(value, datetime) and timezone.is_naive(value))


def _field_of(meta, name: str):
    """The model field of an ordering, or None for an annotation (a related column copied
    onto the row: DRF's cursor reads the position from the row's attribute)."""
    try:
        return meta.get_field(name)
    except FieldDoesNotExist:
        return None


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
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES when it loads, which
    # names this module's JSONParser (a module importing this one first would find it half-made).
    from rest_framework.views import exception_handler as drf_exception_handler

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
                    name: [exceptions.ErrorDetail(_("This field cannot be set."), code="read_only")]
                    for name in unknown
                }
            )
        return original(self, data)

    serializer_class.to_internal_value = to_internal_value
    return serializer_class


UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
IDEMPOTENCY_HEADER = "Idempotency-Key"

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


REPLAY_HEADER = {
    "description": "`true` when this answer is the stored answer to an earlier request with "
    "the same Idempotency-Key (the action was not done again).",
    "schema": {"type": "string", "enum": ["true"]},
}
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}
# Headers of some operations' answers, and the If-Match of a request (per view).
LOCATION = OpenApiParameter(
    "Location",
    location=OpenApiParameter.HEADER,
    response=[201],
    description="The address of what was created.",
)
EXISTING_LOCATION = OpenApiParameter(
    "Location",
    location=OpenApiParameter.HEADER,
    response=[409],
    description="With `already_open`: the address of the open file.",
)
ETAG = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200],
    description="The file's version as an entity tag: send it back in `If-Match`.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    description="The ETag you read: if the file changed since, the save is refused (412).",
)


def document_idempotency(result, generator, request, public):
    """drf-spectacular hook: every unsafe operation documents the Idempotency-Key header and
    the Idempotent-Replay header of its successful answers."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() not in UNSAFE_METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == IDEMPOTENCY_HEADER for p in parameters):
                parameters.append(IDEMPOTENCY_PARAMETER)
            for code, response in operation.get("responses", {}).items():
                if code.startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replay"] = REPLAY_HEADER
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
                # An error a view documents itself (for its headers) takes the error shape too.
                response = responses.setdefault(code, {"description": description})
                response["content"] = {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                }
            # Throttled, or a request with the same Idempotency-Key still running.
            for code in ("409", "429"):
                responses[code].setdefault("headers", {})["Retry-After"] = RETRY_AFTER_HEADER
            if any(p.get("name") == "If-Match" for p in operation.get("parameters", [])):
                responses["412"] = {
                    "description": "If-Match: the object changed since (its ETag is in the answer)",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
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
                    exceptions.ErrorDetail(_("A whole number from 1."), code="invalid")
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
            {
                paginator.page_query_param: [
                    exceptions.ErrorDetail(_("A page number."), code="invalid")
                ]
            }
        )
    return values[0]


CappedPagination.get_page_number = _strict_page_number


def _with_minimums(get_parameters):
    """The schema says what the checks above refuse: a page and a page size start at 1."""

    @functools.wraps(get_parameters)
    def parameters(paginator, view):
        found = get_parameters(paginator, view)
        for parameter in found:
            if parameter["name"] in ("page", "page_size"):
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return found

    return parameters


CappedPagination.get_schema_operation_parameters = _with_minimums(
    PageNumberPagination.get_schema_operation_parameters
)
CappedCursorPagination.get_schema_operation_parameters = _with_minimums(
    CursorPagination.get_schema_operation_parameters
)
