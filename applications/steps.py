"""The application form, step by step. The call's programme picks the steps; the call's
`form_sections` may leave some out (a call setting). Each step is a plain Django form whose
cleaned data is stored as JSON in `Application.data[step.slug]`."""

import contextlib
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.decimals import format_amount, format_decimal, format_percent
from companies.models import Expert
from programs.models import Call, FormSection, Programme

from .forms.fields import AmountField, PickerChoiceField, brief_text, long_text
from .models import Application
from .workflow import Status


class StepForm(forms.Form):
    """A step knows its application, so that choices and limits can depend on the call."""

    def __init__(self, *args, application: Application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)


class OrganisationStep(StepForm):
    confirmed = forms.BooleanField(
        label=_("These details are correct and up to date"),
        help_text=_("They come from your organisation's profile: change them there if needed."),
    )


class ContactStep(StepForm):
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    contact_function = forms.CharField(label=_("Function"), max_length=150)
    contact_email = forms.EmailField(label=_("E-mail"))
    contact_phone = forms.CharField(label=_("Phone"), max_length=32)


class Maturity:
    CHOICES = [
        ("none", _("We have not used AI yet")),
        ("exploring", _("We are exploring")),
        ("first_projects", _("We ran first projects")),
        ("advanced", _("AI is part of our operations")),
    ]


class NeedsStep(StepForm):
    activity = long_text(_("Your activity"))
    challenges = long_text(_("Your challenges"), help_text=_("What would you like to improve?"))
    available_data = long_text(_("Data you have"))
    maturity = forms.ChoiceField(
        label=_("Your AI maturity"), choices=Maturity.CHOICES, widget=forms.RadioSelect
    )
    expected_benefits = long_text(_("Expected benefits"))


