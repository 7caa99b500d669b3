"""The file's printouts as PDFs (applications/printouts.py): a submitted version and a decision
letter, for the organisation's members and for the staff who work on the file (each staff
download audited, like a document's)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.permissions import STAFF, role_required
from adn_portal.lib.pdf import PDF_CONTENT_TYPE

from .. import printouts, selectors
from .shared import or_404


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # personal data
    return response


@login_required
def version_pdf(request, pk: int, number: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    version = or_404(printouts.printed_version(application, number))
    return _pdf(
        printouts.submitted_file_pdf(version),
        printouts.pdf_filename(application, f"v{version.number}"),
    )


@login_required
def decision_letter_pdf(request, pk: int, message_pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    message = or_404(printouts.decision_message(application, message_pk))
    return _pdf(
        printouts.decision_letter_pdf(message), printouts.pdf_filename(application, "decision")
    )


@role_required(*STAFF)
def staff_version_pdf(request, pk: int, number: int):
    application = or_404(selectors.staff_applications(request.user).filter(pk=pk).first())
    version = or_404(printouts.printed_version(application, number))
    audit(
        AuditEvent.Action.DOCUMENT_DOWNLOADED,
        request=request,
        application=application.pk,
        printout="version",
        version=version.number,
    )
    return _pdf(
        printouts.submitted_file_pdf(version),
        printouts.pdf_filename(application, f"v{version.number}"),
    )


@role_required(*STAFF)
def staff_decision_letter_pdf(request, pk: int, message_pk: int):
    application = or_404(selectors.staff_applications(request.user).filter(pk=pk).first())
    message = or_404(printouts.decision_message(application, message_pk))
    audit(
        AuditEvent.Action.DOCUMENT_DOWNLOADED,
        request=request,
        application=application.pk,
        printout="decision_letter",
        message=message.pk,
    )
    return _pdf(
        printouts.decision_letter_pdf(message), printouts.pdf_filename(application, "decision")
    )
