"""What the dashboards show, built from a snapshot only (no query on the files)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from applications.workflow import Status
from companies.identifiers import WALLOON_PROVINCES, NaceSection, Province
from companies.models import OrganisationKind
from programs.models import Programme

from .charts import Chart, bar_chart
from .models import Dimension as D
from .models import Indicator as I
from .selectors import Snapshot, publishable

TIMES = "\u00d7"  # the multiplication sign, shown before a multiplier
PROGRAMMES = [
    (Programme.Code.START_IA, "Start IA"),
    (Programme.Code.TREMPLIN_IA, "Tremplin IA"),
    (Programme.Code.CAP_IA, "Cap IA"),
]


def years_in(snapshot: Snapshot, first: int | None = None, last: int | None = None) -> list[str]:
    years = sorted(k for k in snapshot.series(I.REQUESTS, D.YEAR) if k.isdigit())
    return [
        y for y in years if (first is None or int(y) >= first) and (last is None or int(y) <= last)
    ]


def requests_per_year(snapshot: Snapshot, *, programme: str | None, first=None, last=None) -> Chart:
    years = years_in(snapshot, first, last)
    programmes = [(c, n) for c, n in PROGRAMMES if programme in (None, c)]
    data = {}
    for year in years:
        for code, name in programmes:
            row = snapshot.get(I.REQUESTS, D.PROGRAMME_YEAR, f"{code}|{year}")
            data[(year, name)] = row.value if row else Decimal(0)
    return bar_chart(
        _("Requests received per year and programme"), years, [n for _c, n in programmes], data
    )


def by_province(snapshot: Snapshot, indicator: str, title: str, *, public: bool) -> Chart:
    provinces = [p.label for p in WALLOON_PROVINCES]
    data = {}
    for province in WALLOON_PROVINCES:
        row = snapshot.get(indicator, D.PROVINCE, province.value)
        data[(str(province.label), str(title))] = (
            row.value
            if (row and (not public or publishable(row)))
            else (None if row else Decimal(0))
        )
    return bar_chart(title, [str(p) for p in provinces], [str(title)], data)


def shares(snapshot: Snapshot) -> Chart:
    labels = [
        (I.IMPROVED_COMPETITIVENESS, _("Improved competitiveness")),
        (I.IMPROVED_QUALITY, _("Improved quality")),
        (I.RECOMMENDATION, _("Would recommend")),
    ]
    data = {(str(label), "%"): (snapshot.value(ind) or Decimal(0)) * 100 for ind, label in labels}
    return bar_chart(
        _("Outcome survey (share of answers)"),
        [str(label) for _i, label in labels],
        ["%"],
        data,
        suffix=" %",
    )


def headline(snapshot: Snapshot) -> list[dict]:
    """The headline figures with their definitions (domain §5)."""
    growth = snapshot.get(I.REQUEST_GROWTH, D.YEAR, "2024")
    items = [
        (
            I.REQUESTS,
            snapshot.value(I.REQUESTS),
            "",
            _("Files that reached “submitted” (drafts excluded), since 2020."),
        ),
        (I.COMPLETED, snapshot.value(I.COMPLETED), "", _("Files that reached “completed”.")),
        (
            I.ORGANISATIONS_SUPPORTED,
            snapshot.value(I.ORGANISATIONS_SUPPORTED),
            "",
            _("Distinct organisations with at least one file selected."),
        ),
        (
            I.RECOGNISED_EXPERTS,
            snapshot.value(I.RECOGNISED_EXPERTS),
            "",
            _("Expert companies whose recognition is active today."),
        ),
        (
            I.INVESTMENT_MULTIPLIER,
            snapshot.value(I.INVESTMENT_MULTIPLIER),
            TIMES,
            _(
                "Sum of AI investment the year after ÷ the year before, over completed files whose survey gives both."
            ),
        ),
        (
            I.REQUEST_GROWTH,
            growth.value if growth else None,
            TIMES,
            _("Requests received in 2024 ÷ requests received in 2023."),
        ),
        (
            I.IMPROVED_EITHER,
            _pct(snapshot.value(I.IMPROVED_EITHER)),
            "%",
            _("Share of answered surveys reporting improved competitiveness or quality."),
        ),
        (
            I.RECOMMENDATION,
            _pct(snapshot.value(I.RECOMMENDATION)),
            "%",
            _("Share of answered surveys that would recommend the programmes."),
        ),
    ]
    return [
        {
            "code": code,
            "label": I(code).label,
            "value": value,
            "unit": unit,
            "definition": definition,
        }
        for code, value, unit, definition in items
    ]


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.1"))


def _label(choices, key: str) -> str:
    """A stored key's label; a code that has left the choices since shows as itself."""
    return str(choices(key).label) if key in choices.values else key


def staff_tables(snapshot: Snapshot, *, programme: str | None) -> dict:
    key = programme or "all"
    dimension = D.PROGRAMME if programme else D.ALL
    backlog = sorted(
        (
            (Status(k.split("|")[0]).label, k.split("|")[1], v.value)
            for k, v in snapshot.series(I.BACKLOG, D.STATUS_AGE).items()
        ),
        key=lambda row: (str(row[0]), row[1]),
    )
    reviewers = sorted(
        ((k.split(":", 1)[1], v.value) for k, v in snapshot.series(I.BACKLOG, D.REVIEWER).items()),
        key=lambda r: -r[1],
    )
    provinces = [
        (
            p.label,
            snapshot.value(I.REQUESTS, D.PROVINCE, p.value),
            snapshot.value(I.COMPLETED, D.PROVINCE, p.value),
            snapshot.value(I.RECOGNISED_EXPERTS, D.PROVINCE, p.value),
        )
        for p in [*WALLOON_PROVINCES, Province.OUTSIDE_WALLONIA]
    ]
    kinds = [
        (_label(OrganisationKind, k), v.value)
        for k, v in snapshot.series(I.REQUESTS, D.KIND).items()
        if k
    ]
    sectors = [
        (_label(NaceSection, k) if k else _("Unknown"), v.value)
        for k, v in snapshot.series(I.REQUESTS, D.SECTOR).items()
    ]
    return {
        "acceptance": snapshot.value(I.ACCEPTANCE, dimension, key),
        "days_to_decision": snapshot.value(I.DAYS_TO_DECISION, dimension, key),
        "days_to_completion": snapshot.value(I.DAYS_TO_COMPLETION, dimension, key),
        "multiplier": snapshot.value(I.INVESTMENT_MULTIPLIER, dimension, key),
        "conversion": [
            (
                k.replace(">", " → ")
                .replace("START", "Start IA")
                .replace("TREMPLIN", "Tremplin IA")
                .replace("CAP", "Cap IA"),
                _pct(v.value),
                v.numerator,
                v.denominator,
            )
            for k, v in snapshot.series(I.CONVERSION, D.ALL).items()
        ],
        "backlog": backlog,
        "reviewers": reviewers,
        "provinces": provinces,
        "kinds": sorted(kinds, key=lambda r: -r[1]),
        "sectors": sorted(sectors, key=lambda r: -r[1]),
    }
