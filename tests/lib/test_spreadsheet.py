import io

from adn_portal.lib.spreadsheet import write_csv


def test_written_csv_starts_with_a_byte_order_mark_and_makes_formulas_inert():
    out = io.StringIO()
    write_csv(out, ["=name", "count"], [["=HYPERLINK(1)", 3], ["\tcmd", -2]])
    text = out.getvalue()
    assert text.startswith("\ufeff")
    assert text[1:].splitlines() == ["'=name,count", "'=HYPERLINK(1),3", "'\tcmd,-2"]
