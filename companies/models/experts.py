"""Recognised AI experts: the public profile of an expert company, the rows the directory
filters on, and the history of its recognition (docs/domain.md, Recognised experts). The
recognition's statuses and moves are in companies/workflow.py."""

from datetime import date

from django.conf import settings
from django.contrib.postgres.search import SearchVectorExact
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.i18n import localized
from adn_portal.lib.names import validate_plain_name
from programs.models import Programme

from ..workflow import RecognitionAction, RecognitionStatus
from .organisations import Organisation


class Speciality(models.TextChoices):
    COMPUTER_VISION = "computer_vision", _("Computer vision")
    NLP_GENAI = "nlp_genai", _("NLP and generative AI")
    FORECASTING = "forecasting", _("Forecasting and predictive maintenance")
    OPTIMISATION = "optimisation", _("Optimisation")
    PROCESS_AUTOMATION = "process_automation", _("Process automation")
    DATA_ENGINEERING = "data_engineering", _("Data engineering")
    RECOMMENDER = "recommender", _("Recommender systems")
    STRATEGY = "strategy", _("AI strategy and governance")
    SPEECH = "speech", _("Speech and audio")
    ROBOTICS = "robotics", _("Robotics and embedded AI")


class Sector(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing and industry 4.0")
    LOGISTICS = "logistics", _("Transport and logistics")
    RETAIL = "retail", _("Retail and e-commerce")
    HEALTH = "health", _("Health and life sciences")
    AGRIFOOD = "agrifood", _("Agriculture and food")
    CONSTRUCTION = "construction", _("Construction and real estate")
    ENERGY = "energy", _("Energy and environment")
    FINANCE = "finance", _("Finance and insurance")
    PUBLIC = "public", _("Public sector")
    SERVICES = "services", _("Business services")
    TOURISM = "tourism", _("Tourism and culture")
    ICT = "ict", _("ICT and media")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    DUTCH = "nl", _("Dutch")
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


class SearchVectorColumn(models.Field):
    """PostgreSQL's tsvector (text on SQLite) with its `@@` lookup (`exact` with a
    SearchQuery). Not contrib.postgres's SearchVectorField, which wants that app installed for
    what the directory does not use."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


SearchVectorColumn.register_lookup(SearchVectorExact)


class SearchDocument(Func):
    """The folded search text as PostgreSQL's full-text vector ("simple": no stemming; the
    directory searches word prefixes), stored by the database beside the text so that a
    search reads it instead of computing it for every expert. SQLite has no such type: there
    the column holds the text itself, which the directory searches with LIKE."""

    output_field = SearchVectorColumn()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="to_tsvector('simple'::regconfig, COALESCE(%(expressions)s, ''))",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])


class DescriptionDocument(Func):
    """The three descriptions' words as PostgreSQL's full-text vector, each under its own
    language's configuration, stored by the database so that the Start IA matching
    (applications/matching) reads it instead of stemming every candidate's descriptions on
    every view. SQLite's matching reads no such vector: there the column is empty."""

    output_field = SearchVectorColumn()

    def __init__(self, **extra):
        super().__init__("description_fr", "description_en", "description_de", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        french, english, german = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        sql = (
            f"to_tsvector('french'::regconfig, {french[0]})"
            f" || to_tsvector('english'::regconfig, {english[0]})"
            f" || to_tsvector('german'::regconfig, {german[0]})"
        )
        return sql, [*french[1], *english[1], *german[1]]

    def as_sqlite(self, compiler, connection, **extra):
        return "''", []


class ExpertQuerySet(models.QuerySet):
    def publicly_listed(self, *, today: date):
        """The recognitions active on `today`: active status, started (a recognition counts from
        its start date, never before) and not past the end date (the beat task also flips them
        to expired, this guard covers the hours in between)."""
        return self.filter(
            status=RecognitionStatus.ACTIVE, recognised_from__lte=today, recognised_until__gte=today
        )

    def with_organisation(self):
        return self.select_related("organisation")


class Expert(models.Model):
    """An expert company: its public profile (the accepted version) and its recognition."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="expert"
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    status = models.CharField(
        _("recognition status"),
        max_length=20,
        choices=RecognitionStatus.choices,
        default=RecognitionStatus.SUBMITTED,
    )
    recognised_from = models.DateField(_("recognised from"), null=True, blank=True)
    recognised_until = models.DateField(_("recognised until"), null=True, blank=True)
    # Idempotent reminder: the end date the renewal reminder was sent for.
    reminder_sent_for = models.DateField(null=True, blank=True, editable=False)

    description_fr = models.TextField(_("description (FR)"))
    description_en = models.TextField(_("description (EN)"), blank=True)
    description_de = models.TextField(_("description (DE)"), blank=True)
    specialities = models.JSONField(_("AI specialities"), default=list)
    sectors = models.JSONField(_("sectors served"), default=list)
    languages = models.JSONField(_("working languages"), default=list)
    programmes = models.JSONField(_("programmes it may deliver"), default=list)
    team_size = models.PositiveIntegerField(_("AI team size"), validators=[MinValueValidator(1)])
    logo = models.ImageField(_("logo"), upload_to="experts/logos/", blank=True)
    public_email = models.EmailField(_("public contact e-mail"))
    public_phone = models.CharField(_("public contact phone"), max_length=32, blank=True)
    files_delivered = models.PositiveIntegerField(_("files delivered"), default=0)
    search_text = models.TextField(editable=False, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchDocument("search_text"),
        output_field=SearchVectorColumn(),
        db_persist=True,
    )
    description_vector = models.GeneratedField(
        expression=DescriptionDocument(),
        output_field=SearchVectorColumn(),
        db_persist=True,
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    description = localized("description")
    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert company")
        verbose_name_plural = _("expert companies")
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="active")
                | Q(recognised_from__isnull=False, recognised_until__isnull=False),
                name="expert_active_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(recognised_until__isnull=True)
                | Q(recognised_until__gte=models.F("recognised_from")),
                name="expert_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "recognised_until"], name="expert_listing_idx")]

    def __str__(self) -> str:
        return self.organisation.name

    def get_absolute_url(self) -> str:
        return reverse("companies:expert_detail", kwargs={"slug": self.slug})

    def is_listed_on(self, today: date) -> bool:
        """The same rule as `ExpertQuerySet.publicly_listed`, for one expert."""
        return (
            self.status == RecognitionStatus.ACTIVE
            and self.recognised_from is not None
            and self.recognised_until is not None
            and self.recognised_from <= today <= self.recognised_until
        )

    @property
    def changes_reviewed(self) -> bool:
        """Whether changes to its public profile wait for staff (`REVIEWED_FIELDS`): before the
        first decision staff review the whole application anyway."""
        return self.status not in {RecognitionStatus.SUBMITTED, RecognitionStatus.INFO_REQUESTED}

    def starts_after(self, today: date) -> bool:
        """Recognised, but from a later day."""
        return (
            self.status == RecognitionStatus.ACTIVE
            and self.recognised_from is not None
            and self.recognised_from > today
        )

    def speciality_labels(self) -> list[str]:
        return known_labels(self.specialities, Speciality)

    def sector_labels(self) -> list[str]:
        return known_labels(self.sectors, Sector)

    def language_labels(self) -> list[str]:
        return known_labels(self.languages, Language)

    def programme_labels(self) -> list[str]:
        return known_labels(self.programmes, Programme.Code)


def known_codes(values, choices: type[models.TextChoices]) -> list[str]:
    """The stored codes that are choices today. A public page never fails on a stored value:
    before the API checked them, these lists could hold anything (a string, a number, codes
    since removed)."""
    if not isinstance(values, list):
        return []
    return [value for value in values if isinstance(value, str) and value in choices.values]


def known_labels(values, choices: type[models.TextChoices]) -> list[str]:
    return [choices(value).label for value in known_codes(values, choices)]


class ExpertFacet(models.Model):
    """One row per (expert, speciality|sector|language|province): lets the directory filter and
    count per option in SQL on SQLite and PostgreSQL alike. Rebuilt by services on each change."""

    class Kind(models.TextChoices):
        SPECIALITY = "speciality"
        SECTOR = "sector"
        LANGUAGE = "language"
        PROVINCE = "province"
        PROGRAMME = "programme"

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expert", "kind", "value"], name="expert_facet_unique")
        ]
        indexes = [models.Index(fields=["kind", "value"], name="expert_facet_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class ExpertReference(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="references")
    client = models.CharField(_("client"), max_length=200, validators=[validate_plain_name])
    summary = models.TextField(_("what was delivered"))
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return f"{self.client} ({self.year})"


class RecognitionEvent(models.Model):
    """Every decision on a recognition: who, when, from, to, why. Never edited."""

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, choices=RecognitionAction.choices)
    from_status = models.CharField(max_length=20, choices=RecognitionStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RecognitionStatus.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the scheduled tasks."),
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("recognition event")
        verbose_name_plural = _("recognition events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.expert} · {self.get_action_display()}"


# What the public sees of a company once it is listed: changes wait for staff review (a company
# once renamed itself as the AdN, with a phishing website, live at once).
IDENTITY_FIELDS = ("name", "website", "logo", "public_email", "public_phone")
REVIEWED_FIELDS = (
    *IDENTITY_FIELDS,
    "description_fr",
    "description_en",
    "description_de",
    "specialities",
)
# The company's public name and website are its organisation's.
ORGANISATION_IDENTITY = ("name", "website")


class ProfileChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class ExpertProfileChange(models.Model):
    """A proposed change to the public profile, waiting for staff: the whole proposed state of
    the reviewed fields (public identity, description, specialities)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="profile_changes")
    # The company's public name and website are its organisation's.
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_name])
    website = models.URLField(_("website"), blank=True)
    # Not under the public logo URL until accepted: expert_logo serves Expert.logo only.
    logo = models.ImageField(_("logo"), upload_to="experts/logos/", blank=True)
    public_email = models.EmailField(_("public contact e-mail"))
    public_phone = models.CharField(_("public contact phone"), max_length=32, blank=True)
    description_fr = models.TextField(_("description (FR)"))
    description_en = models.TextField(_("description (EN)"), blank=True)
    description_de = models.TextField(_("description (DE)"), blank=True)
    specialities = models.JSONField(_("AI specialities"), default=list)
    status = models.CharField(
        max_length=16, choices=ProfileChangeStatus.choices, default=ProfileChangeStatus.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        constraints = [
            models.UniqueConstraint(
                fields=["expert"], condition=Q(status="pending"), name="profile_change_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.status}"
