"""The application form, step by step. A file answers a version of its call's form
(`programs.models.FormVersion`, data: programs/application_forms); each step is a Django form
generated from its definition (applications/forms/generated.py), whose cleaned data is stored
as JSON in `Application.data[step.slug]`. The call's `form_sections` may leave some of the
sectioned steps out (a call setting)."""

import contextlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django import forms
from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.decimals import format_amount, format_decimal
from programs.application_forms import Kind, Role, StepDefinition
from programs.application_forms.versions import call_form_version
from programs.models import Call, FormVersion

from .forms.generated import (  # noqa: F401 (the steps' helpers, read from here)
    GeneratedStepForm,
    StepForm,
    earlier_files,
    expert_details,
    funding_terms,
    maximum_amount,
)
from .forms.tables import TableField
from .forms.yes_no import YesNoField
from .models import Application


class DeclarationsForm(forms.Form):
    """What the applicant declares on the review page, saved with the submission and only with
    it (docs/domain.md, The life of a file): stored whole, or refused whole."""

    gdpr_consent = forms.BooleanField(
        label=_("I agree that the AdN processes these data to handle the application (GDPR)."),
    )
    sworn_statement = forms.BooleanField(
        label=_("I declare on my honour that the information given is true and complete."),
    )


# Where the declarations are kept in Application.data (frozen with the rest at submission).
DECLARATIONS = "declarations"


class Step:
    """One step of a form version, with the Django form that asks it (`form_class`)."""

    def __init__(self, definition: StepDefinition, version: FormVersion):
        self.definition = definition
        self.version = version
        self.slug = definition.slug
        self.section = definition.section
        self.is_documents = definition.is_documents

    def __repr__(self) -> str:
        return f"<Step {self.slug} of form version {self.version.pk}>"

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Step)
            and other.slug == self.slug
            and other.version.pk == self.version.pk
        )

    def __hash__(self) -> int:
        return hash((self.slug, self.version.pk))

    @property
    def title(self) -> str:
        return self.definition.title_text

    @property
    def shows_organisation(self) -> bool:
        return any(q.kind == Kind.ORGANISATION_FACTS for q in self.definition.questions)

    @cached_property
    def form_class(self) -> type[GeneratedStepForm] | None:
        if self.is_documents:
            return None
        return type(f"{self.slug.title()}StepForm", (GeneratedStepForm,), {"step": self})

    @property
    def expert_name(self) -> str:
        """The name of the step's expert question ("" when it asks none)."""
        return next((q.name for q in self.definition.answers if q.role == Role.EXPERT), "")

    def has_role(self, role: str) -> bool:
        return any(q.role == role for q in self.definition.questions)


def version_of(owner: Application | Call) -> FormVersion:
    """The form version a file answers (loaded with it by the selectors), or a call's current
    one (made from its programme's default when it has none)."""
    if isinstance(owner, Application):
        if owner.form_version_id is not None:
            return owner.form_version
        return call_form_version(call=owner.call)
    return call_form_version(call=owner)


# The steps of the form versions read lately, by version and text: a version's text changes
# in place until a file answering it is submitted, so the key holds the text itself (never
# stale). Reading a definition and making its forms' classes cost ~0.5 ms a step page; its
# text as JSON, ~0.03 ms.
_STEPS: dict[tuple[int, str], list[Step]] = {}
_STEPS_KEPT = 64


def _all_steps(version: FormVersion) -> list[Step]:
    # Built once per version and text (its definition read once, its forms' classes made once).
    if not hasattr(version, "_steps"):
        key = (version.pk, json.dumps(version.definition))
        steps = _STEPS.get(key)
        if steps is None:
            steps = [Step(definition, version) for definition in version.form.steps]
            if version.pk is not None:
                if len(_STEPS) >= _STEPS_KEPT:
                    _STEPS.pop(next(iter(_STEPS)), None)  # the oldest first
                _STEPS[key] = steps
        version._steps = steps
    return version._steps


