"""Organisations (applicants and expert companies) and the recognition of AI experts.

Domain §2 and §4.

Knows nothing of application files."""

import hashlib
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.i18n import localized
from adn_portal.lib.names import validate_plain_name
from adn_portal.lib.uploads import private_storage
from programs.models import Audience, Programme

from .identifiers import NaceSection, Province, format_enterprise_number

# ---------------------------------------------------------------------------------------------
# Organisations


class OrganisationKind(models.TextChoices):
    SME = "sme", _("SME")
    LARGE_COMPANY = "large_company", _("Large company")
    STARTUP = "startup", _("Start-up")
    COMMUNE = "commune", _("Municipality")
    PROVINCE = "province", _("Province")
    CPAS = "cpas", _("CPAS")
    INTERCOMMUNALE = "intercommunale", _("Intercommunale")
    PUBLIC_HOSPITAL = "public_hospital", _("Public hospital")
    OTHER_PUBLIC_BODY = "other_public_body", _("Other public body")

    @property
    def audience(self) -> Audience:
        """Which audience of a call this kind of organisation belongs to."""
        return {
            self.SME: Audience.SME,
            self.LARGE_COMPANY: Audience.LARGE_COMPANY,
            self.STARTUP: Audience.STARTUP,
        }.get(self, Audience.PUBLIC_BODY)


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium-sized enterprise")
    LARGE = "large", _("Large enterprise")
    # Domain §6: 25 % or more held by public bodies, whatever the figures (companies/sme.py).
    PUBLIC_CONTROL = "public_control", _("Not an SME (public bodies hold at least 25 %)")


class PublicBodyException(models.TextChoices):
    """The investors of Recommendation 2003/361 art. 3(2) whose share, up to 50 %, does not
    stop an enterprise from being an SME."""

    VENTURE_CAPITAL = (
        "venture_capital",
        _(
            "Public investment company, venture capital company or business angels "
            "(less than €1,250,000 invested in the enterprise)"
        ),
    )
    UNIVERSITY = "university", _("University or non-profit research centre")
    INSTITUTIONAL_INVESTOR = (
        "institutional_investor",
        _("Institutional investor, including a regional development fund"),
    )
    SMALL_LOCAL_AUTHORITY = (
        "small_local_authority",
        _(
            "Local authority with a yearly budget under €10 million and fewer than 5,000 inhabitants"
        ),
    )


def size_class_for(
    *, headcount: Decimal | None, turnover: Decimal | None, balance_sheet: Decimal | None
) -> SizeClass | None:
    """EU Recommendation 2003/361: staff (full-time equivalents), and turnover OR balance sheet
    under the ceiling. None when the figures needed are missing. The figures are those the
    recommendation counts (partner and linked enterprises added: companies/sme.py)."""
    if headcount is None or (turnover is None and balance_sheet is None):
        return None

    def within(turnover_cap: int, balance_cap: int) -> bool:
        return (turnover is not None and turnover <= turnover_cap) or (
            balance_sheet is not None and balance_sheet <= balance_cap
        )

    million = 1_000_000
    if headcount < 10 and within(2 * million, 2 * million):
        return SizeClass.MICRO
    if headcount < 50 and within(10 * million, 10 * million):
        return SizeClass.SMALL
    if headcount < 250 and within(50 * million, 43 * million):
        return SizeClass.MEDIUM
    return SizeClass.LARGE


