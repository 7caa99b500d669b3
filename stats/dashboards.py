"""What the dashboards show, built from a snapshot only (no query on the files).

The public pages show everything (all programmes, all years) from a public snapshot, whose
small cells are hidden. The staff dashboard narrows every widget to its filters (a `Scope`)
by adding up the snapshot's programme x year cells, or says that a widget does not follow them
(recognitions, conversion, medians over years, today's backlog over years)."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.workflow import Status
from companies.identifiers import WALLOON_PROVINCES, NaceSection, Province
from companies.models import OrganisationKind
from programs.models import Programme

from .charts import Chart, bar_chart
from .models import Dimension as D
from .models import Indicator as I
from .selectors import Figure, Snapshot

TIMES = "\u00d7"  # the multiplication sign, shown before a multiplier
PROGRAMMES = [
    (Programme.Code.START_IA, "Start IA"),
    (Programme.Code.TREMPLIN_IA, "Tremplin IA"),
    (Programme.Code.CAP_IA, "Cap IA"),
]
# Figures that are a numerator over a denominator: over several cells, both are added up.
RATIOS = {
    I.ACCEPTANCE,
    I.INVESTMENT_MULTIPLIER,
    I.IMPROVED_COMPETITIVENESS,
    I.IMPROVED_QUALITY,
    I.IMPROVED_EITHER,
    I.RECOMMENDATION,
}
# Medians do not add up over cells: overall, or for one programme.
MEDIANS = {I.DAYS_TO_DECISION, I.DAYS_TO_COMPLETION, I.DAYS_TO_SIGNATURE, I.DAYS_TO_PAYMENT}
# The money after selection: staff only, in euros.
MONEY = (I.GRANTED, I.COMMITTED, I.PAID)
# The finer cells behind each breakdown by an organisation's attribute.
BY_ATTRIBUTE = {
    D.PROVINCE: D.PROVINCE_PROGRAMME_YEAR,
    D.SECTOR: D.SECTOR_PROGRAMME_YEAR,
    D.KIND: D.KIND_PROGRAMME_YEAR,
}


@dataclass(frozen=True)
class Scope:
    """The staff dashboard's filters: a programme and a range of years (None: all)."""

    programme: str | None = None
    first: int | None = None
    last: int | None = None

    @property
    def filtered(self) -> bool:
        return self.programme is not None or self.by_year

    @property
    def by_year(self) -> bool:
        return self.first is not None or self.last is not None

    def covers(self, programme: str, year: str) -> bool:
        return (
            self.programme in (None, programme)
            and (self.first is None or int(year) >= self.first)
            and (self.last is None or int(year) <= self.last)
        )

    def label(self) -> str:
        programme = dict(PROGRAMMES).get(self.programme, _("All programmes"))
        if not self.by_year:
            return f"{programme} · {_('all years')}"
        first, last = self.first or "…", self.last or "…"
        years = f"{first}\u2013{last}" if first != last else str(first)  # an en dash
        return f"{programme} · {years}"


EVERYTHING = Scope()


def years_in(snapshot: Snapshot, first: int | None = None, last: int | None = None) -> list[str]:
    years = sorted(k for k in snapshot.series(I.REQUESTS, D.YEAR) if k.isdigit())
    return [
        y for y in years if (first is None or int(y) >= first) and (last is None or int(y) <= last)
    ]


def _cells(snapshot: Snapshot, indicator: str, dimension: str, scope: Scope) -> Iterator:
    """(the attribute, the figure) of each cell of `dimension` in the scope; its keys end with
    "programme|year" ("liege|START|2024", "START|2024")."""
    if snapshot.public:
        raise ValueError("Public pages show every programme and year: no cell is added up.")
    for key, figure in snapshot.series(indicator, dimension).items():
        *attribute, programme, year = key.split("|")
        if scope.covers(programme, year):
            yield "|".join(attribute), figure