def version_steps(version: FormVersion) -> list[Step]:
    """Every step of a form version, whatever the call's sections."""
    return list(_all_steps(version))


def steps_for(owner: Application | Call) -> list[Step]:
    """The steps of a file's form version (or of a call's current one), less the sectioned
    steps its call leaves out."""
    call = owner.call if isinstance(owner, Application) else owner
    sections = set(call.form_sections)
    return [s for s in _all_steps(version_of(owner)) if not s.section or s.section in sections]


def step_by_slug(owner: Application | Call, slug: str) -> Step | None:
    return next((step for step in steps_for(owner) if step.slug == slug), None)


def step_with_role(owner: Application | Call, role: str) -> Step | None:
    """The step holding the question of a role (the expert, the amount requested…)."""
    return next((step for step in steps_for(owner) if step.has_role(role)), None)


def organisation_step(owner: Application | Call) -> Step | None:
    """The step that shows the organisation's profile and asks to confirm it."""
    return next((step for step in steps_for(owner) if step.shows_organisation), None)


def documents_step(owner: Application | Call) -> Step | None:
    return next((step for step in steps_for(owner) if step.is_documents), None)


def documents_options(application: Application) -> dict:
    """What the file's form says of its documents (its documents question): `types` (file
    extensions accepted), `max_size_mb`, `max_count`, `required_kinds`; {} when it says
    nothing. Read whether or not its call shows the documents step."""
    for step in _all_steps(version_of(application)):
        for question in step.definition.questions:
            if question.kind == Kind.DOCUMENTS:
                return question.options
    return {}


def required_document_kinds(application: Application) -> list[str]:
    """The kinds of document the file's form requires."""
    return list(documents_options(application).get("required_kinds") or [])


def application_fact(application: Application, role: str, data: dict | None = None) -> list:
    """The stored answers of the questions playing `role` in the file's form version (in
    `data`, default the file's): the facts the rules read whatever the form (docs/domain.md,
    Application forms). A list: some roles add up (budget costs, needs, personal details)."""
    data = application.data if data is None else data
    values = []
    for step in _all_steps(version_of(application)):
        stored = data.get(step.slug)
        if not isinstance(stored, dict):
            continue
        for question in step.definition.questions:
            if question.role == role and stored.get(question.name) not in (None, ""):
                values.append(stored[question.name])
    return values


def role_names(application: Application, role: str) -> dict[str, list[str]]:
    """{step slug: [question names]} of the questions playing `role` in the file's form."""
    names: dict[str, list[str]] = {}
    for step in _all_steps(version_of(application)):
        for question in step.definition.questions:
            if question.role == role:
                names.setdefault(step.slug, []).append(question.name)
    return names


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    return value


def to_json(cleaned: dict) -> dict:
    """Form data as JSON: decimals as strings, model choices as their primary key, dates as
    ISO text, inside tables too."""
    return {key: _json(value) for key, value in cleaned.items()}


_NUMBER_KINDS = (Kind.AMOUNT, Kind.NUMBER, Kind.PERCENTAGE)


def initial(application: Application, step: Step) -> dict:
    """A step's stored answers as its form's initial values. A complete step holds validated
    data (to_json: decimals as plain strings, read back as numbers so that the page writes them
    the reader's way); an incomplete one holds what was typed, shown as it was typed."""
    data = dict(application.step_data(step.slug))
    if step.slug not in application.completed_steps:
        return data
    for question in step.definition.answers:
        name = question.name
        if question.kind in _NUMBER_KINDS and isinstance(data.get(name), str):
            if question.kind == Kind.NUMBER and question.options.get("integer"):
                continue
            # Junk is left as stored: the form shows it and refuses it.
            with contextlib.suppress(InvalidOperation):
                data[name] = Decimal(data[name])
    return data


@dataclass(frozen=True)
class Answer:
    label: str
    text: str  # in words; "" when not answered
    long: bool = False  # several lines: shown with its line breaks


