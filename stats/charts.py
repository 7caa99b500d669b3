"""Bar charts drawn on the server: no JavaScript, no CDN. The page draws them across
(partials/chart.html: labels and values as text, so that they keep their size on a phone; each
bar an SVG rectangle of its `share`). Each bar carries its value as text and each series a hatch
pattern, so nothing depends on colour alone; every chart has a table beside it for screen readers
and a CSV download."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats

from adn_portal.lib.decimals import format_percent

WIDTH, HEIGHT, MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 640, 260, 40, 36, 16
COLOURS = ["#0b3d91", "#e4003a", "#2a7d4f", "#8a5a00", "#5c2d91"]
PATTERNS = ["solid", "diagonal", "dots", "cross", "horizontal"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: str
    colour: str
    pattern: str
    series: str
    category: str
    share: float = 0.0  # percent of the longest bar: its length where bars are drawn across


@dataclass
class Chart:
    title: str
    categories: list[str]
    series: list[str]
    data: dict[tuple[str, str], Decimal | None]  # (category, series) -> value
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    labels: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    legend: list[tuple[str, str, str]] | None = None
    note: str = ""  # what the reader should know: the figures do not follow the filters

    def rows(self):
        for category in self.categories:
            yield category, [self.data.get((category, s)) for s in self.series]

    def groups(self):
        """(category, its bars): the chart drawn as rows of bars across (partials/chart.html)."""
        per_category: dict[str, list[Bar]] = {category: [] for category in self.categories}
        for bar in self.bars:
            per_category[bar.category].append(bar)
        return list(per_category.items())


def _fmt(value: Decimal | None, percent: bool) -> str:
    """A bar's or tick's figure as the active language writes it: "1 234", "88,9 %"
    (French), "1,234", "88.9%" (English); one decimal below 100 when there is one."""
    if value is None:
        return "< 5"
    places = 0 if value == value.to_integral() or abs(value) >= 100 else 1
    if percent:
        return format_percent(value, places=places)
    # number_format cuts the decimals it does not show: round first (88.88 reads 88,9).
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def bar_chart(
    title: str, categories: list[str], series: list[str], data: dict, *, percent: bool = False
) -> Chart:
    """Grouped bars: one group per category, one bar per series."""
    values = [v for v in data.values() if v is not None]
    top = max(values, default=Decimal(1)) or Decimal(1)
    plot_w = WIDTH - MARGIN_LEFT - 10
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    bars, labels = [], []
    for i, category in enumerate(categories):
        x0 = MARGIN_LEFT + i * group_w + group_w * 0.1
        labels.append((round(x0 + group_w * 0.4, 1), category))
        for j, name in enumerate(series):
            value = data.get((category, name))
            h = float((value or 0) / top) * plot_h
            bars.append(
                Bar(
                    x=round(x0 + j * bar_w, 1),
                    y=round(MARGIN_TOP + plot_h - h, 1),
                    width=round(bar_w - 2, 1),
                    height=round(h, 1),
                    value=_fmt(value, percent),
                    colour=COLOURS[j % len(COLOURS)],
                    pattern=PATTERNS[j % len(PATTERNS)],
                    series=name,
                    category=category,
                    share=round(float((value or 0) / top) * 100, 1),
                )
            )
    ticks = [
        (round(MARGIN_TOP + plot_h - plot_h * k / 4, 1), _fmt(top * k / 4, percent))
        for k in range(5)
    ]
    legend = [
        (name, COLOURS[j % len(COLOURS)], PATTERNS[j % len(PATTERNS)])
        for j, name in enumerate(series)
    ]
    return Chart(
        title=title,
        categories=categories,
        series=series,
        data=data,
        bars=bars,
        ticks=ticks,
        labels=labels,
        legend=legend,
    )
