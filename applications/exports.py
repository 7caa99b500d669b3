"""Queue exports as CSV or XLSX. Every cell goes through safe_cell: a formula is made inert and
characters a workbook cannot hold are dropped (the CSV through the portal's one CSV writer).

After the file's own columns, one column per question of each form version the exported files
answer (docs/domain.md, Application forms): "Call v2 · Budget · Amount requested (EUR)", the
answer in words as the file page shows it, empty for the files of other versions."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from adn_portal.lib.spreadsheet import safe_cell, write_csv

from .steps import in_words, steps_for, version_of


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


def rows(applications) -> list[list]:
    result = []
    for application in applications:
        reviewer = " ".join(
            filter(None, [application.reviewer_first_name, application.reviewer_last_name])
        )
        result.append(
            [
                application.reference,
                application.call.programme.name,
                application.call.title,
                application.organisation.name,
                application.organisation.enterprise_number_display,
                application.organisation.get_province_display(),
                application.organisation.get_kind_display(),
                application.get_status_display(),
                application.submitted_at.strftime("%Y-%m-%d %H:%M")
                if application.submitted_at
                else "",
                reviewer,
                float(application.amount_requested)
                if application.amount_requested is not None
                else None,
                application.title,
            ]
        )
    return result


def table(applications) -> tuple[list[str], list[list]]:
    """The header and the rows of an export: the files' columns, then their answers."""
    applications = list(applications)
    header, data = columns(), rows(applications)
    questions, seen = [], set()  # (version id, step slug, name, field), in the forms' order
    for application in applications:
        version = version_of(application)
        if version.pk in seen:
            continue
        seen.add(version.pk)
        prefix = f"{application.call.title_fr} v{version.number}"
        for step in steps_for(application):
            if step.is_documents:
                continue
            for name, field in step.form_class(application=application).fields.items():
                questions.append((version.pk, step.slug, name, field))
                header.append(f"{prefix} · {step.title} · {field.label}")
    for application, row in zip(applications, data, strict=True):
        for version, slug, name, field in questions:
            if version != version_of(application).pk:
                row.append("")
                continue
            value = application.data.get(slug, {}).get(name)
            complete = slug in application.completed_steps
            row.append(in_words(application, field, name, value, not complete))
    return header, data


def to_csv(header: list[str], data: list[list]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, header, data)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(header: list[str], data: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Files"))
    sheet.append([safe_cell(cell) for cell in header])
    for row in data:
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
