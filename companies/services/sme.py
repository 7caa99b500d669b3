"""The SME declaration: what the EU definition counts beyond the organisation itself
(companies/sme.py holds its rules, run by the pages, the API and again here)."""

from django.db import transaction
from django.utils.translation import gettext as _

from adn_portal.accounts.models import User

from .. import selectors, sme
from ..models import Organisation, RelatedEnterprise
from .errors import CompanyError


@transaction.atomic
def organisation_declare_structure(
    *,
    organisation: Organisation,
    public_body_share,
    public_body_exception: str,
    related: list[dict],
    by: User,
    figures: sme.Figures | None = None,
    estimated_figures: bool | None = None,
) -> Organisation:
    """An owner declares what the SME definition counts beyond the organisation itself: the
    share public bodies hold and the partner and linked enterprises (`related`: rows of
    RelatedEnterprise fields, replacing the ones declared before); the API sends the own
    figures in the same request. The size class follows."""
    if not selectors.is_owner(by, organisation):
        raise CompanyError(_("Only an owner can change the organisation's details."))
    # Lock the row: two owners saving at once must not mix their lists.
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    related = [sme.clean_related_enterprise(row) for row in related]
    sme.clean_structure(
        organisation=stored,
        public_body_share=public_body_share,
        public_body_exception=public_body_exception,
        related=related,
    )
    stored.public_body_share = public_body_share
    stored.public_body_exception = public_body_exception
    fields = ["public_body_share", "public_body_exception", "size_class", "updated_at"]
    if figures is not None:
        stored.headcount, stored.turnover = figures.headcount, figures.turnover
        stored.balance_sheet = figures.balance_sheet
        fields += ["headcount", "turnover", "balance_sheet"]
    if estimated_figures is not None:
        stored.estimated_figures = estimated_figures
        fields.append("estimated_figures")
    stored.related_enterprises.all().delete()
    RelatedEnterprise.objects.bulk_create(
        RelatedEnterprise(organisation=stored, **_related_fields(row)) for row in related
    )
    stored.size_class = sme.size_class_of(stored) or ""
    stored.save(update_fields=fields)
    return stored


_RELATED_FIELDS = (
    "name",
    "enterprise_number",
    "foreign",
    "relation",
    "share",
    "headcount",
    "turnover",
    "balance_sheet",
)


def _related_fields(row: dict) -> dict:
    return {name: row.get(name) for name in _RELATED_FIELDS} | {"foreign": bool(row.get("foreign"))}
