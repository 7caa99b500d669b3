"""Figures by every breakdown with their distinct organisations, without a COUNT(DISTINCT)
per breakdown (each one a sort of every row: most of a snapshot's time at scale; see
bench/results/README.md).

An organisation's province, sector and kind are its own: a breakdown by them is a sum over
organisations, and its distinct organisations are rows. What an organisation does per programme
and year is kept as bits in masks, one bit per programme x year "cell": the distinct
organisations of a programme, a year or a cell are those whose mask has one of its bits.

The per-organisation table is a temporary table built for one computation, on every database:
a snapshot runs in the background, and building it from nothing keeps a full snapshot at
1,000,000 files within its target (bench/indicators.py)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from companies.models import Organisation
from programs.models import Programme

from .grouping import grouped, sql_of
from .models import Dimension as D

BITS = 62  # per mask column: a signed 64-bit integer on both databases, shifts stay positive
ORGANISATION_DIMENSIONS = (D.ALL, D.PROVINCE, D.SECTOR, D.KIND)
CELL_DIMENSIONS = (D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR)
# An organisation's own attribute by programme x year cell: sums only (for staff; no
# distinct organisations), from the sums per cell kept in the organisation table.
ATTRIBUTE_CELL_DIMENSIONS = {
    D.PROVINCE: D.PROVINCE_PROGRAMME_YEAR,
    D.SECTOR: D.SECTOR_PROGRAMME_YEAR,
    D.KIND: D.KIND_PROGRAMME_YEAR,
}


@dataclass(frozen=True)
class Cells:
    """The programme x year cells of the rows, numbered programme by programme."""

    programmes: tuple[str, ...]
    first_year: int
    years: int
    ids: tuple[int | None, ...] = ()  # each programme's id, in the order of `programmes`

    @classmethod
    def of(cls, cells: Iterable[tuple[str, int | None, int | None]]) -> "Cells":
        """From (programme code, programme id, year) triples."""
        cells = list(cells)
        ids = {programme: pk for programme, pk, _year in cells}
        programmes = tuple(sorted(ids))
        years = [int(year) for _programme, _pk, year in cells if year is not None] or [0]
        return cls(
            programmes,
            min(years),
            max(years) - min(years) + 1,
            tuple(ids[code] for code in programmes),
        )

    @property
    def masks(self) -> int:
        return max(1, -(-len(self.programmes) * self.years // BITS))

    def numbered(self) -> Iterator[tuple[str, int, int, int]]:
        """Each cell: programme, year, its mask column and its bit there."""
        for p, code in enumerate(self.programmes):
            for y in range(self.years):
                cell = p * self.years + y
                yield code, self.first_year + y, cell // BITS, 1 << (cell % BITS)

    def id_of(self, code: str) -> int | None:
        return dict(zip(self.programmes, self.ids, strict=True)).get(code)

    def number(self, programme_id: str, year: str) -> tuple[str, str]:
        """SQL: the number of the cell of a row (from its programme's id and its year), and a
        test that the row falls in one of the cells. An expression over the row's own columns,
        not a join to a table of the cells: a join let PostgreSQL read the rows in no order,
        while the files' pass reads them in the order of the organisations from an index and
        groups them as they come (stats.computation.file_rows)."""
        ids = [int(pk) for pk in self.ids if pk is not None]
        if not ids:
            return "NULL", "1 = 0"
        whens = " ".join(
            f"WHEN {int(pk)} THEN {p * self.years}"
            for p, pk in enumerate(self.ids)
            if pk is not None
        )
        first, last = self.first_year, self.first_year + self.years - 1
        return (
            f"(CASE {programme_id} {whens} END + {year} - {first})",
            f"{programme_id} IN ({', '.join(map(str, ids))}) AND {year} BETWEEN {first} AND {last}",
        )

    def bits(
        self, programme: str | None = None, year: int | None = None, years: range | None = None
    ) -> list[int]:
        """Per mask column, the bits of the cells of a programme, a year (or a range of years),
        or both."""
        bits = [0] * self.masks
        for code, cell_year, part, bit in self.numbered():
            if (
                programme in (None, code)
                and year in (None, cell_year)
                and (years is None or cell_year in years)
            ):
                bits[part] |= bit
        return bits

    @property
    def count(self) -> int:
        return len(self.programmes) * self.years

    @property
    def year_numbers(self) -> range:
        return range(self.first_year, self.first_year + self.years)


def _bit_or(expression: str) -> str:
    """OR of powers of two: BIT_OR on PostgreSQL; a sum of the distinct powers elsewhere."""
    if connection.vendor == "postgresql":
        return f"BIT_OR({expression})"
    return f"SUM(DISTINCT {expression})"


def hits(mask: str, bits: list[int]) -> str:
    """SQL: the organisation's `mask` has one of these bits."""
    tests = [f"({mask}_{i} & {b}) <> 0" for i, b in enumerate(bits) if b]
    return f"({' OR '.join(tests)})" if tests else "1 = 0"


@contextmanager
def organisation_table(
    name: str,
    rows,
    cells: Cells,
    sums: dict,
    conditions: dict,
    extras: dict[str, tuple[str, list]] | None = None,
    per_cell: dict[str, str] | None = None,
) -> Iterator[tuple[str, Iterator]]:
    """A table of one row per organisation: the `sums` of its rows, per condition the mask of
    the cells where one of its rows meets it (`<condition>_<i>` columns), the `extras` (name:
    an aggregate over its rows and its parameters), and per name of `per_cell` (name: a row
    condition) how many of its rows meet it in each cell (`<name>_cell_<number>` columns), for one computation.

    The same pass over the rows also sums them per programme x year cell (a second grouping
    set: one read of the rows instead of two); yields the table's name and the cells' `sums`
    rolled up by the cell dimensions (`grouped`'s rows)."""
    inner, params = sql_of(rows)
    number, in_cells = cells.number("r0.programme_id", "r0.year")
    one_part = cells.masks == 1
    # The cell's bit in its mask column (no "%": the SQL goes through parameter formatting).
    shift = number if one_part else f"({number} - {BITS} * ({number} / {BITS}))"
    # The row's cell, its mask column and its bit worked out once per row, as columns of a
    # subquery the aggregates read (written into each aggregate instead, they took PostgreSQL
    # twice as long: 1.2 s instead of 0.7 s of CPU for the files' pass at 1,000,000 files).
    inner = (
        f"SELECT r0.*, {number} AS cell_number, {number} / {BITS} AS cell_part,"
        f" CAST(1 AS BIGINT) << {shift} AS cell_bit FROM ({inner}) AS r0 WHERE {in_cells}"
    )
    masks = {
        f"{condition}_{i}": _bit_or(
            f"CASE WHEN {sql} THEN cell_bit END"
            if one_part
            else f"CASE WHEN {sql} AND cell_part = {i} THEN cell_bit END"
        )
        for condition, sql in conditions.items()
        for i in range(cells.masks)
    }
    extras = extras or {}
    # A count with FILTER: a row counts in its own cell only, and a COUNT costs PostgreSQL
    # several times less per row than a SUM of 0/1 flags (stats.computation.FILE_SUMS).
    by_cell_number = {
        column: f"COUNT(*) FILTER (WHERE cell_number = {n} AND {condition})"
        for name, condition in (per_cell or {}).items()
        for n, column in enumerate(cell_columns(name, cells))
    }
    columns = {
        **sums,
        **masks,
        **by_cell_number,
        **{column: sql for column, (sql, _params) in extras.items()},
    }
    select = ", ".join(f"{sql} AS {column}" for column, sql in columns.items())
    select_params = [p for _sql, extra_params in extras.values() for p in extra_params]
    source = f" FROM ({inner}) AS r"
    source_params = (*select_params, *params)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT organisation_id, r.programme_id, r.year, {select}{source}"
            " GROUP BY GROUPING SETS ((organisation_id), (r.programme_id, r.year))"
        )
    else:  # no grouping sets: one pass per set
        sql = (
            f"SELECT organisation_id, NULL AS programme_id, NULL AS year, {select}{source}"
            f" GROUP BY organisation_id UNION ALL"
            f" SELECT NULL, r.programme_id, r.year, {select}{source}"
            " GROUP BY r.programme_id, r.year"
        )
        source_params *= 2
    table = f"stats_by_organisation_{name}"
    rolled_up = {name: f"SUM({name})" for name in sums}
    programme = Programme._meta.db_table
    cell_sums = (
        f"SELECT p.code AS programme_code, t.year, {', '.join(f't.{n}' for n in sums)}"
        f" FROM {table} AS t JOIN {programme} AS p ON p.id = t.programme_id"
        " WHERE t.organisation_id IS NULL",
        (),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {sql}", source_params)
        by_cell = list(grouped(cell_sums, rolled_up, CELL_DIMENSIONS))
        cursor.execute(f"DELETE FROM {table} WHERE organisation_id IS NULL")
        yield table, iter(by_cell)
        # Not on an error: the computation's transaction rolls back, and the table with it
        # (a DROP in a failed PostgreSQL transaction would hide the first error).
        cursor.execute(f"DROP TABLE {table}")


def by_organisation(table: str, sums: Iterable[str], organisations: dict[str, str]):
    """The breakdowns by the organisations' own attributes, from the organisation table:
    the `sums` added up, and how many organisations meet each of `organisations` (SQL).

    Grouped by province, sector and kind together in SQL (a few hundred groups), then added
    up here by each of them and in all: an organisation is in one group only, so its sums and
    its counts add up exactly, and each row is aggregated once instead of once per grouping
    set (bench/results/README.md). The whole has its row even without organisations."""
    aggregates = {name: f"COALESCE(SUM({name}), 0)" for name in sums}
    aggregates |= {
        name: f"COUNT(*) FILTER (WHERE {condition})"  # a COUNT: see organisation_table
        for name, condition in organisations.items()
    }
    select = ", ".join(f"{sql} AS {name}" for name, sql in aggregates.items())
    organisation = Organisation._meta.db_table
    sql = (
        f"SELECT o.province, o.sector, o.kind, {select} FROM {table} AS t"
        f" JOIN {organisation} AS o ON o.id = t.organisation_id"
        " GROUP BY o.province, o.sector, o.kind"
    )
    names = list(aggregates)
    found = {(D.ALL, "all"): dict.fromkeys(names, 0) | {"key": "all"}}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    for province, sector, kind, *values in rows:
        for dimension, value in (
            (D.ALL, None),
            (D.PROVINCE, province),
            (D.SECTOR, sector),
            (D.KIND, kind),
        ):
            # An empty value (an organisation without a sector) keeps its empty key (grouped).
            key = "all" if dimension == D.ALL else ("" if value is None else str(value))
            into = found.setdefault((dimension, key), dict.fromkeys(names, 0) | {"key": key})
            for name, n in zip(names, values, strict=True):
                into[name] += n
    for (dimension, _key), r in found.items():
        yield dimension, r


def count_organisations(table: str, tests: dict[object, str]) -> dict[object, int]:
    """How many organisations of the table pass each test (SQL over its mask columns), one pass."""
    if not tests:
        return {}
    names = list(tests)
    select = ", ".join(f"COUNT(*) FILTER (WHERE {tests[name]})" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {table}")
        return dict(zip(names, (int(n or 0) for n in cursor.fetchone()), strict=True))


def cell_columns(name: str, cells: Cells) -> list[str]:
    """The organisation table's columns of a sum kept per cell, in the cells' order."""
    return [f"{name}_cell_{number}" for number in range(cells.count)]


def by_attribute_and_cell(cells: Cells, figures: dict, per_cell: Iterable[str]) -> dict:
    """Per province, sector and kind of organisation, and per programme x year cell, the sums
    kept per cell: read from the breakdowns by attribute, which added them up."""
    found = {}
    for (dimension, key), r in figures.items():
        if dimension not in ATTRIBUTE_CELL_DIMENSIONS:
            continue
        for number, (code, year, _part, _bit) in enumerate(cells.numbered()):
            sums = {name: r[f"{name}_cell_{number}"] for name in per_cell}
            if any(sums.values()):
                found[ATTRIBUTE_CELL_DIMENSIONS[dimension], f"{key}|{code}|{year}"] = sums
    return found


@dataclass(frozen=True)
class Tally:
    """How many organisations have each distinct mask of a condition: enough to count those
    meeting it in any set of cells (a range of years) without a pass per set."""

    cells: Cells
    masks: tuple[tuple[tuple[int, ...], int], ...]

    def count(self, bits: list[int]) -> int:
        return sum(
            n for mask, n in self.masks if any(m & b for m, b in zip(mask, bits, strict=True))
        )


def tally(table: str, condition: str, cells: Cells) -> Tally:
    columns = ", ".join(f"COALESCE({condition}_{i}, 0)" for i in range(cells.masks))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, COUNT(*) FROM {table} GROUP BY {columns}")
        masks = tuple((tuple(int(m) for m in row[:-1]), row[-1]) for row in cursor.fetchall())
    return Tally(cells, masks)


def cell_groups(cells: Cells, dimension: str, key: str) -> list[int]:
    """The bits of a (dimension, key) group of the cell dimensions."""
    if dimension == D.PROGRAMME:
        return cells.bits(programme=key)
    if dimension == D.YEAR:
        return cells.bits(year=int(key))
    programme, year = key.split("|")
    return cells.bits(programme=programme, year=int(year))


def breakdowns(
    name: str,
    rows,
    cells: Cells,
    sums: dict[str, str],
    organisations: dict,
    dimensions,
    tests=None,
    *,
    extras: dict[str, tuple[str, list]] | None = None,
    per_cell: dict[str, str] | None = None,
    tallies: Iterable[str] = (),
):
    """Per (dimension, key) of `dimensions`: the `sums` of the rows and, per name of
    `organisations` (name: (a sum, a row condition)), the distinct organisations with a row
    meeting the condition. The rows fall in `cells` (numbered before the pass that reads them).
    `tests(cells)` may ask for more organisation counts (SQL over the masks and the `extras`
    columns of the organisation table), returned as the second value, with a `Tally` per name
    of `tallies` (under ("tally", name)). With `per_cell` (name: a row condition), those counts by
    province, sector and kind and programme x year cell too. One pass over the rows, and a few
    statements over the organisation table, whatever the number of rows."""
    conditions = {name: condition for name, (_sum, condition) in organisations.items()}
    per_cell = per_cell or {}
    with organisation_table(name, rows, cells, sums, conditions, extras, per_cell) as (
        table,
        by_cell,
    ):
        figures = {(dimension, r["key"]): r for dimension, r in by_cell if dimension in dimensions}
        counted = {name: f"{total} > 0" for name, (total, _condition) in organisations.items()}
        if set(dimensions) & set(ORGANISATION_DIMENSIONS):
            kept = [*sums, *(c for name in per_cell for c in cell_columns(name, cells))]
            for dimension, r in by_organisation(table, kept, counted):
                if dimension in dimensions:
                    figures[dimension, r["key"]] = r
            if per_cell:
                figures |= by_attribute_and_cell(cells, figures, per_cell)
        asked = tests(cells) if tests else {}
        for dimension, key in figures:
            if dimension in CELL_DIMENSIONS:
                bits = cell_groups(cells, dimension, key)
                asked |= {(dimension, key, name): hits(name, bits) for name in organisations}
        counts = count_organisations(table, asked)
        counts |= {("tally", condition): tally(table, condition, cells) for condition in tallies}
    for (dimension, key), r in figures.items():
        if dimension in CELL_DIMENSIONS:
            r |= {name: counts.pop((dimension, key, name)) for name in organisations}
    return figures, counts
