"""What the enterprise register says about an enterprise, read from the tables the open data
fills (companies/services/register.py), and whether an organisation matches it (docs/domain.md,
The enterprise register). When no extract was ever loaded (the demo, a new installation), the
register is "not loaded": nothing is filled in, nothing is refused."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .identifiers import NaceSection, format_enterprise_number, nace_section, place_for_postcode
from .models import (
    Organisation,
    RegisterCode,
    RegisteredActivity,
    RegisteredAddress,
    RegisteredEnterprise,
    RegisteredName,
    RegisterExtract,
)

OFFICIAL_NAME = "001"
REGISTERED_OFFICE = "REGO"
# denomination.csv's languages: French, German, Dutch, English, unknown, in the order a Walloon
# portal prefers them for the name it shows.
NAME_LANGUAGES = ("1", "3", "2", "4", "0")
CODE_LANGUAGES = {"fr": "FR", "de": "DE", "en": "FR"}  # no English descriptions yet
# The activities that say what an enterprise does, most telling first.
CLASSIFICATIONS = ("MAIN", "SECO", "ANCI")
GROUPS = ("001", "006", "003")  # VAT, social security (ONSS), activities
NACE_VERSIONS = ("2025", "2008")
MAX_NACE_CODES = 5


@dataclass(frozen=True)
class RegisterEntry:
    number: str
    active: bool
    stopped_on: date | None
    names: tuple[str, ...]  # official names, preferred language first
    legal_form: str
    start_date: date | None
    street: str
    postcode: str  # a Belgian registered office's; "" when none or abroad
    municipality: str
    nace_codes: tuple[str, ...]  # as the portal writes them: 62.010

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""

    @property
    def number_display(self) -> str:
        return format_enterprise_number(self.number)

    @property
    def sector(self) -> str:
        return nace_section(self.nace_codes[0]) if self.nace_codes else ""

    @property
    def legal_form_label(self) -> str:
        return legal_form_label(self.legal_form)


def latest_extract() -> RegisterExtract | None:
    """The last extract applied; None while the register is not loaded."""
    return RegisterExtract.objects.first()


def entry(number: str) -> RegisterEntry | None:
    return entries_for([number]).get(number)


def entries_for(numbers: Iterable[str]) -> dict[str, RegisterEntry]:
    """The register's entries of these enterprise numbers (10 digits), in four queries."""
    enterprises = RegisteredEnterprise.objects.filter(number__in=list(numbers)).prefetch_related(
        Prefetch(
            "names",
            queryset=RegisteredName.objects.filter(kind=OFFICIAL_NAME).order_by("pk"),
        ),
        Prefetch(
            "addresses",
            queryset=RegisteredAddress.objects.filter(kind=REGISTERED_OFFICE).order_by("pk"),
        ),
        Prefetch("activities", queryset=RegisteredActivity.objects.order_by("pk")),
    )
    return {enterprise.number: _entry(enterprise) for enterprise in enterprises}


def _entry(enterprise: RegisteredEnterprise) -> RegisterEntry:
    names = sorted(
        enterprise.names.all(),
        key=lambda n: NAME_LANGUAGES.index(n.language) if n.language in NAME_LANGUAGES else 9,
    )
    office = next(iter(enterprise.addresses.all()), None)
    belgian = office is not None and not office.country_fr and not office.country_nl
    return RegisterEntry(
        number=enterprise.number,
        active=enterprise.status == RegisteredEnterprise.ACTIVE,
        stopped_on=enterprise.stopped_on,
        names=tuple(dict.fromkeys(n.name for n in names)),
        legal_form=enterprise.juridical_form,
        start_date=enterprise.start_date,
        street=office.street if belgian else "",
        postcode=office.zipcode if belgian else "",
        municipality=(office.municipality_fr or office.municipality_nl) if office else "",
        nace_codes=_nace_codes(enterprise.activities.all()),
    )


def _nace_codes(activities) -> tuple[str, ...]:
    """The newest NACE version's codes, main activity first: what the portal calls the
    organisation's NACE codes (the first gives its sector)."""

    def rank(activity: RegisteredActivity) -> tuple[int, int, int]:
        def index(values: tuple, value: str) -> int:
            return values.index(value) if value in values else len(values)

        return (
            index(NACE_VERSIONS, activity.nace_version),
            index(CLASSIFICATIONS, activity.classification),
            index(GROUPS, activity.group),
        )

    ranked = sorted(activities, key=rank)
    if not ranked:
        return ()
    newest = ranked[0].nace_version
    codes = [_nace(a.nace_code) for a in ranked if a.nace_version == newest]
    return tuple(dict.fromkeys(c for c in codes if c))[:MAX_NACE_CODES]


