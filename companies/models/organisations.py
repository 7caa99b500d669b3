"""Organisations: applicants and expert companies, their size class under the EU SME
definition and their partner and linked enterprises (docs/domain.md, Organisations and
eligibility; SME size class)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.names import validate_plain_name
from programs.models import Audience

from ..identifiers import NaceSection, Province, format_enterprise_number


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
    # 25 % or more held by public bodies, whatever the figures (companies/sme.py).
    PUBLIC_CONTROL = "public_control", _("Not an SME (public bodies hold at least 25%)")


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
    # A young enterprise without closed accounts gives good-faith estimates.
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
    # From the enterprise register when it is loaded (companies/register.py), never typed: the
    # legal form's code (code.csv's JuridicalForm) and the start date.
    legal_form = models.CharField(_("legal form"), max_length=3, blank=True, editable=False)
    founded_on = models.DateField(_("start date"), null=True, blank=True, editable=False)
    # The snapshot date of the last register extract whose name, registered office and legal
    # form were the organisation's (docs/domain.md, The enterprise register).
    register_matched_on = models.DateField(
        _("last matched the enterprise register on"), null=True, blank=True, editable=False
    )
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
        # get_province_display() hashes every choice on each call: slow on a long list.
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
                "Registered as an SME, but public bodies hold at least 25%: it is not an SME "
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
    PARTNER = "partner", _("Partner enterprise (25% to 50%)")
    LINKED = "linked", _("Linked enterprise (more than 50%)")


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