def _listed_for_programme(code: str, today):
    # The JSON list is mirrored in facet rows, which every database can filter.
    return (
        Expert.objects.publicly_listed(today=today)
        .filter(facets__kind="programme", facets__value=code)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def expert_details(expert: Expert) -> list[str]:
    """What the picker shows under an expert's name, to choose without leaving the form."""
    organisation = expert.organisation
    return [
        ", ".join(map(str, expert.speciality_labels())),
        f"{organisation.municipality} ({organisation.province_label})",
        ", ".join(map(str, expert.language_labels())),
    ]


class ExpertStep(StepForm):
    expert = PickerChoiceField(
        label=_("Preferred recognised expert"),
        queryset=Expert.objects.none(),
        required=False,
        details=expert_details,
        help_text=_("Search by name, speciality, province or language."),
    )
    let_adn_choose = forms.BooleanField(
        label=_("Let the AdN choose an expert for me"), required=False
    )
    availability = brief_text(_("Your availability for the 5 days"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = _listed_for_programme(
            self.application.programme.code, timezone.localdate()
        )
        self.fields["expert"].label_from_instance = lambda expert: expert.organisation.name

    def clean(self):
        data = super().clean()
        if not data.get("expert") and not data.get("let_adn_choose"):
            self.add_error("expert", _("Choose an expert, or let the AdN choose one for you."))
        return data


def earlier_files(application: Application, programme_code: str):
    return Application.objects.filter(
        organisation=application.organisation,
        programme__code=programme_code,
        reference__isnull=False,
    ).exclude(status__in=[Status.WITHDRAWN, Status.INELIGIBLE, Status.REJECTED])


class ProjectStep(StepForm):
    title = forms.CharField(label=_("Project title"), max_length=200)
    use_case = long_text(_("Use case"))
    earlier_application = forms.ModelChoiceField(
        label=_("Earlier Start IA file"),
        queryset=Application.objects.none(),
        required=False,
        help_text=_("If your project builds on a Start IA action plan."),
    )
    objectives = long_text(_("Objectives and indicators (KPIs)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["earlier_application"].queryset = earlier_files(
            self.application, Programme.Code.START_IA
        )
        self.fields["earlier_application"].label_from_instance = lambda a: (
            f"{a.reference} · {a.call.title}"
        )


class DataApproachStep(StepForm):
    data_sources = long_text(_("Data sources"))
    approach = long_text(_("Technical approach"))


class ProviderStep(ExpertStep):
    """Tremplin IA: the recognised provider is required, with a work plan and a duration."""

    work_plan = long_text(_("Work plan"))
    duration_months = forms.IntegerField(label=_("Duration (months)"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("let_adn_choose", "availability"):
            del self.fields[name]
        self.fields["expert"].label = _("Recognised AI provider")
        self.fields["expert"].required = True
        self.fields["expert"].help_text = _("Attach the provider's quote in the documents step.")

    def clean(self):
        data = forms.Form.clean(self)
        limit = self.application.call.max_duration_months
        if data.get("duration_months") and limit and data["duration_months"] > limit:
            self.add_error(
                "duration_months",
                _("This call funds projects of %(limit)s months at most.") % {"limit": limit},
            )
        return data


class BudgetStep(StepForm):
    cost_personnel = AmountField(label=_("Internal staff (EUR)"))
    cost_provider = AmountField(label=_("AI provider (EUR)"))
    cost_equipment = AmountField(label=_("Equipment and software (EUR)"))
    cost_other = AmountField(label=_("Other costs (EUR)"))
    amount_requested = AmountField(label=_("Amount requested (EUR)"))

    COSTS = ("cost_personnel", "cost_provider", "cost_equipment", "cost_other")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount_requested"].help_text = funding_terms(self.application.call)

    def total(self) -> dict:
        """What the page shows under the costs and its script keeps up to date: their total and
        the most the applicant may ask for it (`costs`, `rate` and `ceiling` for the script:
        the costs' boxes, and plain numbers)."""
        call = self.application.call
        costs = [self._typed(name) for name in self.COSTS]
        total = None if None in costs else sum(costs, Decimal(0))
        return {
            "costs": [self[name].auto_id for name in self.COSTS],
            "rate": str(call.funding_rate),
            "ceiling": "" if call.ceiling_per_file is None else str(call.ceiling_per_file),
            "total": total,
            "maximum": None if total is None else maximum_amount(call, total),
        }

    def _typed(self, name: str) -> Decimal | None:
        """The cost as the form holds it: read from a post, or the stored answer."""
        field = self.fields[name]
        value = self[name].value()
        try:
            return field.clean(value)
        except forms.ValidationError:
            return None

    def clean(self):
        data = super().clean()
        if (
            any(data.get(cost) is None for cost in self.COSTS)
            or data.get("amount_requested") is None
        ):
            return data
        total = sum(data[cost] for cost in self.COSTS)
        cap = maximum_amount(self.application.call, total)
        if data["amount_requested"] > cap:
            self.add_error(
                "amount_requested",
                _(
                    "The amount requested cannot exceed %(cap)s (the call's rate and ceiling applied to a budget of %(total)s)."
                )
                % {"cap": format_amount(cap), "total": format_amount(total)},
            )
        return data


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


class RoadmapStep(StepForm):
    roadmap = long_text(_("Roadmap to production"))


class SolutionStep(StepForm):
    solution = long_text(_("The solution"))
    target_market = long_text(_("Target market or users"))
    earlier_application = forms.ModelChoiceField(
        label=_("Earlier Tremplin IA file"), queryset=Application.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["earlier_application"].queryset = earlier_files(
            self.application, Programme.Code.TREMPLIN_IA
        )
        self.fields["earlier_application"].label_from_instance = lambda a: (
            f"{a.reference} · {a.call.title}"
        )


class DeploymentStep(StepForm):
    deployment_plan = long_text(_("Deployment plan"))


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


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[StepForm] | None  # None: the documents step (uploads, not a form)
    section: str | None = None  # the call's FormSection that includes it; None: always

    @property
    def is_documents(self) -> bool:
        return self.form_class is None


ORGANISATION = Step("organisation", _("Organisation"), OrganisationStep)
CONTACT = Step("contact", _("Contact person"), ContactStep)
DOCUMENTS = Step("documents", _("Documents"), None, FormSection.ATTACHMENTS)

STEPS: dict[str, list[Step]] = {
    Programme.Code.START_IA: [
        ORGANISATION,
        CONTACT,
        Step("needs", _("Your needs"), NeedsStep, FormSection.CHALLENGES),
        Step("expert", _("Expert"), ExpertStep, FormSection.EXPERT),
        DOCUMENTS,
    ],
    Programme.Code.TREMPLIN_IA: [
        ORGANISATION,
        CONTACT,
        Step("project", _("Project"), ProjectStep, FormSection.PROJECT),
        Step("data", _("Data and approach"), DataApproachStep, FormSection.DATA),
        Step("provider", _("Provider"), ProviderStep, FormSection.EXPERT),
        Step("budget", _("Budget"), BudgetStep, FormSection.BUDGET),
        Step("roadmap", _("Roadmap"), RoadmapStep, FormSection.ROADMAP),
        DOCUMENTS,
    ],
    Programme.Code.CAP_IA: [
        ORGANISATION,
        CONTACT,
        Step("solution", _("Solution"), SolutionStep, FormSection.PROJECT),
        Step("deployment", _("Deployment"), DeploymentStep, FormSection.ROADMAP),
        Step("budget", _("Budget"), BudgetStep, FormSection.BUDGET),
        DOCUMENTS,
    ],
}


def steps_for(call: Call) -> list[Step]:
    sections = set(call.form_sections)
    return [
        step
        for step in STEPS[call.programme.code]
        if step.section is None or step.section in sections
    ]


def step_by_slug(call: Call, slug: str) -> Step | None:
    return next((step for step in steps_for(call) if step.slug == slug), None)


def to_json(cleaned: dict) -> dict:
    """Form data as JSON: decimals as strings, model choices as their primary key."""
    result = {}
    for key, value in cleaned.items():
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "pk"):
            value = value.pk
        result[key] = value
    return result


def initial(application: Application, step: Step) -> dict:
    """A step's stored answers as its form's initial values. A complete step holds validated
    data (to_json: decimals as plain strings, read back as numbers so that the page writes them
    the reader's way); an incomplete one holds what was typed, shown as it was typed."""
    data = dict(application.step_data(step.slug))
    if step.slug not in application.completed_steps:
        return data
    for name, field in step.form_class.base_fields.items():
        if isinstance(field, forms.DecimalField) and isinstance(data.get(name), str):
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
    if value in (None, ""):
        return ""
    if isinstance(field, forms.BooleanField):
        return str(_("Yes") if value in (True, "on", "true", "True") else _("No"))
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


def answers(application: Application, data: dict | None = None) -> list[StepAnswers]:
    """Every form step of the file with each question and its answer in words, answered or
    not: what the review page lists before submission."""
    data = application.data if data is None else data
    result = []
    for step in steps_for(application.call):
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
                        long=isinstance(field.widget, forms.Textarea),
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
    for step in steps_for(application.call):
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