def _added_up(indicator: str, figures: list[Figure]) -> Figure | None:
    if not figures:
        return None
    if indicator not in RATIOS:
        return Figure(sum(f.value for f in figures))
    numerator = sum(f.numerator for f in figures)
    denominator = sum(f.denominator for f in figures)
    value = (numerator / denominator).quantize(Decimal("0.0001")) if denominator else None
    return Figure(value, numerator, denominator)


def total(snapshot: Snapshot, indicator: str, scope: Scope = EVERYTHING) -> Figure | None:
    """One figure for the whole scope."""
    if not scope.filtered:
        return snapshot.get(indicator)
    if indicator == I.ORGANISATIONS_SUPPORTED:
        return _supported(snapshot, scope)
    if indicator in MEDIANS:
        # Medians do not add up over years: by programme only (the page says so).
        if scope.programme is None:
            return snapshot.get(indicator)
        return snapshot.get(indicator, D.PROGRAMME, scope.programme)
    figures = [f for _a, f in _cells(snapshot, indicator, D.PROGRAMME_YEAR, scope)]
    return _added_up(indicator, figures)


def _supported(snapshot: Snapshot, scope: Scope) -> Figure | None:
    """Distinct organisations do not add up over years: the snapshot has every range."""
    if not scope.by_year:
        return snapshot.get(I.ORGANISATIONS_SUPPORTED, D.PROGRAMME, scope.programme)
    years = [int(y) for y in years_in(snapshot)]
    if not years:
        return None
    first, last = max(scope.first or years[0], years[0]), min(scope.last or years[-1], years[-1])
    if first > last:
        return None
    key = f"{scope.programme or 'all'}|{first}-{last}"
    return snapshot.get(I.ORGANISATIONS_SUPPORTED, D.YEAR_RANGE, key)


def by_attribute(
    snapshot: Snapshot, indicator: str, dimension: str, scope: Scope = EVERYTHING
) -> dict[str, Figure]:
    """Per province, sector or kind of organisation: the figure in the scope."""
    if not scope.filtered:
        return dict(snapshot.series(indicator, dimension))
    sums = defaultdict(list)
    for attribute, figure in _cells(snapshot, indicator, BY_ATTRIBUTE[dimension], scope):
        sums[attribute].append(figure)
    return {attribute: _added_up(indicator, figures) for attribute, figures in sums.items()}


def _shown(figure: Figure | None) -> Decimal | None:
    """A chart's cell: its figure, None for a hidden one ("< 5"), 0 when there is none."""
    if figure is None:
        return Decimal(0)
    return None if figure.hidden else figure.value


def _not_worked_out(data: dict, groups: list[list]) -> None:
    """A public table whose cells add up to a published figure (the total requests, a year's
    requests through its growth, the projects carried out): a single hidden cell in a group
    would be that figure minus the others. Then the smallest other cell is hidden too, until
    no group has a single hidden cell and a shown one (hiding one may expose another group)."""
    changed = True
    while changed:
        changed = False
        for group in groups:
            hidden = [cell for cell in group if data[cell] is None]
            shown = [cell for cell in group if data[cell]]
            if len(hidden) == 1 and shown:
                data[min(shown, key=lambda cell: data[cell])] = None
                changed = True


def requests_per_year(snapshot: Snapshot, scope: Scope = EVERYTHING) -> Chart:
    years = years_in(snapshot, scope.first, scope.last)
    programmes = [(c, n) for c, n in PROGRAMMES if scope.programme in (None, c)]
    data = {}
    for year in years:
        for code, name in programmes:
            data[(year, name)] = _shown(
                snapshot.get(I.REQUESTS, D.PROGRAMME_YEAR, f"{code}|{year}")
            )
    if snapshot.public:  # each year's cells, and all of them
        _not_worked_out(data, [*([(y, n) for _c, n in programmes] for y in years), list(data)])
    return bar_chart(
        _("Requests received per year and programme"), years, [n for _c, n in programmes], data
    )


