"""A form definition as JSON Schema (draft 2020-12), with display hints as `x-` keywords: what
`GET /api/v1/calls/{slug}/form/` publishes and what the API's step saves are checked against
(the `jsonschema` library) before the step's generated form checks them as the page does.

The schema says the shape (types, lengths, choices, bounds, required and conditional
questions); the form adds what needs the database or the call (the experts listed today, the
organisation's earlier files, the call's rate, ceiling and longest duration). Values a page
sends as typed text (amounts, numbers, "on" for a box) are strings the schema lets through."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator

from .definition import LANGUAGES, FormDefinition, Kind, Question, StepDefinition, text

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The largest amount an amount box takes: 12 digits, 2 of them after the point.
AMOUNT_MAX = 9_999_999_999.99
DEFAULT_SHORT_LENGTH = 200


def _labels(texts: dict) -> dict:
    labels = {}
    for language in LANGUAGES:
        with translation.override(language):
            labels[language] = text(texts, language)
    return labels


def text_limit(question: Question) -> int:
    limit = question.options.get("limit", "long")
    return settings.TEXT_LIMITS[limit] if isinstance(limit, str) else int(limit)


def _value_schema(question: Question) -> dict:
    """The shape of one answer (without the hints)."""
    kind, options = question.kind, question.options
    if kind == Kind.SHORT_TEXT:
        return {"type": "string", "maxLength": options.get("max_length", DEFAULT_SHORT_LENGTH)}
    if kind == Kind.EMAIL:
        return {"type": "string", "format": "email", "maxLength": 254}
    if kind == Kind.LONG_TEXT:
        # Counted as the page counts (a line break is one character): the form says more.
        return {"type": "string", "x-limit": text_limit(question)}
    if kind in (Kind.NUMBER, Kind.AMOUNT, Kind.PERCENTAGE):
        number = "integer" if kind == Kind.NUMBER and options.get("integer") else "number"
        low, high = options.get("min"), options.get("max")
        if kind == Kind.AMOUNT:
            low, high = 0 if low is None else low, AMOUNT_MAX if high is None else high
        if kind == Kind.PERCENTAGE:
            low, high = 0 if low is None else low, 100 if high is None else high
        schema: dict = {"type": [number, "string"]}
        if low is not None:
            schema["minimum"] = low
        if high is not None:
            schema["maximum"] = high
        return schema
    if kind == Kind.DATE:
        return {"type": "string", "format": "date"}
    if kind == Kind.CHOICE:
        return {"type": "string", "enum": [value for value, _label in question.choices]}
    if kind == Kind.MULTIPLE_CHOICE:
        return {
            "type": "array",
            "items": {"type": "string", "enum": [value for value, _label in question.choices]},
            "uniqueItems": True,
        }
    if kind in (Kind.CHECKBOX, Kind.YES_NO):
        return {"type": ["boolean", "string"]}
    if kind in (Kind.EXPERT, Kind.EARLIER_FILE):
        return {"type": ["integer", "string"]}
    if kind == Kind.TABLE:
        columns = {}
        for column in question.columns:
            if column.kind == Kind.SHORT_TEXT:
                columns[column.name] = {"type": "string", "maxLength": DEFAULT_SHORT_LENGTH}
            else:
                columns[column.name] = {"type": ["number", "string", "null"]}
                if column.kind == Kind.AMOUNT:
                    columns[column.name] |= {"minimum": 0, "maximum": AMOUNT_MAX}
        return {
            "type": "array",
            "maxItems": options.get("rows", 10),
            "items": {"type": "object", "properties": columns, "additionalProperties": False},
        }
    raise ValueError(kind)


def question_schema(question: Question) -> dict:
    schema = _value_schema(question)
    # Every answer may be empty (null): whether it is required is the step's "required".
    if isinstance(schema["type"], list):
        schema["type"] = [*schema["type"], "null"]
    else:
        schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    hints = {
        "title": question.label_text,
        "x-kind": question.kind,
        "x-label": _labels(question.label),
    }
    if question.help:
        hints |= {"description": question.help_text, "x-help": _labels(question.help)}
    if question.role:
        hints["x-role"] = question.role
    if question.show_if:
        hints["x-show-if"] = question.show_if
    if question.choices:
        hints["x-choices"] = [
            {"value": value, "label": _labels(label)} for value, label in question.choices
        ]
    if question.kind == Kind.TABLE:
        hints["x-columns"] = [
            {"name": c.name, "kind": c.kind, "label": _labels(c.label)} for c in question.columns
        ]
    if question.kind == Kind.AMOUNT:
        hints["x-unit"] = "EUR"
    if question.kind == Kind.PERCENTAGE:
        hints["x-unit"] = "%"
    if question.kind in (Kind.EXPERT, Kind.EARLIER_FILE) and question.options.get("programme"):
        hints["x-programme"] = question.options["programme"]
    return hints | schema


def step_schema(step: StepDefinition, *, complete: bool = True) -> dict:
    """The shape of one step's answers. `complete=False`: a draft saved as typed (types only:
    no required answer, no bound)."""
    questions = step.answers
    schema: dict = {
        "type": "object",
        "title": step.title_text,
        "x-label": _labels(step.title),
        "properties": {q.name: question_schema(q) for q in questions},
        "additionalProperties": False,
        "x-order": [q.name for q in questions],
    }
    if step.section:
        schema["x-section"] = step.section
    if any(q.kind == Kind.ORGANISATION_FACTS for q in step.questions):
        schema["x-organisation-facts"] = True
    documents = next((q for q in step.questions if q.kind == Kind.DOCUMENTS), None)
    if documents is not None:
        schema["x-documents"] = {
            key: documents.options[key]
            for key in ("types", "max_size_mb", "max_count", "required_kinds")
            if key in documents.options
        }
    if not complete:
        for name, question in schema["properties"].items():
            schema["properties"][name] = _types_only(question)
        return schema
    required = [q.name for q in questions if q.required and not q.show_if]
    if required:
        schema["required"] = required
    conditions = []
    for q in questions:
        if q.show_if and q.required:
            conditions.append(
                {
                    "if": {
                        "properties": {q.show_if["question"]: _equals(q.show_if["equals"])},
                        "required": [q.show_if["question"]],
                    },
                    "then": {"required": [q.name]},
                }
            )
    if conditions:
        schema["allOf"] = conditions
    return schema


def _equals(value) -> dict:
    if isinstance(value, bool):  # a box sent by a page says "on"
        return {"enum": [True, "on", "true", "True"] if value else [False, "false", "False"]}
    return {"anyOf": [{"const": value}, {"type": "array", "contains": {"const": value}}]}


_BOUNDS = {"minimum", "maximum", "maxLength", "maxItems", "uniqueItems", "enum", "format"}


def _types_only(schema: dict) -> dict:
    result = {k: v for k, v in schema.items() if k not in _BOUNDS}
    if isinstance(result.get("items"), dict):
        result["items"] = _types_only(result["items"])
        if "properties" in result["items"]:
            result["items"]["properties"] = {
                k: _types_only(v) for k, v in result["items"]["properties"].items()
            }
    return result


def form_schema(definition: FormDefinition, *, title: str = "", version: int | None = None) -> dict:
    """The whole form: one property per step, in order."""
    schema: dict = {
        "$schema": DIALECT,
        "type": "object",
        "properties": {step.slug: step_schema(step) for step in definition.steps},
        "additionalProperties": False,
        "x-steps": [step.slug for step in definition.steps],
    }
    if title:
        schema["title"] = title
    if version is not None:
        schema["x-version"] = version
    return schema


# ---------------------------------------------------------------------------------------------
# Checking a body


def _message(error) -> tuple[str, str]:
    """A schema error as (code, message) in the reader's language: Django's own messages for
    the same refusals (its catalogue translates them)."""
    validator = error.validator
    if validator == "required":
        return "required", _("This field is required.")
    if validator == "additionalProperties":
        return "read_only", "This field cannot be set."
    if validator == "enum":
        return "invalid_choice", _(
            "Select a valid choice. That choice is not one of the available choices."
        )
    if validator == "maxLength":
        limit = error.validator_value
        return "max_length", ngettext(  # Django's own message (its catalogue translates it)
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(error.instance)}
    if validator in ("maximum", "maxItems"):
        return "max_value", _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": error.validator_value
        }
    if validator == "minimum":
        return "min_value", _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": error.validator_value
        }
    return "invalid", _("Enter a valid value.")


def body_errors(schema: dict, body) -> dict[str, list[tuple[str, str]]]:
    """Every place where `body` does not fit `schema`: {"name" or "name.2.column": [(code,
    message)]}; the body's unknown keys are named themselves."""
    errors: dict[str, list[tuple[str, str]]] = {}
    for error in Draft202012Validator(schema).iter_errors(body):
        path = [str(part) for part in error.absolute_path]
        if error.validator == "required":
            path.append(error.message.split("'")[1])
        if error.validator == "additionalProperties":
            extra = set(error.instance) - set(error.schema.get("properties", {}))
            for name in sorted(extra):
                errors.setdefault(".".join([*path, name]), []).append(_message(error))
            continue
        errors.setdefault(".".join(path) or "non_field_errors", []).append(_message(error))
    return errors