@dataclass(frozen=True)
class StepAnswers:
    step: Step
    complete: bool
    answers: list[Answer]


def in_words(application: Application, field: forms.Field, name: str, value, typed: bool):
    """A stored answer as a person reads it; `typed`: stored as typed (an incomplete step)."""
    if value in (None, "", []):
        return ""
    if isinstance(field, (forms.BooleanField, YesNoField)):
        return str(_("Yes") if value in (True, "on", "true", "True", "yes") else _("No"))
    if isinstance(field, TableField):
        return _table_in_words(field, value)
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(item, item)) for item in chosen)
    if isinstance(field, forms.DateField) and not typed:
        day = parse_date(str(value)) if isinstance(value, str) else None
        return formats.date_format(day) if day else str(value)
    if isinstance(field, forms.ModelChoiceField):
        # The file carries the chosen expert and earlier file (loaded with it).
        chosen = getattr(application, name, None)
        if chosen is None or str(chosen.pk) != str(value):
            chosen = field.queryset.filter(pk=value).first() if str(value).isdigit() else None
        return str(
            getattr(chosen, "organisation", None)
            or getattr(chosen, "reference", None)
            or _("(no longer available)")
        )
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, forms.DecimalField) and not typed:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if getattr(field, "unit", None) == "EUR":
            return format_amount(number)
        return format_decimal(number, language=get_language())
    return str(value)


def _table_in_words(field: TableField, rows) -> str:
    """One line per row: its cells in words, then the total of its amounts."""
    if not isinstance(rows, list):
        return str(rows)
    lines = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        cells = []
        for column in field.columns:
            value = row.get(column.name)
            if value in (None, ""):
                continue
            if column.kind == Kind.AMOUNT:
                with contextlib.suppress(InvalidOperation):
                    value = format_amount(Decimal(str(value)))
            cells.append(str(value))
        lines.append(" · ".join(cells))
    total = field.total(rows)
    if total is not None and any(c.kind == Kind.AMOUNT for c in field.columns):
        lines.append(str(_("Total: %(total)s") % {"total": format_amount(total)}))
    return "\n".join(lines)


def answers(application: Application, data: dict | None = None) -> list[StepAnswers]:
    """Every form step of the file with each question and its answer in words, answered or
    not: what the review page lists before submission."""
    data = application.data if data is None else data
    result = []
    for step in steps_for(application):
        if step.is_documents:
            continue
        complete = step.slug in application.completed_steps
        stored = data.get(step.slug, {})
        form = step.form_class(application=application)
        result.append(
            StepAnswers(
                step=step,
                complete=complete,
                answers=[
                    Answer(
                        label=str(field.label),
                        text=in_words(application, field, name, stored.get(name), not complete),
                        long=isinstance(field.widget, forms.Textarea)
                        or isinstance(field, TableField),
                    )
                    for name, field in form.fields.items()
                    if not isinstance(field, forms.BooleanField) or name in stored
                ],
            )
        )
    return result


def describe(
    application: Application, data: dict | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The content of a file as a person reads it: each step's title, then each field's label
    and its value in words (choices by their label, yes/no, the chosen expert's name), then
    the declarations made at submission."""
    data = application.data if data is None else data
    sections = []
    for step in steps_for(application):
        if step.is_documents or step.slug not in data:
            continue
        form = step.form_class(application=application)
        rows = [
            (str(field.label), text)
            for name, field in form.fields.items()
            if (text := in_words(application, field, name, data[step.slug].get(name), False))
        ]
        sections.append((str(step.title), rows))
    if DECLARATIONS in data:
        declared = DeclarationsForm()
        rows = [
            (
                str(field.label),
                in_words(application, field, name, data[DECLARATIONS].get(name), False),
            )
            for name, field in declared.fields.items()
        ]
        sections.append((str(_("Declarations")), rows))
    return sections