def by_province(snapshot: Snapshot, indicator: str, title: str, scope: Scope = EVERYTHING) -> Chart:
    figures = by_attribute(snapshot, indicator, D.PROVINCE, scope)
    provinces = [str(p.label) for p in WALLOON_PROVINCES]
    data = {(str(p.label), str(title)): _shown(figures.get(p.value)) for p in WALLOON_PROVINCES}
    if snapshot.public:
        _not_worked_out(data, [list(data)])
    return bar_chart(title, provinces, [str(title)], data)


def experts_by_province(snapshot: Snapshot, scope: Scope = EVERYTHING) -> Chart:
    """Today's recognitions: no programme or year to filter on (the chart says so)."""
    chart = by_province(snapshot, I.RECOGNISED_EXPERTS, _("Recognised experts per province"))
    if scope.filtered:
        chart.note = _("Recognitions active today, whatever the filters.")
    return chart


def shares(snapshot: Snapshot, scope: Scope = EVERYTHING) -> Chart:
    labels = [
        (I.IMPROVED_COMPETITIVENESS, _("Improved competitiveness")),
        (I.IMPROVED_QUALITY, _("Improved quality")),
        (I.RECOMMENDATION, _("Would recommend")),
    ]
    data = {}
    for indicator, label in labels:
        shown = _shown(total(snapshot, indicator, scope))
        data[(str(label), "%")] = None if shown is None else shown * 100
    return bar_chart(
        _("Outcome survey (share of answers)"),
        [str(label) for _i, label in labels],
        ["%"],
        data,
        percent=True,
    )


def latest_complete_year(snapshot: Snapshot, scope: Scope = EVERYTHING) -> int | None:
    """The year of the request growth shown: the latest complete year (in the scope's years)."""
    if snapshot.as_of is None:
        return None
    year = snapshot.as_of.year - 1
    if scope.last is not None:
        year = min(year, scope.last)
    return None if scope.first is not None and year < scope.first else year


def growth(snapshot: Snapshot, year: int | None, scope: Scope = EVERYTHING) -> Figure | None:
    """Requests received in `year` ÷ requests received the year before."""
    if year is None:
        return None
    if scope.programme is None:
        return snapshot.get(I.REQUEST_GROWTH, D.YEAR, str(year))
    this, before = (
        snapshot.value(I.REQUESTS, D.PROGRAMME_YEAR, f"{scope.programme}|{y}")
        for y in (year, year - 1)
    )
    if not this or not before:
        return None
    return Figure((this / before).quantize(Decimal("0.0001")), this, before)


