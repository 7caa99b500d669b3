"""Queue exports as CSV or XLSX. Every cell goes through safe_cell: a formula is made inert and
characters a workbook cannot hold are dropped."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from adn_portal.lib.spreadsheet import safe_cell


def columns() -> list[str]:
    return [
        _("Reference"),
        _("Programme"),
        _("Call"),
        _("Organisation"),
        _("Enterprise number"),
        _("Province"),
        _("Kind of organisation"),
        _("Status"),
        _("Submitted at"),
        _("Reviewer"),
        _("Amount requested (EUR)"),
        _("Title"),
    ]


def rows(files) -> list[list]:
    result = []
    for f in files:
        reviewer = " ".join(filter(None, [f.reviewer_first_name, f.reviewer_last_name]))
        result.append(
            [
                f.reference,
                f.call.programme.name,
                f.call.title_fr,
                f.organisation.name,
                f.organisation.enterprise_number_display,
                f.organisation.get_province_display(),
                f.organisation.get_kind_display(),
                f.get_status_display(),
                f.submitted_at.strftime("%Y-%m-%d %H:%M") if f.submitted_at else "",
                reviewer,
                float(f.amount_requested) if f.amount_requested is not None else None,
                f.title,
            ]
        )
    return [[safe_cell(v) for v in row] for row in result]


def to_csv(header: list[str], data: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(data)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], data: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Files"))
    sheet.append(header)
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
