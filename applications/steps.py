"""The application form, step by step. The call's programme picks the steps; the call's
`form_sections` may leave some out (a call setting). Each step is a plain Django form whose
cleaned data is stored as JSON in `Application.data[step.slug]`."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Expert
from programs.models import Call, FormSection, Programme

from .models import Application
from .workflow import Status

TEXTAREA = forms.Textarea(attrs={"rows": 4})


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
    activity = forms.CharField(label=_("Your activity"), widget=TEXTAREA)
    challenges = forms.CharField(
        label=_("Your challenges"), widget=TEXTAREA, help_text=_("What would you like to improve?")
    )
    available_data = forms.CharField(label=_("Data you have"), widget=TEXTAREA)
    maturity = forms.ChoiceField(
        label=_("Your AI maturity"), choices=Maturity.CHOICES, widget=forms.RadioSelect
    )
    expected_benefits = forms.CharField(label=_("Expected benefits"), widget=TEXTAREA)


def _listed_for_programme(code: str, today):
    # The JSON list is mirrored in facet rows, which every database can filter.
    return (
        Expert.objects.publicly_listed(today=today)
        .filter(facets__kind="programme", facets__value=code)
        .select_related("organisation")
        .order_by("organisation__name")
    )


class ExpertStep(StepForm):
    expert = forms.ModelChoiceField(
        label=_("Preferred recognised expert"),
        queryset=Expert.objects.none(),
        required=False,
        help_text=_("Browse the directory of recognised experts to choose."),
    )
    let_adn_choose = forms.BooleanField(
        label=_("Let the AdN choose an expert for me"), required=False
    )
    availability = forms.CharField(
        label=_("Your availability for the 5 days"), widget=forms.Textarea(attrs={"rows": 2})
    )

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
    use_case = forms.CharField(label=_("Use case"), widget=TEXTAREA)
    earlier_application = forms.ModelChoiceField(
        label=_("Earlier Start IA file"),
        queryset=Application.objects.none(),
        required=False,
        help_text=_("If your project builds on a Start IA action plan."),
    )
    objectives = forms.CharField(label=_("Objectives and indicators (KPIs)"), widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["earlier_application"].queryset = earlier_files(
            self.application, Programme.Code.START_IA
        )
        self.fields["earlier_application"].label_from_instance = lambda a: (
            f"{a.reference} · {a.call.title}"
        )


class DataApproachStep(StepForm):
    data_sources = forms.CharField(label=_("Data sources"), widget=TEXTAREA)
    approach = forms.CharField(label=_("Technical approach"), widget=TEXTAREA)


class ProviderStep(ExpertStep):
    """Tremplin IA: the recognised provider is required, with a work plan and a duration."""

    work_plan = forms.CharField(label=_("Work plan"), widget=TEXTAREA)
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
    cost_personnel = forms.DecimalField(
        label=_("Internal staff (EUR)"), min_value=0, max_digits=12, decimal_places=2
    )
    cost_provider = forms.DecimalField(
        label=_("AI provider (EUR)"), min_value=0, max_digits=12, decimal_places=2
    )
    cost_equipment = forms.DecimalField(
        label=_("Equipment and software (EUR)"), min_value=0, max_digits=12, decimal_places=2
    )
    cost_other = forms.DecimalField(
        label=_("Other costs (EUR)"), min_value=0, max_digits=12, decimal_places=2
    )
    amount_requested = forms.DecimalField(
        label=_("Amount requested (EUR)"), min_value=0, max_digits=12, decimal_places=2
    )

    COSTS = ("cost_personnel", "cost_provider", "cost_equipment", "cost_other")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.application.call
        parts = [_("Funding rate: %(rate)s%%.") % {"rate": call.funding_rate.normalize()}]
        if call.ceiling_per_file is not None:
            parts.append(
                _("Ceiling: %(ceiling)s EUR.") % {"ceiling": call.ceiling_per_file.normalize()}
            )
        self.fields["amount_requested"].help_text = " ".join(str(p) for p in parts)

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
                    "The amount requested cannot exceed %(cap)s EUR (the call's rate and ceiling applied to a budget of %(total)s EUR)."
                )
                % {"cap": cap, "total": total},
            )
        return data


def maximum_amount(call: Call, total: Decimal) -> Decimal:
    """The call's funding rate applied to the budget, capped by its ceiling per file."""
    cap = (total * call.funding_rate / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if call.ceiling_per_file is not None:
        cap = min(cap, call.ceiling_per_file)
    return cap


class RoadmapStep(StepForm):
    roadmap = forms.CharField(label=_("Roadmap to production"), widget=TEXTAREA)


class SolutionStep(StepForm):
    solution = forms.CharField(label=_("The solution"), widget=TEXTAREA)
    target_market = forms.CharField(label=_("Target market or users"), widget=TEXTAREA)
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
    deployment_plan = forms.CharField(label=_("Deployment plan"), widget=TEXTAREA)


class DeclarationsStep(StepForm):
    gdpr_consent = forms.BooleanField(
        label=_("I agree that the AdN processes these data to handle the application (GDPR)."),
    )
    sworn_statement = forms.BooleanField(
        label=_("I declare on my honour that the information given is true and complete."),
    )


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
DECLARATIONS = Step("declarations", _("Declarations"), DeclarationsStep)

STEPS: dict[str, list[Step]] = {
    Programme.Code.START_IA: [
        ORGANISATION,
        CONTACT,
        Step("needs", _("Your needs"), NeedsStep, FormSection.CHALLENGES),
        Step("expert", _("Expert"), ExpertStep, FormSection.EXPERT),
        DOCUMENTS,
        DECLARATIONS,
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
        DECLARATIONS,
    ],
    Programme.Code.CAP_IA: [
        ORGANISATION,
        CONTACT,
        Step("solution", _("Solution"), SolutionStep, FormSection.PROJECT),
        Step("deployment", _("Deployment"), DeploymentStep, FormSection.ROADMAP),
        Step("budget", _("Budget"), BudgetStep, FormSection.BUDGET),
        DOCUMENTS,
        DECLARATIONS,
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


def describe(
    application: Application, data: dict | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The content of a file as a person reads it: each step's title, then each field's label
    and its value in words (choices by their label, yes/no, the chosen expert's name)."""
    data = application.data if data is None else data
    sections = []
    for step in steps_for(application.call):
        if step.is_documents or step.slug not in data:
            continue
        form = step.form_class(application=application)
        rows = []
        for name, field in form.fields.items():
            value = data[step.slug].get(name)
            if value in (None, ""):
                continue
            if isinstance(field, forms.BooleanField):
                shown = _("Yes") if value else _("No")
            elif isinstance(field, forms.ModelChoiceField):
                # The file carries the chosen expert and earlier file (already loaded).
                chosen = getattr(application, name, None)
                shown = str(
                    getattr(chosen, "organisation", None)
                    or getattr(chosen, "reference", None)
                    or value
                )
            elif getattr(field, "choices", None):
                shown = str(dict(field.choices).get(value, value))
            else:
                shown = str(value)
            rows.append((str(field.label), shown))
        sections.append((str(step.title), rows))
    return sections
