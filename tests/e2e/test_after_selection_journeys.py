"""After selection, in a real browser (issue 20; docs/domain.md, After selection): each
programme's file from "Retenu" (selected) to "Clôturé" (closed). The agreement's PDF is
downloaded, the signed copies go up from both sides, the payments are requested with their
invoices, checked, approved and recorded, the balance after the final report; for Start IA the
expert company delivers the diagnostic, the organisation confirms it, the AdN accepts it and
pays the expert company.

People take turns in one browser (`log_in` swaps the session). Buttons and fields are found by
their name, value or form action: the labels are translated (French is shown)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from adn_portal.lib.decimals import format_amount
from applications.models import Payment, PaymentRequest
from applications.workflow import AgreementStatus, DiagnosticStatus, Status
from stats.services import snapshot_run
from tests.fixtures.after_selection import (
    expert_member,
    manager_of,
    selected_file,
    start_call,
)
from tests.fixtures.staff import scored_call

from .browser import log_in, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def document(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def submit(form, button: str = "button[type=submit]") -> None:
    """Click the form's button and wait for the page it leads to: a success message."""
    with form.page.expect_navigation():
        form.locator(button).click()
    expect(form.page.locator(".messages .alert-success")).to_be_visible()


def move(page, application, target: Status) -> None:
    """The manager moves the file on from its staff page."""
    page.goto(f"/espace-adn/dossiers/{application.pk}/")
    submit(page.locator("form[action$='/statut/']"), f"button[name=to][value={target.value}]")
    application.refresh_from_db()
    assert application.status == target


def download_agreement(page, application) -> None:
    """The beneficiary downloads the agreement as drafted: a PDF."""
    page.goto(application.get_absolute_url())
    expect(page.locator("#agreement-title")).to_be_visible()
    with page.expect_download() as download:
        page.locator("a[href*='/convention/']").first.click()
    assert download.value.suggested_filename.startswith(f"convention-{application.reference}")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def sign_both_sides(page, live_server, application, manager) -> None:
    """The beneficiary sends its signed copy; the manager uploads the AdN's countersigned one:
    the file is "agreement signed" only then."""
    applicant = application.created_by
    log_in(page, live_server, applicant)
    download_agreement(page, application)
    signing = page.locator("form[action$='/signee/']")
    signing.locator("input[type=file]").set_input_files(document("convention-signee.pdf"))
    submit(signing)
    agreement = application.agreements.get()
    assert agreement.status == AgreementStatus.SIGNED_BY_BENEFICIARY
    application.refresh_from_db()
    assert application.status == Status.SELECTED

    log_in(page, live_server, manager)
    page.goto(f"/espace-adn/dossiers/{application.pk}/")
    countersigning = page.locator("form[action$='/contresignee/']")
    countersigning.locator("input[type=file]").set_input_files(document("contresignee.pdf"))
    submit(countersigning)
    agreement.refresh_from_db()
    application.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert application.status == Status.AGREEMENT_SIGNED
    # Both copies are on the staff page.
    expect(page.locator("section[aria-labelledby=staff-agreement-title] a")).to_have_count(3)


def request_payment(
    page, application, instalment: str, lines=(), *, wrong_iban_first=False
) -> PaymentRequest:
    """The payee asks for an instalment (`wrong_iban_first`: an IBAN refused beside its field
    first), adds its invoices and submits the request to the AdN."""
    page.goto(f"/dossiers/{application.pk}/paiements/nouveau/")
    form = page.locator("main form[method=post]")
    form.locator("select[name=instalment]").select_option(instalment)
    form.locator("input[name=payee_name]").fill("Compte du bénéficiaire")
    if wrong_iban_first:
        form.locator("input[name=iban]").fill("BE68 5390 0754 7035")  # a wrong check digit
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        expect(page.locator("input[name=iban].is-invalid")).to_be_visible()
    page.locator("input[name=iban]").fill("BE68 5390 0754 7034")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    request = PaymentRequest.objects.get(application=application, instalment=instalment)
    assert request.iban == "BE68539007547034"
    page.goto(f"/dossiers/{application.pk}/paiements/{request.pk}/")
    for description, amount in lines:
        adding = page.locator("form[action$='/pieces/']")
        adding.locator("input[name=description]").fill(description)
        adding.locator("input[name=amount]").fill(amount)
        adding.locator("input[type=file]").set_input_files(document(f"{description}.pdf"))
        submit(adding)
    expect(page.locator("main table tbody tr")).to_have_count(max(1, len(lines)))
    submit(page.locator("form[action$='/introduire/']"))
    request.refresh_from_db()
    assert request.status == "submitted"
    return request