def headline(snapshot: Snapshot, scope: Scope = EVERYTHING) -> list[dict]:
    """The headline figures with their definitions (docs/domain.md, Outcomes and indicators), in
    the scope; a hidden figure ("< 5") has no value."""
    year = latest_complete_year(snapshot, scope)
    growth_label = (
        _("Request growth %(year)s / %(previous)s") % {"year": year, "previous": year - 1}
        if year
        else str(I.REQUEST_GROWTH.label)
    )
    growth_definition = (
        _(
            "Requests received in %(year)s, the latest complete year, ÷ requests received in "
            "%(previous)s."
        )
        % {"year": year, "previous": year - 1}
        if year
        else _("No complete year among the years chosen.")
    )
    items = [
        (
            I.REQUESTS,
            total(snapshot, I.REQUESTS, scope),
            "",
            _("Files that reached “submitted” (drafts excluded)."),
        ),
        (
            I.COMPLETED,
            total(snapshot, I.COMPLETED, scope),
            "",
            _("Files that reached “completed”."),
        ),
        (
            I.ORGANISATIONS_SUPPORTED,
            total(snapshot, I.ORGANISATIONS_SUPPORTED, scope),
            "",
            _("Distinct organisations with at least one file selected."),
        ),
        (
            I.RECOGNISED_EXPERTS,
            snapshot.get(I.RECOGNISED_EXPERTS),  # today's: no programme or year
            "",
            _("Expert companies whose recognition is active today."),
        ),
        (
            I.INVESTMENT_MULTIPLIER,
            total(snapshot, I.INVESTMENT_MULTIPLIER, scope),
            TIMES,
            _(
                "Sum of AI investment the year after ÷ the year before, over completed files whose survey gives both."
            ),
        ),
        (I.REQUEST_GROWTH, growth(snapshot, year, scope), TIMES, growth_definition),
        (
            I.IMPROVED_EITHER,
            total(snapshot, I.IMPROVED_EITHER, scope),
            "%",
            _("Share of answered surveys reporting improved competitiveness or quality."),
        ),
        (
            I.RECOMMENDATION,
            total(snapshot, I.RECOMMENDATION, scope),
            "%",
            _("Share of answered surveys that would recommend the programmes."),
        ),
    ]
    return [
        {
            "code": code,
            "label": growth_label if code == I.REQUEST_GROWTH else str(I(code).label),
            "value": _pct(figure.value) if unit == "%" and figure else _value(figure),
            "hidden": bool(figure and figure.hidden),
            "unit": unit,
            "definition": definition,
            "note": _("Today, whatever the filters.")
            if code == I.RECOGNISED_EXPERTS and scope.filtered
            else "",
        }
        for code, figure, unit, definition in items
    ]


def _value(figure: Figure | None) -> Decimal | None:
    return figure.value if figure else None


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.1"))


def _label(choices, key: str) -> str:
    """A stored key's label; a code that has left the choices since shows as itself."""
    return str(choices(key).label) if key in choices.values else key


def _attribute_label(choices, key: str) -> str:
    """An organisation's sector or kind; an empty one was never given."""
    return _label(choices, key) if key else _("Not provided")


PATH_NAMES = {"START": "Start IA", "TREMPLIN": "Tremplin IA", "CAP": "Cap IA"}


def staff_tables(snapshot: Snapshot, scope: Scope = EVERYTHING) -> dict:
    programme = scope.programme
    backlog_rows = (
        snapshot.series(I.BACKLOG, D.STATUS_AGE).items()
        if programme is None
        else (
            (k.split("|", 1)[1], v)
            for k, v in snapshot.series(I.BACKLOG, D.PROGRAMME_STATUS_AGE).items()
            if k.split("|", 1)[0] == programme
        )
    )
    backlog = sorted(
        ((Status(k.split("|")[0]).label, k.split("|")[1], v.value) for k, v in backlog_rows),
        key=lambda row: (str(row[0]), row[1]),
    )
    reviewer_rows = (
        snapshot.series(I.BACKLOG, D.REVIEWER).items()
        if programme is None
        else (
            (k.split("|", 1)[1], v)
            for k, v in snapshot.series(I.BACKLOG, D.PROGRAMME_REVIEWER).items()
            if k.split("|", 1)[0] == programme
        )
    )
    reviewers = sorted(
        ((k.split(":", 1)[1], v.value) for k, v in reviewer_rows), key=lambda r: -r[1]
    )
    requests = by_attribute(snapshot, I.REQUESTS, D.PROVINCE, scope)
    completed = by_attribute(snapshot, I.COMPLETED, D.PROVINCE, scope)
    provinces = [
        (
            p.label,
            _value(requests.get(p.value)),
            _value(completed.get(p.value)),
            snapshot.value(I.RECOGNISED_EXPERTS, D.PROVINCE, p.value),
        )
        for p in [*WALLOON_PROVINCES, Province.OUTSIDE_WALLONIA]
    ]
    kinds = [
        (_attribute_label(OrganisationKind, k), v.value)
        for k, v in by_attribute(snapshot, I.REQUESTS, D.KIND, scope).items()
    ]
    sectors = [
        (_attribute_label(NaceSection, k), v.value)
        for k, v in by_attribute(snapshot, I.REQUESTS, D.SECTOR, scope).items()
    ]
    conversion = []
    for k, v in snapshot.series(I.CONVERSION, D.ALL).items():
        first, then = k.split(">")
        label = f"{PATH_NAMES.get(first, first)} → {PATH_NAMES.get(then, then)}"
        conversion.append((label, _pct(v.value), v.numerator, v.denominator))
    return {
        "acceptance": _value(total(snapshot, I.ACCEPTANCE, scope)),
        "days_to_decision": _value(total(snapshot, I.DAYS_TO_DECISION, scope)),
        "days_to_completion": _value(total(snapshot, I.DAYS_TO_COMPLETION, scope)),
        "multiplier": _value(total(snapshot, I.INVESTMENT_MULTIPLIER, scope)),
        "conversion": conversion,
        "backlog": backlog,
        "reviewers": reviewers,
        "provinces": provinces,
        "kinds": sorted(kinds, key=lambda r: -r[1]),
        "sectors": sorted(sectors, key=lambda r: -r[1]),
    }


