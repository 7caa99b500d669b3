"""Cells of the CSV and XLSX files the portal writes: whatever text is stored, a spreadsheet
program opens the file and runs nothing."""

import re

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