def approve_and_pay(page, application, request, eligible=()) -> Payment:
    """The manager records the eligible amount of each invoice, approves the amount due and
    records the transfer: its structured communication is shown."""
    page.goto(f"/espace-adn/dossiers/{application.pk}/")
    with page.expect_navigation():
        page.locator(f"a[href$='/paiements/{request.pk}/']").click()
    if eligible:
        check = page.locator("form[action$='/verification/']")
        for line, amount in zip(request.lines.order_by("pk"), eligible, strict=True):
            check.locator(f"input[name=line_{line.pk}]").fill(amount)
        submit(check)
    submit(page.locator("form[action$='/decision/']"), "button[name=approve][value=yes]")
    recording = page.locator("form[action$='/paiement/']")
    recording.locator("input[name=paid_on]").fill(timezone.localdate().isoformat())
    submit(recording)
    payment = Payment.objects.get(request=request)
    expect(page.locator("main")).to_contain_text(payment.communication)
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", payment.communication)
    return payment


def final_report(page, application) -> None:
    """The organisation files its final report and outcome survey."""
    page.goto(application.get_absolute_url())
    with page.expect_navigation():
        page.locator(f"a[href$='/dossiers/{application.pk}/rapport/']").click()
    form = page.locator("main form[method=post]")
    form.locator("textarea[name=summary]").fill("Le pilote tourne en production depuis mai.")
    form.locator("input[name=investment_before]").fill("20000")
    form.locator("input[name=investment_after]").fill("55000")
    for name in ("improved_competitiveness", "improved_quality", "in_production"):
        form.locator(f"input[name={name}][value=yes]").check()
    form.locator("input[name=would_recommend][value=yes]").check()
    form.locator("input[name=jobs_created]").fill("2")
    submit(form)
    application.refresh_from_db()
    assert application.status == Status.REPORT_SUBMITTED


@pytest.mark.parametrize("code", ["TREMPLIN", "CAP"])
def test_a_beneficiarys_project_from_selected_to_closed_with_its_advance_and_balance(
    page, live_server, code
):
    # 30 % advance on signature, the balance at 50 % of the eligible costs after the report.
    manager = manager_of(code)
    call = scored_call(
        code,
        advance_percent=Decimal("30"),
        interim_report_months=6,
        max_duration_months=12,
        ceiling_per_file=Decimal("100000"),
        funding_rate=Decimal("50"),
    )
    application = selected_file(call, manager=manager, amount=Decimal("20000"))
    applicant = application.created_by
    sign_both_sides(page, live_server, application, manager)
    move(page, application, Status.IN_PROGRESS)

    # The advance: no invoice needed, 30 % of the grant.
    log_in(page, live_server, applicant)
    advance = request_payment(page, application, "advance", wrong_iban_first=True)
    log_in(page, live_server, manager)
    paid = approve_and_pay(page, application, advance)
    assert paid.amount == Decimal("6000.00")
    shot(page, f"80-{code}-advance-paid")

    # The interim report, then the final report; the manager approves it.
    log_in(page, live_server, applicant)
    page.goto(application.get_absolute_url())
    interim = page.locator("form[action*='/jalons/']")
    interim.locator("input[type=file]").set_input_files(document("rapport-intermediaire.pdf"))
    submit(interim)
    final_report(page, application)
    log_in(page, live_server, manager)
    move(page, application, Status.COMPLETED)

    # The balance: 50 % of the eligible costs (30,000 of the 34,000 claimed), less the advance.
    log_in(page, live_server, applicant)
    balance = request_payment(
        page, application, "balance", [("facture-1", "24000"), ("facture-2", "10000")]
    )
    log_in(page, live_server, manager)
    paid = approve_and_pay(page, application, balance, eligible=["24000", "6000"])
    assert paid.amount == Decimal("9000.00")  # 30,000 x 50 % - 6,000
    move(page, application, Status.CLOSED)
    shot(page, f"81-{code}-closed-staff")

    # The beneficiary sees its file closed and both payments with their communications.
    log_in(page, live_server, applicant)
    page.goto(application.get_absolute_url())
    payments = page.locator("section[aria-labelledby=payments-title] tbody tr")
    expect(payments).to_have_count(2)
    for payment in Payment.objects.filter(request__application=application):
        expect(payments.filter(has_text=payment.communication)).to_have_count(1)
    expect(page.locator("main")).to_contain_text(str(Status.CLOSED.label))
    shot(page, f"82-{code}-closed-beneficiary")


