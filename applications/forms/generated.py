"""A step's Django form, generated from its definition (programs/application_forms): one
field per question, and the cross-question rules read through the questions' roles. The same
form checks the page's post and the API's body (adn_portal/lib/form_api.py), so both refuse
the same answers with the same words."""

import json
from decimal import ROUND_DOWN, Decimal

from django import forms
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.compiled import compiled_rows
from adn_portal.lib.decimals import LocalizedDecimalField, format_amount, format_percent
from companies.identifiers import Province
from companies.models import Expert, Language, Speciality
from companies.selectors import experts_offered
from programs.application_forms import Kind, Question, Role
from programs.application_forms.schema import DEFAULT_SHORT_LENGTH, text_limit
from programs.models import Call, Programme

from ..models import Application
from ..workflow import Status
from .fields import AmountField, ListedChoiceField, PickerChoiceField, PickerPage
from .rendering import python_widgets
from .tables import TableField
from .yes_no import YesNoField

# ---------------------------------------------------------------------------------------------
# What the questions' choices and limits depend on


_experts_listed: dict[tuple, object] = {}


def listed_experts(code: str, today):
    """The experts a file of programme `code` may choose on `today` (what the expert field
    accepts, on the page and through the API alike). A statement's definition, built once per
    programme and day (~0.3 ms a step page): never evaluated itself, the field takes a copy
    (ModelChoiceField's queryset is `.all()` of it), so no row is kept."""
    key = (code, today)
    queryset = _experts_listed.get(key)
    if queryset is None:
        if len(_experts_listed) >= 100:  # a day's programmes: bounded
            _experts_listed.clear()
        # The JSON list is mirrored in facet rows, which every database can filter.
        queryset = _experts_listed[key] = (
            Expert.objects.publicly_listed(today=today)
            .filter(facets__kind="programme", facets__value=code)
            .select_related("organisation")
            .order_by("organisation__name")
        )
    return queryset


# The expert picker's page: searched and paginated by the server once experts are many.
EXPERTS_PER_PAGE = 20


def offered_experts(code: str, today):
    """The expert picker's source (fields.Picker): a page of the programme's listed experts
    matching the search, and the chosen one."""

    def source(query: str, number, chosen: str | None) -> PickerPage:
        page, kept = experts_offered(
            programme=code,
            search=query,
            number=number,
            per_page=EXPERTS_PER_PAGE,
            chosen=chosen,
            today=today,
        )
        return PickerPage(page=page, chosen=kept)

    return source


def expert_details(expert: Expert) -> list[str]:
    """What the picker shows under an expert's name, to choose without leaving the form."""
    organisation = expert.organisation
    provinces = _labels(Province)
    province = provinces.get(organisation.province, organisation.province)
    return [
        _listed(expert.specialities, _labels(Speciality)),
        f"{organisation.municipality} ({province})",
        _listed(expert.languages, _labels(Language)),
    ]


def _listed(values, labels: dict[str, str]) -> str:
    """The labels of the stored codes that are choices today (companies.models.known_codes)."""
    if not isinstance(values, list):
        return ""
    return ", ".join(labels[v] for v in values if isinstance(v, str) and v in labels)


_LABELS: dict[tuple, dict[str, str]] = {}


def _labels(choices) -> dict[str, str]:
    """The choices' labels in the active language, translated once per language (a picker
    shows twenty experts' specialities and languages)."""
    key = (choices, get_language())
    if key not in _LABELS:
        _LABELS[key] = {value: str(label) for value, label in choices.choices}
    return _LABELS[key]


def earlier_files(application: Application, programme_code: str):
    # The programme by its code in a subquery (codes are unique): one table fewer to plan.
    programme = Programme.objects.filter(code=programme_code).values("pk")[:1]
    return Application.objects.filter(
        organisation_id=application.organisation_id,  # none in the staff's preview
        programme_id=Subquery(programme),
        reference__isnull=False,
    ).exclude(status__in=[Status.WITHDRAWN, Status.INELIGIBLE, Status.REJECTED])


def _earlier_listed(organisation_id: int, programme_code: str) -> QuerySet[Application]:
    # What the list shows: each file's reference and its call's titles.
    return (
        earlier_files(Application(organisation_id=organisation_id), programme_code)
        .only("reference", "call")
        .annotate(**{f"call_{name}": F(f"call__{name}") for name in _CALL_TITLES})
    )


def earlier_files_listed(application: Application, programme_code: str) -> list[Application]:
    """`earlier_files` as the step lists them (their reference, their call with its titles),
    by a statement compiled once per process and programme: building the queryset, its join
    of the calls and its rows cost ~1.3 ms of the step page (issue 23)."""
    if application.organisation_id is None:  # the staff's preview
        return []
    found = compiled_rows(
        "earlier files",
        lambda organisation_id: _earlier_listed(organisation_id, programme_code),
        application.organisation_id,
        key=(programme_code,),
    )
    for earlier in found:
        titles = [getattr(earlier, f"call_{name}") for name in _CALL_TITLES]
        earlier.call = Call.from_db(
            DEFAULT_DB_ALIAS, ["id", *_CALL_TITLES], [earlier.call_id, *titles]
        )
    return found


