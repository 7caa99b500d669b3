"""The SME definition in full (EU Recommendation 2003/361; docs/domain.md, SME size class).

The size class counts the organisation's own staff (full-time equivalents) and figures, plus
that share of each partner enterprise's (held 25 % to 50 %, either way) and all of each linked
enterprise's (more than 50 %). An enterprise 25 % or more held by public bodies is not an SME,
unless the holders are one of the recommendation's investors (art. 3(2)) and hold 50 % at most
(more would link them to it). The rule "two consecutive closed years to change class" is not
applied: the class follows the figures last declared.

Pages (forms/owner.py) and the API (api/serializers.py) validate a declaration with the functions below, and the
service runs them again before it writes."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .identifiers import normalise_enterprise_number
from .models import EnterpriseRelation, Organisation, RelatedEnterprise, SizeClass, size_class_for

PARTNER_MIN_SHARE = Decimal(25)
PARTNER_MAX_SHARE = Decimal(50)
PUBLIC_CONTROL_SHARE = Decimal(25)
# More would not be a declaration a person reads through; the page offers one form each.
MAX_RELATED_ENTERPRISES = 30


@dataclass(frozen=True)
class Figures:
    headcount: Decimal | None
    turnover: Decimal | None
    balance_sheet: Decimal | None


@dataclass(frozen=True)
class Related:
    relation: str
    share: Decimal
    figures: Figures


def own_figures(organisation: Organisation) -> Figures:
    return Figures(organisation.headcount, organisation.turnover, organisation.balance_sheet)


def as_related(row: RelatedEnterprise) -> Related:
    return Related(row.relation, row.share, Figures(row.headcount, row.turnover, row.balance_sheet))


def related_of(organisation: Organisation) -> list[Related]:
    """The organisation's declared partner and linked enterprises (one query; none before it
    is saved)."""
    if organisation.pk is None:
        return []
    return [as_related(row) for row in organisation.related_enterprises.all()]


def counted_figures(own: Figures, related: Iterable[Related]) -> Figures:
    """Own figures + share times each partner's + 100 % of each linked enterprise's. A figure is
    unknown (None) when the organisation's or one related enterprise's is."""
    related = list(related)

    def total(name: str) -> Decimal | None:
        value = getattr(own, name)
        for enterprise in related:
            part = getattr(enterprise.figures, name)
            if value is None or part is None:
                return None
            weight = (
                Decimal(1)
                if enterprise.relation == EnterpriseRelation.LINKED
                else enterprise.share / 100
            )
            value += weight * part
        return value

    return Figures(total("headcount"), total("turnover"), total("balance_sheet"))


def public_control_excludes(*, share: Decimal, exception: str) -> bool:
    """Whether public bodies' share alone keeps the enterprise out of the SMEs."""
    if share < PUBLIC_CONTROL_SHARE:
        return False
    return not (exception and share <= PARTNER_MAX_SHARE)


def computed_size_class(
    *, own: Figures, related: Iterable[Related], public_body_share: Decimal, exception: str
) -> SizeClass | None:
    if public_control_excludes(share=public_body_share, exception=exception):
        return SizeClass.PUBLIC_CONTROL
    counted = counted_figures(own, related)
    return size_class_for(
        headcount=counted.headcount,
        turnover=counted.turnover,
        balance_sheet=counted.balance_sheet,
    )


def size_class_of(organisation: Organisation) -> SizeClass | None:
    """The class the organisation's stored figures and related enterprises give."""
    return computed_size_class(
        own=own_figures(organisation),
        related=related_of(organisation),
        public_body_share=organisation.public_body_share,
        exception=organisation.public_body_exception,
    )


# ---------------------------------------------------------------------------------------------
# Validating a declaration (the same rules for pages and API)


def clean_related_enterprise(row: Mapping) -> dict:
    """One partner or linked enterprise: its fields already typed (Decimal, bool, str) by a
    form or a serializer. Returns the row with its enterprise number normalised, or raises
    ValidationError naming the fields."""
    row = dict(row)
    errors: dict[str, list[ValidationError]] = {}
    number = (row.get("enterprise_number") or "").strip()
    if number:
        try:
            number = normalise_enterprise_number(number)
        except ValidationError as error:
            errors["enterprise_number"] = error.error_list
    elif not row.get("foreign"):
        errors["enterprise_number"] = [
            ValidationError(
                _("Give its enterprise number, or tick “registered outside Belgium”."),
                code="number_missing",
            )
        ]
    row["enterprise_number"] = number
    share_error = _share_error(row.get("relation"), row.get("share"))
    if share_error:
        errors["share"] = [share_error]
    if row.get("turnover") is None and row.get("balance_sheet") is None:
        errors["turnover"] = [
            ValidationError(
                _("Give its turnover, its balance sheet total, or both."), code="figures_missing"
            )
        ]
    if errors:
        raise ValidationError(errors)
    return row


def _share_error(relation: str | None, share: Decimal | None) -> ValidationError | None:
    if share is None:
        return None
    if share < PARTNER_MIN_SHARE:
        return ValidationError(
            _(
                "Below 25%, the enterprise does not count for the SME definition: remove it "
                "from the list."
            ),
            code="below_partner",
        )
    if relation == EnterpriseRelation.PARTNER and share > PARTNER_MAX_SHARE:
        return ValidationError(
            _("Above 50%, the enterprise is linked, not a partner: choose “linked”."),
            code="partner_over_50",
        )
    if relation == EnterpriseRelation.LINKED and share <= PARTNER_MAX_SHARE:
        return ValidationError(
            _("From 25% to 50%, the enterprise is a partner, not linked: choose “partner”."),
            code="linked_up_to_50",
        )
    return None


def clean_structure(
    *,
    organisation: Organisation,
    public_body_share: Decimal,
    public_body_exception: str,
    related: list[Mapping],
) -> None:
    """The declaration as a whole (each row already passed `clean_related_enterprise`)."""
    errors: dict[str, list[ValidationError]] = {}
    if public_body_exception and public_body_share < PUBLIC_CONTROL_SHARE:
        errors["public_body_exception"] = [
            ValidationError(
                _(
                    "Leave this empty: the exceptions only matter when public bodies hold at "
                    "least 25%."
                ),
                code="exception_without_control",
            )
        ]
    whole: list[ValidationError] = []
    if len(related) > MAX_RELATED_ENTERPRISES:
        whole.append(
            ValidationError(
                _("Declare %(count)s enterprises at most."),
                code="too_many",
                params={"count": MAX_RELATED_ENTERPRISES},
            )
        )
    numbers = [row["enterprise_number"] for row in related if row.get("enterprise_number")]
    if organisation.enterprise_number in numbers:
        whole.append(
            ValidationError(
                _("The organisation itself is not one of its partner or linked enterprises."),
                code="own_number",
            )
        )
    if len(numbers) != len(set(numbers)):
        whole.append(
            ValidationError(
                _("Each enterprise is declared once: one enterprise number appears twice."),
                code="duplicate_number",
            )
        )
    if whole:
        errors["related_enterprises"] = whole
    if errors:
        raise ValidationError(errors)
