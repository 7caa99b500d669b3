"""The AI support programmes and their calls (docs/domain.md, Programmes and calls).

Knows nothing of organisations or files."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.i18n import localized
from adn_portal.lib.uploads import private_storage

from .application_forms import DefinitionError as FormDefinitionError
from .application_forms import FormDefinition
from .application_forms import parse as parse_form

# A telephone number as people write it: digits, spaces, dots, slashes, dashes, brackets and a
# leading +, e.g. "+32 81 77 80 80" or "081/77.80.80".
phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ./()-]{5,30}$", _("Enter a telephone number, e.g. +32 81 77 80 80.")
)


class Contact(models.Model):
    """Whom applicants write to or call about a programme or a call."""

    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(
        _("contact telephone"), max_length=32, blank=True, validators=[phone_validator]
    )

    class Meta:
        abstract = True


class Programme(Contact):
    class Code(models.TextChoices):
        # The code starts every reference number: START-2026-0042.
        START_IA = "START", "Start IA"
        TREMPLIN_IA = "TREMPLIN", "Tremplin IA"
        CAP_IA = "CAP", "Cap IA"

    code = models.CharField(_("code"), max_length=16, choices=Code.choices, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    tagline_fr = models.CharField(_("tagline (FR)"), max_length=200)
    tagline_en = models.CharField(_("tagline (EN)"), max_length=200, blank=True)
    tagline_de = models.CharField(_("tagline (DE)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (FR)"))
    description_en = models.TextField(_("description (EN)"), blank=True)
    description_de = models.TextField(_("description (DE)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position on the path"), default=0)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The programme an organisation usually completes before this one."),
    )

    tagline = localized("tagline")
    description = localized("description")

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("programs:programme_detail", kwargs={"slug": self.slug})


@deconstructible
class ChoiceListValidator:
    """Validate a JSON list holding values of `choices`, each at most once."""

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices

    def __call__(self, value) -> None:
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list."))
        unknown = [v for v in value if v not in self.choices.values]
        if unknown:
            raise ValidationError(
                _("Unknown values: %(values)s"), params={"values": ", ".join(map(str, unknown))}
            )
        if len(set(value)) != len(value):
            raise ValidationError(_("A value is listed twice."))

    def __eq__(self, other) -> bool:
        return isinstance(other, ChoiceListValidator) and other.choices is self.choices


class Audience(models.TextChoices):
    SME = "sme", _("SMEs")
    LARGE_COMPANY = "large_company", _("Large companies")
    STARTUP = "startup", _("Start-ups")
    PUBLIC_BODY = "public_body", _("Public bodies")


class EligibilityRule(models.TextChoices):
    """The checks a call applies at submission (docs/domain.md, Organisations and eligibility);
    run by the applications app."""

    WALLOON_SEAT = "walloon_seat", _("Registered seat in Wallonia")
    AUDIENCE_KIND = "audience_kind", _("Organisation kind is in the call's audience")
    SME_SIZE = "sme_size", _("Organisation is an SME")
    NO_OTHER_OPEN_FILE = "no_other_open_file", _("No other open file in the same programme")
    EARLIER_FILE_REQUIRED = "earlier_file_required", _("An earlier file of the previous programme")
    EXPERT_RECOGNISED = "expert_recognised", _("The chosen expert is recognised and active")


class FormSection(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    CONTACT = "contact", _("Contact person")
    CHALLENGES = "challenges", _("Activity and challenges")
    PROJECT = "project", _("Project")
    DATA = "data", _("Data")
    EXPERT = "expert", _("Recognised expert or provider")
    BUDGET = "budget", _("Budget and amount requested")
    ROADMAP = "roadmap", _("Roadmap to production")
    ATTACHMENTS = "attachments", _("Attachments")


class PaidTo(models.TextChoices):
    """Who the Region pays the grant of a call to (docs/domain.md, After selection)."""

    BENEFICIARY = (
        "beneficiary",
        _("The beneficiary: an advance on signature, the balance after the final report"),
    )
    EXPERT = "expert", _("The recognised expert company, once the diagnostic report is accepted")


class Instalment(models.TextChoices):
    ADVANCE = "advance", _("Advance on signature")
    BALANCE = "balance", _("Balance after the final report")
    DIAGNOSTIC = "diagnostic", _("The diagnostic, paid to the expert company")


def call_label(programme_name: str, title: str) -> str:
    """How lists name a call: its programme, then its title, the programme said once
    ("Start IA — PME et start-ups", whose title already starts with it)."""
    return title if title.startswith(programme_name) else f"{programme_name} — {title}"


class CallStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_at(self, when: datetime):
        return self.published().filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=when), opens_at__lte=when
        )

    def upcoming_at(self, when: datetime):
        return self.published().filter(opens_at__gt=when)

    def closed_at(self, when: datetime):
        return self.published().filter(closes_at__lte=when)

    def with_programme(self):
        return self.select_related("programme")


class Call(Contact):
    """A call for applications (appel). Every rule that is not public is a setting here.
    Its contact, when empty, is its programme's."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="calls"
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title_fr = models.CharField(_("title (FR)"), max_length=200)
    title_en = models.CharField(_("title (EN)"), max_length=200, blank=True)
    title_de = models.CharField(_("title (DE)"), max_length=200, blank=True)
    summary_fr = models.CharField(_("summary (FR)"), max_length=300)
    summary_en = models.CharField(_("summary (EN)"), max_length=300, blank=True)
    summary_de = models.CharField(_("summary (DE)"), max_length=300, blank=True)
    text_fr = models.TextField(_("text (FR)"))
    text_en = models.TextField(_("text (EN)"), blank=True)
    text_de = models.TextField(_("text (DE)"), blank=True)
    audiences = models.JSONField(
        _("audience"), default=list, validators=[ChoiceListValidator(Audience)]
    )

    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), null=True, blank=True, help_text=_("Leave empty for a rolling call.")
    )
    is_published = models.BooleanField(_("published"), default=True)

    budget_envelope = models.DecimalField(
        _("budget envelope (EUR)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    funding_rate = models.DecimalField(
        _("funding rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    ceiling_per_file = models.DecimalField(
        _("ceiling per file (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty when the call sets no ceiling."),
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("maximum duration (months)"), null=True, blank=True
    )
    expert_days = models.PositiveSmallIntegerField(_("expert days"), null=True, blank=True)
    expert_day_rate = models.DecimalField(
        _("expert day rate (EUR)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    expert_required = models.BooleanField(_("a recognised expert is required"), default=False)
    eligibility_rules = models.JSONField(
        _("eligibility checks"), default=list, validators=[ChoiceListValidator(EligibilityRule)]
    )
    form_sections = models.JSONField(
        _("form sections"), default=list, validators=[ChoiceListValidator(FormSection)]
    )
    # The payment schedule (docs/domain.md, After selection): settings, never constants.
    paid_to = models.CharField(
        _("payments go to"), max_length=16, choices=PaidTo.choices, default=PaidTo.BENEFICIARY
    )
    advance_percent = models.DecimalField(
        _("advance on signature (% of the grant)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The rest is paid after the final report is approved."),
    )
    interim_report_months = models.PositiveSmallIntegerField(
        _("interim report due (months after the start)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the call asks for no interim report."),
    )
    pass_mark = models.DecimalField(
        _("pass mark (% of the maximum score)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # The review form's current version, and whether a review answered it (then staff's
    # changes make the next version: programs.services.review_criteria_save).
    review_version = models.PositiveSmallIntegerField(
        _("version of the review form"), default=1, editable=False
    )
    review_version_frozen = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    title = localized("title")
    summary = localized("summary")
    text = localized("text")

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(funding_rate__gte=0, funding_rate__lte=100),
                name="call_funding_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100), name="call_pass_mark_percent"
            ),
            models.CheckConstraint(
                condition=Q(advance_percent__gte=0, advance_percent__lte=100),
                name="call_advance_percent",
            ),
            models.CheckConstraint(
                condition=Q(budget_envelope__gte=0), name="call_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ceiling_per_file__isnull=True) | Q(ceiling_per_file__gte=0),
                name="call_ceiling_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["opens_at", "closes_at"], name="call_window_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("programs:call_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The call must close after it opens.")})

    @property
    def is_rolling(self) -> bool:
        return self.closes_at is None

    def status_at(self, when: datetime | None = None) -> CallStatus:
        """Open, upcoming or closed, from the dates alone: a call closes itself at its deadline."""
        when = when or timezone.now()
        if when < self.opens_at:
            return CallStatus.UPCOMING
        if self.closes_at is not None and when >= self.closes_at:
            return CallStatus.CLOSED
        return CallStatus.OPEN

    @property
    def status(self) -> CallStatus:
        return self.status_at()

    def is_open_at(self, when: datetime | None = None) -> bool:
        return self.status_at(when) == CallStatus.OPEN

    @property
    def label(self) -> str:
        return call_label(self.programme.name, self.title)

    @property
    def contact(self) -> tuple[str, str]:
        """(e-mail, telephone) to show: the call's own, or its programme's."""
        if self.contact_email or self.contact_phone:
            return self.contact_email, self.contact_phone
        return self.programme.contact_email, self.programme.contact_phone

    def get_audience_labels(self) -> list[str]:
        return [Audience(value).label for value in self.audiences]

    def get_eligibility_labels(self) -> list[str]:
        return [EligibilityRule(value).label for value in self.eligibility_rules]

    def payment_schedule(self) -> list[tuple[Instalment, Decimal]]:
        """The instalments of a grant and the share (%) of the grant each pays."""
        if self.paid_to == PaidTo.EXPERT:
            return [(Instalment.DIAGNOSTIC, Decimal("100"))]
        schedule = [(Instalment.ADVANCE, self.advance_percent)] if self.advance_percent else []
        return [*schedule, (Instalment.BALANCE, Decimal("100") - self.advance_percent)]


class CriterionQuerySet(models.QuerySet):
    def current(self):
        """The criteria of their call's current review form (older versions are kept for the
        reviews that answered them)."""
        return self.filter(version=models.F("call__review_version"))


class ScoringCriterion(models.Model):
    """One line of a call's review form (docs/domain.md, Reviews): reviewers score it on its
    scale, multiplied by its weight. A version of the form is frozen once a review answered it:
    staff's changes then make the next version (programs.services.review_criteria_save), and
    each review keeps the criteria it answered."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    version = models.PositiveSmallIntegerField(_("version of the review form"), default=1)
    label_fr = models.CharField(_("label (FR)"), max_length=200)
    label_en = models.CharField(_("label (EN)"), max_length=200, blank=True)
    label_de = models.CharField(_("label (DE)"), max_length=200, blank=True)
    guidance_fr = models.TextField(_("guidance for reviewers (FR)"), max_length=2000, blank=True)
    guidance_en = models.TextField(_("guidance for reviewers (EN)"), max_length=2000, blank=True)
    guidance_de = models.TextField(_("guidance for reviewers (DE)"), max_length=2000, blank=True)
    scale_min = models.PositiveSmallIntegerField(
        _("lowest score"), default=0, validators=[MaxValueValidator(99)]
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    label = localized("label")
    guidance = localized("guidance")

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["call", "version", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max"), scale_max__lte=100),
                name="criterion_scale_ordered",
            ),
        ]
        indexes = [models.Index(fields=["call", "version"], name="criterion_version_idx")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if None not in (self.scale_min, self.scale_max) and self.scale_min >= self.scale_max:
            raise ValidationError({"scale_max": _("The highest score must be above the lowest.")})

    @property
    def maximum(self) -> Decimal:
        """The most this criterion adds to a review's weighted total."""
        return self.scale_max * self.weight


class ProgrammeStaff(models.Model):
    """Which programmes a staff member works on: reviewers and managers see only these."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_roles"
    )

    class Meta:
        verbose_name = _("programme staff member")
        verbose_name_plural = _("programme staff")
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="programme_staff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.programme}"


class CallDocument(models.Model):
    """A document staff offer on a call's page (regulations, templates, budget model): public
    once the call is, kept in the private storage and served by a view (docs/domain.md,
    Programmes and calls)."""

    class Kind(models.TextChoices):
        REGULATIONS = "regulations", _("Regulations")
        TEMPLATE = "template", _("Template")
        BUDGET_MODEL = "budget_model", _("Budget model")
        OTHER = "other", _("Other document")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title_fr = models.CharField(_("title (FR)"), max_length=200)
    title_en = models.CharField(_("title (EN)"), max_length=200, blank=True)
    title_de = models.CharField(_("title (DE)"), max_length=200, blank=True)
    file = models.FileField(_("file"), storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    title = localized("title")

    class Meta:
        verbose_name = _("call document")
        verbose_name_plural = _("call documents")
        ordering = ["call", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "programs:call_document", kwargs={"slug": self.call.slug, "document_pk": self.pk}
        )

    @property
    def format_label(self) -> str:
        """PDF, DOCX, XLSX…: the type read from its content when it was stored."""
        return self.file.name.rpartition(".")[2].upper()


class CallQuestion(models.Model):
    """One entry of a call's FAQ, in the order staff give."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="questions"
    )
    question_fr = models.CharField(_("question (FR)"), max_length=300)
    question_en = models.CharField(_("question (EN)"), max_length=300, blank=True)
    question_de = models.CharField(_("question (DE)"), max_length=300, blank=True)
    answer_fr = models.TextField(_("answer (FR)"), max_length=5000)
    answer_en = models.TextField(_("answer (EN)"), max_length=5000, blank=True)
    answer_de = models.TextField(_("answer (DE)"), max_length=5000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    question = localized("question")
    answer = localized("answer")

    class Meta:
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")
        ordering = ["call", "position", "pk"]

    def __str__(self) -> str:
        return self.question


class FormVersion(models.Model):
    """One version of a call's application form, as data (programs/application_forms: its
    steps and questions). Files answer the version current when they were started; once a
    file answering it is submitted, staff's changes make the next version (the applications'
    service `application_form_save`), so a submitted file is shown with its own questions
    forever."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="form_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application form version")
        verbose_name_plural = _("application form versions")
        ordering = ["call", "number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="form_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="form_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} v{self.number}"

    @cached_property
    def form(self) -> "FormDefinition":
        """The definition read (checked when it was saved: `clean`)."""
        return parse_form(self.definition)

    def clean(self) -> None:
        try:
            parse_form(self.definition)
        except FormDefinitionError as error:
            raise ValidationError({"definition": error.problems}) from error