class Organisation(models.Model):
    name = models.CharField(_("legal name"), max_length=200, validators=[validate_plain_name])
    enterprise_number = models.CharField(
        _("enterprise number (BCE/KBO)"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[01]\d{9}$")],
        help_text=_("10 digits, e.g. 0202.239.951."),
    )
    kind = models.CharField(
        _("kind of organisation"), max_length=32, choices=OrganisationKind.choices
    )
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=4)
    # Derived from the postcode by services.organisation_* (never typed).
    municipality = models.CharField(_("municipality"), max_length=120)
    province = models.CharField(_("province"), max_length=32, choices=Province.choices)
    nace_codes = models.JSONField(_("NACE codes"), default=list, blank=True)
    sector = models.CharField(_("sector"), max_length=1, choices=NaceSection.choices, blank=True)
    # Annual work units: 18.5 is eighteen full-time people and one half-time.
    headcount = models.DecimalField(
        _("staff (full-time equivalents)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    turnover = models.DecimalField(
        _("annual turnover (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    balance_sheet = models.DecimalField(
        _("balance sheet total (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # Domain §6: a young enterprise without closed accounts gives good-faith estimates.
    estimated_figures = models.BooleanField(
        _("no closed accounts yet: these figures are estimates"), default=False
    )
    public_body_share = models.DecimalField(
        _("share held by public bodies (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    public_body_exception = models.CharField(
        _("exception for these public investors"),
        max_length=32,
        choices=PublicBodyException.choices,
        blank=True,
    )
    # Derived by services from the figures above and the related enterprises (never typed).
    size_class = models.CharField(
        _("size class"), max_length=16, choices=SizeClass.choices, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise_number__regex=r"^[01][0-9]{9}$"),
                name="organisation_bce_digits",
            ),
            models.CheckConstraint(
                condition=Q(turnover__isnull=True) | Q(turnover__gte=0),
                name="organisation_turnover_positive",
            ),
            models.CheckConstraint(
                condition=Q(balance_sheet__isnull=True) | Q(balance_sheet__gte=0),
                name="organisation_balance_positive",
            ),
            models.CheckConstraint(
                condition=Q(headcount__isnull=True) | Q(headcount__gte=0),
                name="organisation_headcount_positive",
            ),
            models.CheckConstraint(
                condition=Q(public_body_share__gte=0, public_body_share__lte=100),
                name="organisation_public_share_percent",
            ),
            models.CheckConstraint(
                condition=Q(public_body_exception="") | Q(public_body_share__gte=25),
                name="organisation_public_exception_needs_share",
            ),
        ]
        indexes = [
            models.Index(fields=["province"], name="organisation_province_idx"),
            models.Index(fields=["name"], name="organisation_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("companies:organisation_detail", kwargs={"pk": self.pk})

    @property
    def province_label(self) -> str:
        # get_province_display() hashes every choice on each call: ~0.1 ms a row in a list.
        return Province(self.province).label if self.province in Province.values else self.province

    @property
    def enterprise_number_display(self) -> str:
        return format_enterprise_number(self.enterprise_number)

    @property
    def in_wallonia(self) -> bool:
        return self.province != Province.OUTSIDE_WALLONIA

    @property
    def is_sme(self) -> bool:
        return self.size_class in SME_CLASSES

    @property
    def kind_conflict(self) -> str:
        """What staff should know when the declared kind and the size class computed from the
        figures disagree (an "SME" with 400 staff), else ''. Reads stored fields only."""
        if self.kind == OrganisationKind.SME and self.size_class == SizeClass.LARGE:
            return _(
                "Registered as an SME, but its figures (partner and linked enterprises "
                "included) make it a large enterprise."
            )
        if self.kind == OrganisationKind.SME and self.size_class == SizeClass.PUBLIC_CONTROL:
            return _(
                "Registered as an SME, but public bodies hold at least 25 %: it is not an SME "
                "under the EU definition."
            )
        if self.kind == OrganisationKind.LARGE_COMPANY and self.size_class in SME_CLASSES:
            return _(
                "Registered as a large company, but its figures make it an SME (%(size)s)."
            ) % {"size": SizeClass(self.size_class).label}
        return ""


SME_CLASSES = frozenset({SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM})


def kind_conflict_q() -> Q:
    """The organisations whose `kind_conflict` is not empty, as a filter."""
    return Q(
        kind=OrganisationKind.SME, size_class__in=[SizeClass.LARGE, SizeClass.PUBLIC_CONTROL]
    ) | Q(kind=OrganisationKind.LARGE_COMPANY, size_class__in=list(SME_CLASSES))


class EnterpriseRelation(models.TextChoices):
    PARTNER = "partner", _("Partner enterprise (25 % to 50 %)")
    LINKED = "linked", _("Linked enterprise (more than 50 %)")


class RelatedEnterprise(models.Model):
    """A partner or linked enterprise of an organisation (Recommendation 2003/361 art. 3): a
    share of its staff and figures, or all of them, count towards the organisation's size.
    Written only by services.organisation_declare_structure (companies/sme.py validates)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="related_enterprises"
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_name])
    enterprise_number = models.CharField(
        _("enterprise number (BCE/KBO)"), max_length=10, blank=True
    )
    foreign = models.BooleanField(_("registered outside Belgium"), default=False)
    relation = models.CharField(_("relation"), max_length=16, choices=EnterpriseRelation.choices)
    share = models.DecimalField(
        _("share held (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    headcount = models.DecimalField(
        _("staff (full-time equivalents)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    turnover = models.DecimalField(
        _("annual turnover (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    balance_sheet = models.DecimalField(
        _("balance sheet total (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("partner or linked enterprise")
        verbose_name_plural = _("partner and linked enterprises")
        ordering = ["organisation", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise_number="") | Q(enterprise_number__regex=r"^[01][0-9]{9}$"),
                name="related_enterprise_bce_digits",
            ),
            models.CheckConstraint(
                condition=Q(foreign=True) | ~Q(enterprise_number=""),
                name="related_enterprise_belgian_has_number",
            ),
            models.CheckConstraint(
                condition=Q(relation="partner", share__gte=25, share__lte=50)
                | Q(relation="linked", share__gt=50, share__lte=100),
                name="related_enterprise_share_fits_relation",
            ),
            models.CheckConstraint(
                condition=Q(headcount__gte=0)
                & (Q(turnover__isnull=True) | Q(turnover__gte=0))
                & (Q(balance_sheet__isnull=True) | Q(balance_sheet__gte=0)),
                name="related_enterprise_figures_positive",
            ),
            models.CheckConstraint(
                condition=Q(turnover__isnull=False) | Q(balance_sheet__isnull=False),
                name="related_enterprise_has_turnover_or_balance",
            ),
            models.UniqueConstraint(
                fields=["organisation", "enterprise_number"],
                condition=~Q(enterprise_number=""),
                name="related_enterprise_unique_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()}, {self.share} %)"

    @property
    def enterprise_number_display(self) -> str:
        return format_enterprise_number(self.enterprise_number)


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.role})"


def invitation_digest(token: str) -> str:
    """What is stored of an invitation link's token: whoever reads the table cannot accept."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An owner invites a colleague by e-mail; the link works for that address only. Only the
    digest of the link's token is stored (`invitation_digest`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    token = models.CharField(max_length=64, unique=True)  # invitation_digest of the link's
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        # What the invitation limits count (services.organisation_invite).
        indexes = [
            models.Index(fields=["invited_by", "created_at"], name="invitation_by_user_idx"),
            models.Index(fields=["organisation", "created_at"], name="invitation_by_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class JoinRequest(models.Model):
    """Someone whose organisation is already registered asks its owners to let them in."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message to the owners"), blank=True)
    status = models.CharField(
        max_length=16, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="pending"),
                name="join_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


# ---------------------------------------------------------------------------------------------
# Recognised AI experts


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


class RecognitionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Application submitted")
    INFO_REQUESTED = "info_requested", _("Information requested")
    ACTIVE = "active", _("Recognised")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


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

    class Action(models.TextChoices):
        APPLIED = "applied", _("Applied")
        INFO_REQUESTED = "info_requested", _("Information requested")
        ANSWERED = "answered", _("Information provided")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        RENEWED = "renewed", _("Renewed")
        EXPIRED = "expired", _("Expired")
        REMINDER_SENT = "reminder_sent", _("Renewal reminder sent")
        PROFILE_CHANGE_ACCEPTED = "profile_change_accepted", _("Profile change accepted")
        PROFILE_CHANGE_REFUSED = "profile_change_refused", _("Profile change refused")

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, choices=Action.choices)
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


# ---------------------------------------------------------------------------------------------
# Ownership claims: the real company takes back its enterprise number


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Ownership moved")
    REFUSED = "refused", _("Refused")


class OwnershipClaimQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ClaimStatus.PENDING)


class OwnershipClaim(models.Model):
    """Someone says an organisation registered by others is theirs. AdN staff verify and either
    refuse or move the ownership; the current owners can neither cancel nor block it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="ownership_claims"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ownership_claims"
    )
    message = models.TextField(_("why the organisation is yours"))
    # Checked by content like the applicants' documents; never under a public URL.
    document = models.FileField(_("supporting document"), storage=private_storage, blank=True)
    document_name = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment for the claimant"), blank=True)
    # Who owned the organisation before a granted claim, and whether they stayed members.
    previous_owners = models.JSONField(default=list, blank=True, editable=False)
    previous_owners_kept = models.BooleanField(default=False, editable=False)

    objects = OwnershipClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership claim")
        verbose_name_plural = _("ownership claims")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "claimant"],
                condition=Q(status="pending"),
                name="ownership_claim_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="ownership_claim_decided_has_who_and_when",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="ownership_claim_status_idx")]

    def __str__(self) -> str:
        return f"{self.claimant} → {self.organisation} ({self.status})"
