"""Cells of the CSV and XLSX files the portal writes: whatever text is stored, a spreadsheet
program opens the file and runs nothing."""

import csv
import re
from collections.abc import Iterable
from typing import Protocol

# A cell starting with one of these runs as a formula (a tab or CR before "=" still does).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold: openpyxl refuses the whole workbook for a single one, and
# stored data may have them (typed before names were checked, or pasted into free text).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel reports a workbook with a longer cell as damaged.
CELL_MAX_CHARS = 32_767


def safe_cell(value):
    if not isinstance(value, str):
        return value
    value = _NOT_IN_XML.sub("", value)
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value[:CELL_MAX_CHARS]


# Before the first byte: spreadsheet programs then read the file as UTF-8 (not the system's
# code page, which garbles every accent).
BYTE_ORDER_MARK = "\ufeff"


class _Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_csv(out: _Writable, header: Iterable, rows: Iterable[Iterable]) -> None:
    """The portal's one way to write a CSV file: a byte-order mark, then the header and the
    rows, every cell through `safe_cell` (numbers and dates pass as they are). `out` is a text
    stream: an HttpResponse, a StringIO."""
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
