"""A step's body in the API, checked against the JSON Schema its form version publishes
(`GET /api/v1/calls/{slug}/form/`, programs/application_forms/schema.py) before the step's
generated form checks it as the page does. Where both refuse a field the form's words are
given, so that the API and the page name the same fields with the same messages."""

from rest_framework import exceptions

from adn_portal.lib.form_api import form_errors
from programs.application_forms.schema import body_errors, step_schema

from ..steps import Step


def step_body_check(step: Step, body, form, *, complete: bool, rename: dict) -> None:
    """A 400 naming each field (`data.<name>`, `data.<table>.<row>.<column>`) when the body
    does not fit the step's schema (`complete=False`: a draft saved as typed, its types only)."""
    errors = body_errors(step_schema(step.definition, complete=complete), body)
    if not errors:
        return
    # Every refusal of the form in its own words (the page's), then what only the schema says.
    detail = form_errors(form, rename=rename) if complete and not form.is_valid() else {}
    for path, refusals in errors.items():
        name = path.split(".")[0]
        if rename.get(name, f"data.{name}") in detail:
            continue
        detail.setdefault(f"data.{path}" if path != "non_field_errors" else path, []).extend(
            exceptions.ErrorDetail(message, code=code) for code, message in refusals
        )
    raise exceptions.ValidationError(detail)