def _nace(code: str) -> str:
    """62010 → 62.010 (the five digits of a NACE-BEL subclass)."""
    digits = code[:5]
    return f"{digits[:2]}.{digits[2:]}" if len(digits) > 2 and digits.isdigit() else ""


def legal_form_label(code: str) -> str:
    """The legal form in the page's language (the register describes them in French, Dutch and
    German), or its code when the register does not know it."""
    if not code:
        return ""
    wanted = CODE_LANGUAGES.get((translation.get_language() or "fr")[:2], "FR")
    labels = dict(
        RegisterCode.objects.filter(category="JuridicalForm", code=code).values_list(
            "language", "description"
        )
    )
    return labels.get(wanted) or labels.get("FR") or labels.get("NL") or code


def refusal(
    number: str, found: RegisterEntry | None, extract: RegisterExtract
) -> ValidationError | None:
    """Why a new organisation with this number is refused: the register does not list it, or
    lists it as stopped. The form and the API say it in the same words."""
    if found is None:
        return ValidationError(
            _(
                "The Crossroads Bank for Enterprises does not list the number %(number)s "
                "(register of %(date)s): check it. An enterprise registered in the last few "
                "days may not be listed yet."
            ),
            code="not_in_register",
            params={
                "number": format_enterprise_number(number),
                "date": date_format(extract.snapshot_date),
            },
        )
    if not found.active:
        return ValidationError(
            _(
                "According to the Crossroads Bank for Enterprises, the enterprise "
                "%(number)s has been stopped since %(date)s: a stopped enterprise cannot "
                "apply."
            ),
            code="stopped",
            params={
                "number": found.number_display,
                "date": date_format(found.stopped_on or extract.snapshot_date),
            },
        )
    return None


def form_values(found: RegisterEntry) -> dict:
    """What the organisation form takes from the register: only what it gives (a natural
    person's seat is not public; an office abroad has no Belgian postcode)."""
    values = {"name": found.name[:200], "nace_codes": list(found.nace_codes)}
    try:
        place = place_for_postcode(found.postcode) if found.postcode else None
    except ValidationError:
        place = None
    if place is not None:
        values |= {"street": found.street[:200], "postcode": place.postcode}
    return values


def lookup(found: RegisterEntry, extract: RegisterExtract, *, message: str = "") -> dict:
    """The register's entry as the organisation form shows it: with the municipality and
    province the portal derives from the postcode, and the sector from the first NACE code."""
    values = form_values(found)
    place = place_for_postcode(values["postcode"]) if values.get("postcode") else None
    return {
        "number": found.number_display,
        "active": found.active,
        "message": message,
        "name": found.name,
        "legal_form": found.legal_form,
        "legal_form_label": found.legal_form_label,
        "start_date": found.start_date,
        "street": values.get("street", ""),
        "postcode": values.get("postcode", ""),
        "municipality": place.municipality if place else found.municipality,
        "province": place.province.label if place else "",
        "nace_codes": list(found.nace_codes),
        "sector": found.sector,
        "sector_label": NaceSection(found.sector).label if found.sector else "",
        "register_date": extract.snapshot_date,
    }


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def differences(organisation: Organisation, entry: RegisterEntry) -> list[str]:
    """What of the organisation differs from the register: "status" (stopped), "name",
    "address" (the registered office, when the register gives one in Belgium), "legal_form".
    Empty: the organisation matches the register."""
    found = []
    if not entry.active:
        found.append("status")
    if not any(_same(organisation.name, name) for name in entry.names):
        found.append("name")
    if entry.postcode and not (
        organisation.postcode == entry.postcode and _same(organisation.street, entry.street)
    ):
        found.append("address")
    if organisation.legal_form and organisation.legal_form != entry.legal_form:
        found.append("legal_form")
    return found


@dataclass(frozen=True)
class Comparison:
    """An organisation beside its register entry, for staff."""

    extract: RegisterExtract | None
    entry: RegisterEntry | None
    differences: tuple[str, ...]

    @property
    def loaded(self) -> bool:
        return self.extract is not None

    @property
    def matches(self) -> bool:
        return self.entry is not None and not self.differences


def comparison(organisation: Organisation) -> Comparison:
    extract = latest_extract()
    if extract is None:
        return Comparison(None, None, ())
    found = entry(organisation.enterprise_number)
    return Comparison(
        extract, found, tuple(differences(organisation, found)) if found else ("unknown",)
    )
