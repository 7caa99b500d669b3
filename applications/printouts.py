"""What the portal prints (adn_portal/lib/pdf.py): a submitted file as frozen in one of its
versions, and a decision letter. Both are in the file's language: the language of the person
who opened the file, the one the AdN writes to it in (services/messages.py)."""

from contextlib import suppress
from decimal import Decimal, InvalidOperation

from django.utils import translation

from adn_portal.lib.decimals import format_decimal
from adn_portal.lib.pdf import render_pdf
from companies.identifiers import Province, format_enterprise_number
from companies.models import Organisation, OrganisationKind, SizeClass

from .models import ApplicantMessage, Application, ApplicationVersion
from .services.messages import language_of
from .steps import describe

# The organisation's snapshot (services/applicant.py) as printed: field, and its choices.
SNAPSHOT_FIELDS = {
    "name": None,
    "enterprise_number": None,
    "kind": OrganisationKind,
    "street": None,
    "postcode": None,
    "municipality": None,
    "province": Province,
    "headcount": None,
    "turnover": None,
    "balance_sheet": None,
    "size_class": SizeClass,
}


def file_language(application: Application) -> str:
    return language_of(application.created_by)


def _organisation_rows(snapshot: dict) -> list[tuple[str, str]]:
    """(label, value) of the organisation as it was at submission, in the active language
    (numbers grouped its way: 1 500 000, 1.500.000)."""
    rows = []
    for name, choices in SNAPSHOT_FIELDS.items():
        value = snapshot.get(name)
        if value in (None, ""):
            continue
        if choices is not None:
            value = choices(value).label if value in choices.values else value
        elif name == "enterprise_number":
            value = format_enterprise_number(value)
        elif name in ("headcount", "turnover", "balance_sheet"):
            with suppress(InvalidOperation):
                value = format_decimal(Decimal(value), language=translation.get_language())
        rows.append((str(Organisation._meta.get_field(name).verbose_name), str(value)))
    return rows


def submitted_file_pdf(version: ApplicationVersion) -> bytes:
    """The file as submitted in `version`: its answers, the organisation then, the checks run
    on that content and the documents it held."""
    application = version.application
    with translation.override(file_language(application)):
        return render_pdf(
            "pdf/submitted_file.html",
            {
                "application": application,
                "version": version,
                "content": describe(application, version.data),
                "organisation": _organisation_rows(version.organisation_snapshot),
                "organisation_name": version.organisation_snapshot.get("name")
                or application.organisation.name,
                "checks": version.eligibility,
                "documents": list(version.attachments.order_by("uploaded_at")),
            },
        )


def decision_letter_pdf(message: ApplicantMessage) -> bytes:
    """The decision as the applicant received it (its subject and text), as a letter."""
    application = message.application
    with translation.override(file_language(application)):
        return render_pdf(
            "pdf/decision_letter.html", {"application": application, "message": message}
        )


def printed_version(application: Application, number: int) -> ApplicationVersion | None:
    """One frozen version of the file, with what its printout reads."""
    return (
        application.versions.select_related(
            "application__call__programme",
            "application__programme",
            "application__organisation",
            "application__created_by",
            "application__expert__organisation",
        )
        .filter(number=number)
        .first()
    )


def decision_message(application: Application, message_pk: int) -> ApplicantMessage | None:
    """A decision the AdN sent about this file (not its other messages)."""
    return (
        application.messages.select_related(
            "application__call", "application__organisation", "application__created_by"
        )
        .filter(pk=message_pk, kind=ApplicantMessage.Kind.DECISION)
        .first()
    )


def pdf_filename(application: Application, what: str) -> str:
    return f"{application.reference or application.pk}-{what}.pdf"
