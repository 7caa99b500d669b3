"""Payment requests and payments (docs/domain.md, After selection): the call's schedule, the lines
staff check, the amount due, never more than the grant nor the envelope, and the structured
communication of each payment."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from adn_portal.lib.banking import is_structured_communication
from applications import services
from applications.models import Application, Payment, PaymentRequest
from applications.services import ApplicationError
from applications.workflow import Actor, DiagnosticStatus, PaymentStatus, Status
from programs.models import Instalment
from tests.factories import make_member
from tests.fixtures.after_selection import (
    expert_member,
    manager_of,
    signed_file,
    start_call,
    tremplin_call,
)
from tests.fixtures.applicants import pdf

pytestmark = pytest.mark.django_db

PS = PaymentStatus
IBAN = "BE68539007547034"


@pytest.fixture
def manager(db):
    return manager_of("TREMPLIN")


def request_with_lines(application, instalment, *amounts, by=None):
    by = by or application.created_by
    request = services.payment_request_start(
        application=application, instalment=instalment, payee_name="Dupont SRL", iban=IBAN, by=by
    )
    for n, amount in enumerate(amounts):
        services.payment_line_add(
            request=request,
            description=f"Facture {n}",
            amount=Decimal(amount),
            upload=pdf(f"facture-{n}.pdf"),
            by=by,
        )
    return services.payment_request_submit(request=request, by=by)


def approve_all(request, manager):
    services.payment_request_check(
        request=request, eligible={line.pk: line.amount for line in request.lines.all()}, by=manager
    )
    return services.payment_request_approve(request=request, by=manager)


def test_the_advance_is_its_share_of_the_grant_once_the_agreement_is_signed(manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("40000"))
    assert services.instalments_open(application) == [Instalment.ADVANCE]  # not the balance yet
    request = request_with_lines(application, Instalment.ADVANCE)
    request = services.payment_request_approve(request=request, by=manager)
    assert (request.status, request.approved_amount) == (PS.APPROVED, Decimal("12000.00"))

    payment = services.payment_record(request=request, paid_on=timezone.localdate(), by=manager)
    assert payment.amount == Decimal("12000.00")
    assert is_structured_communication(payment.communication)
    request.refresh_from_db()
    assert request.status == PS.PAID


def test_the_balance_is_the_eligible_costs_times_the_rate_less_the_advance(manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("40000"))
    advance = services.payment_request_approve(
        request=request_with_lines(application, Instalment.ADVANCE), by=manager
    )
    assert advance.approved_amount == Decimal("12000.00")
    application.status = Status.COMPLETED  # the final report approved
    application.save(update_fields=["status"])
    assert services.instalments_open(application) == [Instalment.BALANCE]

    balance = request_with_lines(application, Instalment.BALANCE, "30000", "20000")
    lines = list(balance.lines.all())
    services.payment_request_check(
        request=balance,
        eligible={lines[0].pk: Decimal("30000"), lines[1].pk: Decimal("6000")},
        by=manager,
    )
    due = services.amount_due(balance)
    assert (due.eligible, due.amount) == (Decimal("36000"), Decimal("6000.00"))  # 18000 - 12000
    balance = services.payment_request_approve(request=balance, by=manager)
    assert balance.approved_amount == Decimal("6000.00")


def test_the_balance_never_goes_over_what_the_grant_has_left(manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("40000"))
    services.payment_request_approve(
        request=request_with_lines(application, Instalment.ADVANCE), by=manager
    )
    application.status = Status.COMPLETED
    application.save(update_fields=["status"])
    balance = approve_all(request_with_lines(application, Instalment.BALANCE, "500000"), manager)
    assert balance.approved_amount == Decimal("28000.00")  # 40000 - 12000
    total = sum(r.approved_amount for r in application.payment_requests.all())
    assert total == application.granted_amount


@pytest.mark.parametrize(
    ("language", "left"), [("en", "€10,000"), ("fr", "10\u00a0000\u00a0€"), ("de", "10.000\u00a0€")]
)
def test_an_approval_over_the_envelope_is_refused(manager, language, left):
    call = tremplin_call(budget_envelope=Decimal("100000"))
    application = signed_file(call, manager=manager, amount=Decimal("40000"))
    call.budget_envelope = Decimal("10000")  # lowered since the selection
    call.save(update_fields=["budget_envelope"])
    request = request_with_lines(application, Instalment.ADVANCE)
    with translation.override(language), pytest.raises(services.ApplicationError) as refused:
        services.payment_request_approve(request=request, by=manager)
    assert left in str(refused.value)  # the amount written the reader's way, not "10000 EUR"
    assert "EUR" not in str(refused.value)
    request.refresh_from_db()
    assert (request.status, request.approved_amount) == (PS.SUBMITTED, None)


def test_an_instalment_is_requested_once_and_only_when_it_is_due(manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("40000"))
    with pytest.raises(services.ApplicationError):  # the balance waits for the final report
        request_with_lines(application, Instalment.BALANCE, "100")
    request_with_lines(application, Instalment.ADVANCE)
    with pytest.raises(services.ApplicationError):
        request_with_lines(application, Instalment.ADVANCE)
    assert PaymentRequest.objects.count() == 1


def test_only_the_payee_requests_and_only_a_manager_approves(manager):
    from tests.fixtures.staff import staff

    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("40000"))
    stranger = make_member(signed_file(tremplin_call(), manager=manager).organisation)
    with pytest.raises(services.ApplicationError):
        services.payment_request_start(
            application=application,
            instalment=Instalment.ADVANCE,
            payee_name="X",
            iban=IBAN,
            by=stranger,
        )
    request = request_with_lines(application, Instalment.ADVANCE)
    with pytest.raises(services.ApplicationError):
        services.payment_request_approve(request=request, by=staff("reviewer", "TREMPLIN"))
    with pytest.raises(services.ApplicationError):
        services.payment_request_approve(request=request, by=manager_of("CAP"))
    request.refresh_from_db()
    assert request.status == PS.SUBMITTED


def test_a_balance_needs_every_line_checked_and_an_eligible_amount_within_the_claim(manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("40000"))
    application.status = Status.COMPLETED
    application.save(update_fields=["status"])
    request = request_with_lines(application, Instalment.BALANCE, "1000", "2000")
    with pytest.raises(services.ApplicationError):
        services.payment_request_approve(request=request, by=manager)
    line = request.lines.first()
    with translation.override("en"), pytest.raises(services.ApplicationError) as refused:
        services.payment_request_check(
            request=request, eligible={line.pk: Decimal("1000.01")}, by=manager
        )
    assert "(€1,000)" in str(refused.value)
    line.refresh_from_db()
    assert line.eligible_amount is None


def test_a_rejected_request_may_be_made_again(manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("40000"))
    request = request_with_lines(application, Instalment.ADVANCE)
    services.payment_request_reject(request=request, by=manager, comment="Mauvais IBAN.")
    again = request_with_lines(application, Instalment.ADVANCE)
    assert again.status == PS.SUBMITTED
    assert application.payment_requests.count() == 2


def test_start_ia_pays_the_expert_company_its_days_at_the_day_rate_and_funding_rate():
    manager = manager_of("START")
    application = signed_file(start_call(), manager=manager)
    assert application.granted_amount == Decimal("3750.00")  # 5 days x 1000 x 75 %
    diagnostic = application.diagnostic
    company = expert_member(application)
    assert services.instalments_open(application) == []  # not before the diagnostic is accepted

    services.diagnostic_save(
        diagnostic=diagnostic,
        by=company,
        days=Decimal("4"),
        report=pdf("diagnostic.pdf"),
        action_plan=pdf("plan.pdf"),
    )
    services.diagnostic_submit(diagnostic=diagnostic, by=company)
    services.diagnostic_confirm(diagnostic=diagnostic, by=application.created_by)
    services.diagnostic_decide(diagnostic=diagnostic, accept=True, by=manager)
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.ACCEPTED
    with pytest.raises(services.ApplicationError):  # the SME is not the payee
        request_with_lines(application, Instalment.DIAGNOSTIC, "4000")

    request = approve_all(
        request_with_lines(application, Instalment.DIAGNOSTIC, "4000", by=company), manager
    )
    assert request.approved_amount == Decimal("3000.00")  # 4 days x 1000 x 75 %
    payment = services.payment_record(request=request, paid_on=timezone.localdate(), by=manager)
    assert Payment.objects.get().communication == payment.communication


def test_a_diagnostic_is_delivered_whole_and_confirmed_by_the_organisation_only():
    manager = manager_of("START")
    application = signed_file(start_call(), manager=manager)
    company = expert_member(application)
    diagnostic = application.diagnostic
    with pytest.raises(services.ApplicationError):
        services.diagnostic_submit(diagnostic=diagnostic, by=company)  # no days, no report
    services.diagnostic_save(
        diagnostic=diagnostic, by=company, days=Decimal("5"), report=pdf(), action_plan=pdf()
    )
    services.diagnostic_submit(diagnostic=diagnostic, by=company)
    with pytest.raises(services.ApplicationError):
        services.diagnostic_confirm(diagnostic=diagnostic, by=company)
    with pytest.raises(services.ApplicationError):
        services.diagnostic_decide(diagnostic=diagnostic, accept=True, by=manager)  # unconfirmed
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.SUBMITTED


def test_a_file_is_closed_only_once_no_payment_request_is_open(manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    Application.objects.filter(pk=application.pk).update(status=Status.COMPLETED)
    application.refresh_from_db()
    request = services.payment_request_start(
        application=application,
        instalment=Instalment.BALANCE,
        payee_name="X",
        iban="BE68539007547034",
        by=application.created_by,
    )

    with translation.override("en"), pytest.raises(ApplicationError, match="still open"):
        services.application_transition(
            application=application, to=Status.CLOSED, by=manager, actor=Actor.MANAGER
        )
    PaymentRequest.objects.filter(pk=request.pk).update(status=PaymentStatus.REJECTED)
    services.application_transition(
        application=application, to=Status.CLOSED, by=manager, actor=Actor.MANAGER
    )
    application.refresh_from_db()
    assert application.status == Status.CLOSED