def test_a_start_ia_diagnostic_from_selected_to_closed_paid_to_the_expert_company(
    page, live_server
):
    # 5 days at 1,000 EUR a day, 75 % paid by the Region to the expert company.
    manager = manager_of("START")
    application = selected_file(start_call(), manager=manager)
    applicant, company = application.created_by, expert_member(application)
    sign_both_sides(page, live_server, application, manager)
    move(page, application, Status.IN_PROGRESS)

    # The expert company finds the file among its own and delivers the diagnostic.
    log_in(page, live_server, company)
    page.goto("/espace-expert/dossiers/")
    with page.expect_navigation():
        page.locator(f"a[href$='/dossiers/{application.pk}/suivi/']").click()
    delivering = page.locator("form[action$='/suivi/diagnostic/']")
    delivering.locator("input[name=days]").fill("5")
    delivering.locator("input[type=file][name=report]").set_input_files(document("diagnostic.pdf"))
    delivering.locator("input[type=file][name=action_plan]").set_input_files(
        document("plan-d-action.pdf")
    )
    submit(delivering, "button[name=deliver]")
    application.diagnostic.refresh_from_db()
    assert application.diagnostic.status == DiagnosticStatus.SUBMITTED
    expect(page.locator("a[href$='/paiements/nouveau/']")).to_have_count(0)  # not accepted yet

    # The organisation confirms that it took place; the AdN accepts it.
    log_in(page, live_server, applicant)
    page.goto(application.get_absolute_url())
    expect(page.locator("section[aria-labelledby=diagnostic-title] a")).to_have_count(2)
    submit(page.locator("form[action$='/diagnostic/confirmer/']"))
    log_in(page, live_server, manager)
    page.goto(f"/espace-adn/dossiers/{application.pk}/")
    submit(page.locator("form[action$='/diagnostic/']"), "button[name=approve][value=yes]")
    application.diagnostic.refresh_from_db()
    assert application.diagnostic.status == DiagnosticStatus.ACCEPTED

    # The expert company asks for AdN's share with its invoice; the AdN pays it.
    log_in(page, live_server, company)
    page.goto(f"/espace-expert/dossiers/{application.pk}/suivi/")
    expect(page.locator("a[href$='/paiements/nouveau/']")).to_be_visible()
    request = request_payment(
        page, application, "diagnostic", [("facture-diagnostic", "5000")], wrong_iban_first=True
    )
    log_in(page, live_server, manager)
    paid = approve_and_pay(page, application, request, eligible=["5000"])
    assert paid.amount == Decimal("3750.00")  # 5 days x 1,000 x 75 %
    assert paid.request.payee_name == "Compte du bénéficiaire" and paid.request.paid_to == "expert"

    # The organisation's final report; the AdN completes and closes the file.
    log_in(page, live_server, applicant)
    final_report(page, application)
    log_in(page, live_server, manager)
    move(page, application, Status.COMPLETED)
    move(page, application, Status.CLOSED)
    log_in(page, live_server, company)
    page.goto(f"/espace-expert/dossiers/{application.pk}/suivi/")
    expect(page.locator("main")).to_contain_text(paid.communication)
    shot(page, "83-START-closed-expert")

    # The next snapshot: the staff dashboard shows what was granted and paid, per call.
    snapshot_run(trigger="manual")
    log_in(page, live_server, manager)
    page.goto(reverse("stats:dashboard"))
    funding = page.locator("#funding")
    expect(funding.locator("tbody tr").filter(has_text=application.call.label)).to_contain_text(
        format_amount(Decimal("3750"), language="fr")
    )
    shot(page, "84-START-dashboard-funding")