_CALL_TITLES = ("title_fr", "title_en", "title_de")


def funding_terms(call: Call) -> str:
    """The call's rate and ceiling in the reader's language ("Taux de financement : 50 %.
    Plafond : 100 000 € par dossier.")."""
    terms = [str(_("Funding rate: %(rate)s.") % {"rate": format_percent(call.funding_rate)})]
    if call.ceiling_per_file is not None:
        terms.append(
            str(
                _("Ceiling: %(ceiling)s per file.")
                % {"ceiling": format_amount(call.ceiling_per_file)}
            )
        )
    return " ".join(terms)


def maximum_amount(call: Call, total: Decimal) -> Decimal:
    """The call's funding rate applied to the budget, capped by its ceiling per file."""
    cap = (total * call.funding_rate / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if call.ceiling_per_file is not None:
        cap = min(cap, call.ceiling_per_file)
    return cap


# ---------------------------------------------------------------------------------------------
# One field per question


def _bounds(question: Question, **defaults) -> dict:
    low = question.options.get("min", defaults.get("min_value"))
    high = question.options.get("max", defaults.get("max_value"))
    bounds = {}
    if low is not None:
        bounds["min_value"] = Decimal(str(low)) if isinstance(low, float) else low
    if high is not None:
        bounds["max_value"] = Decimal(str(high)) if isinstance(high, float) else high
    return bounds


def expert_field(code: str, **kwargs) -> PickerChoiceField:
    """A choice among the experts a file of programme `code` may choose today, in the picker
    (the applicant's expert question; the manager's choice where the applicant let the AdN
    choose: applications/forms/staff.py)."""
    today = timezone.localdate()
    field = PickerChoiceField(
        queryset=listed_experts(code, today),
        details=expert_details,
        source=offered_experts(code, today),
        **kwargs,
    )
    field.label_from_instance = lambda expert: expert.organisation.name
    return field


def question_field(question: Question, application: Application) -> forms.Field:
    """The Django field that asks `question` of this file (its choices may depend on the
    file: the experts of its programme, its organisation's earlier files)."""
    kind, options = question.kind, question.options
    common = {"label": question.label_text, "required": question.required}
    if question.help:
        common["help_text"] = question.help_text
    if kind == Kind.SHORT_TEXT:
        return forms.CharField(max_length=options.get("max_length", DEFAULT_SHORT_LENGTH), **common)
    if kind == Kind.EMAIL:
        return forms.EmailField(**common)
    if kind == Kind.LONG_TEXT:
        from adn_portal.lib.text import LongTextField

        limit = options.get("limit", "long")
        field = LongTextField(
            kind=limit if isinstance(limit, str) else "long",
            rows=2 if limit == "brief" else 4,
            **common,
        )
        field.limit = text_limit(question)
        return field
    if kind == Kind.NUMBER:
        if options.get("integer"):
            return forms.IntegerField(**_bounds(question), **common)
        return LocalizedDecimalField(max_digits=14, decimal_places=2, **_bounds(question), **common)
    if kind == Kind.AMOUNT:
        if question.role == Role.AMOUNT_REQUESTED and not question.help:
            common["help_text"] = funding_terms(application.call)
        return AmountField(**_bounds(question), **common)
    if kind == Kind.PERCENTAGE:
        return LocalizedDecimalField(
            max_digits=5,
            decimal_places=2,
            **_bounds(question, min_value=0, max_value=100),
            **common,
        )
    if kind == Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == Kind.CHOICE:
        return forms.ChoiceField(choices=_choices(question), widget=forms.RadioSelect, **common)
    if kind == Kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == Kind.CHECKBOX:
        return forms.BooleanField(**common)
    if kind == Kind.YES_NO:
        return YesNoField(**common)
    if kind == Kind.EXPERT:
        return expert_field(options.get("programme") or application.programme.code, **common)
    if kind == Kind.EARLIER_FILE:
        code = options.get("programme", "")
        field = ListedChoiceField(
            queryset=earlier_files(application, code).select_related("call"),
            listed=lambda: earlier_files_listed(application, code),
            **common,
        )
        field.label_from_instance = lambda a: f"{a.reference} · {a.call.title}"
        return field
    if kind == Kind.TABLE:
        return TableField(columns=question.columns, rows=options.get("rows", 10), **common)
    raise ValueError(kind)


def _choices(question: Question) -> list[tuple[str, str]]:
    from programs.application_forms import text

    return [(value, text(label)) for value, label in question.choices]


# ---------------------------------------------------------------------------------------------
# The step's form


class StepForm(forms.Form):
    """A step knows its application, so that choices and limits can depend on the call. Its
    plain widgets are written in Python (forms/rendering.py: the same HTML as Django's
    templates, for less CPU: a step page is drawn afresh for each person)."""

    default_renderer = python_widgets

    def __init__(self, *args, application: Application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)


class GeneratedStepForm(StepForm):
    """The form of one step of a form version (`step`: applications.steps.Step)."""

    step = None  # set on each step's class (Step.form_class)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in self.step.definition.answers:
            field = question_field(question, self.application)
            if question.show_if:
                field.widget.attrs["data-show-if"] = json.dumps(question.show_if)
            self.fields[question.name] = field

    # -- roles ---------------------------------------------------------------------------

    def named(self, role: str) -> list[str]:
        return [q.name for q in self.step.definition.answers if q.role == role]

    def _one(self, role: str) -> str | None:
        names = self.named(role)
        return names[0] if names else None

    # -- conditional questions --------------------------------------------------------------

    def _clean_fields(self):
        super()._clean_fields()
        # A question whose condition is not met is neither required nor stored.
        for question in self.step.definition.answers:
            if question.show_if and not question.shown(self.cleaned_data):
                self._errors.pop(question.name, None)
                self.cleaned_data.pop(question.name, None)

    # -- rules across questions ------------------------------------------------------------

    def clean(self):
        data = super().clean()
        self._expert_or_adn(data)
        self._duration(data)
        self._dates(data)
        self._amount_within_cap(data)
        return data

    def _expert_or_adn(self, data: dict) -> None:
        expert, adn = self._one(Role.EXPERT), self._one(Role.LET_ADN_CHOOSE)
        # The expert may be left to the AdN (when the form offers it); else one is needed.
        optional = expert and adn and not self.fields[expert].required
        if optional and not data.get(expert) and not data.get(adn):
            self.add_error(expert, _("Choose an expert, or let the AdN choose one for you."))

    def _duration(self, data: dict) -> None:
        name = self._one(Role.DURATION_MONTHS)
        limit = self.application.call.max_duration_months
        if name and data.get(name) and limit and data[name] > limit:
            self.add_error(
                name, _("This call funds projects of %(limit)s months at most.") % {"limit": limit}
            )

    def _dates(self, data: dict) -> None:
        start, end = self._one(Role.START_DATE), self._one(Role.END_DATE)
        if start and end and data.get(start) and data.get(end) and data[end] < data[start]:
            self.add_error(end, _("The end cannot come before the start."))

    def costs(self) -> list[str]:
        """The questions whose amounts make the budget's total (amounts, or a table)."""
        return self.named(Role.BUDGET_COST) + self.named(Role.TOTAL_BUDGET)

    def _total_of(self, values: dict) -> Decimal | None:
        amounts = []
        for name in self.costs():
            value = values.get(name)
            if isinstance(self.fields[name], TableField) and value is not None:
                value = self.fields[name].total(value)
            amounts.append(value)
        if not amounts or None in amounts:
            return None
        return sum(amounts, Decimal(0))

    def _amount_within_cap(self, data: dict) -> None:
        name = self._one(Role.AMOUNT_REQUESTED)
        if not name or data.get(name) is None:
            return
        total = self._total_of(data) if self.costs() else self.application.total_budget
        if total is None:
            return
        cap = maximum_amount(self.application.call, total)
        if data[name] > cap:
            self.add_error(
                name,
                _(
                    "The amount requested cannot exceed %(cap)s (the call's rate and ceiling applied to a budget of %(total)s)."
                )
                % {"cap": format_amount(cap), "total": format_amount(total)},
            )

    def total(self) -> dict | None:
        """What the page shows under the costs and its script keeps up to date: their total and
        the most the applicant may ask for it (`costs`: the costs' boxes; `rate`, `ceiling`:
        plain numbers). None for a step without a budget."""
        if not self.costs() or not self._one(Role.AMOUNT_REQUESTED):
            return None
        call = self.application.call
        boxes, blank_is_zero, typed = [], [], {}
        for name in self.costs():
            field, bound = self.fields[name], self[name]
            if isinstance(field, TableField):
                boxes += field.amount_boxes(bound.auto_id)
                blank_is_zero += field.amount_boxes(bound.auto_id)
            else:
                boxes.append(bound.auto_id)
            try:
                typed[name] = field.clean(bound.value())
            except forms.ValidationError:
                typed[name] = None
        total = self._total_of(typed)
        return {
            "costs": boxes,
            "blank_is_zero": blank_is_zero,
            "rate": str(call.funding_rate),
            "ceiling": "" if call.ceiling_per_file is None else str(call.ceiling_per_file),
            "total": total,
            "maximum": None if total is None else maximum_amount(call, total),
        }