def _money_labels() -> dict:
    return {
        I.GRANTED: _("Granted"),
        I.COMMITTED: _("Committed"),
        I.PAID: _("Paid"),
    }


def funding_per_year(snapshot: Snapshot, scope: Scope = EVERYTHING) -> Chart:
    """Granted, committed and paid per year of submission, in the scope."""
    years = years_in(snapshot, scope.first, scope.last)
    labels = _money_labels()
    data = {}
    for year in years:
        year_scope = Scope(scope.programme, int(year), int(year))
        for indicator, label in labels.items():
            data[(year, str(label))] = _value(total(snapshot, indicator, year_scope)) or Decimal(0)
    return bar_chart(
        _("Granted, committed and paid per year (EUR)"),
        years,
        [str(label) for label in labels.values()],
        data,
    )


def _days(figure: Figure | None) -> tuple[Decimal, Decimal] | None:
    """(median, mean) of a time: the value, and the sum of the days over their count."""
    if figure is None or not figure.denominator:
        return None
    return figure.value, (figure.numerator / figure.denominator).quantize(Decimal("0.01"))


def funding(snapshot: Snapshot, scope: Scope = EVERYTHING, *, call_labels: dict) -> dict:
    """The money after selection in the scope: the totals, the times (by programme, over all
    years), and each call of the scope's programme with its envelope (over all years: a call's
    envelope is not split by year). `call_labels`: {call id: its label}."""
    calls = []
    for key, granted in snapshot.series(I.GRANTED, D.CALL).items():
        programme, call_id = key.split("|")
        if scope.programme not in (None, programme):
            continue
        share = snapshot.get(I.ENVELOPE_CONSUMPTION, D.CALL, key)
        calls.append(
            {
                "key": key,
                "label": call_labels.get(int(call_id), key),
                "envelope": share.denominator if share else None,
                "granted": granted.value,
                "committed": snapshot.value(I.COMMITTED, D.CALL, key),
                "paid": snapshot.value(I.PAID, D.CALL, key),
                "share": (share.value * 100).quantize(Decimal("0.01")) if share else None,
            }
        )
    return {
        **{str(indicator): _value(total(snapshot, indicator, scope)) for indicator in MONEY},
        "days_to_signature": _days(total(snapshot, I.DAYS_TO_SIGNATURE, scope)),
        "days_to_payment": _days(total(snapshot, I.DAYS_TO_PAYMENT, scope)),
        "calls": sorted(calls, key=lambda row: str(row["label"])),
    }


def call_ids(snapshot: Snapshot) -> list[int]:
    """The calls the money figures name (their labels are read once per rendering)."""
    return sorted(int(key.split("|")[1]) for key in snapshot.series(I.GRANTED, D.CALL))
