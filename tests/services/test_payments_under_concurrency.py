"""Money never goes over the grant, also when managers approve a file's payment requests at the
same moment (docs/domain.md, After selection): each approval locks the file and works out the
amount due again under that lock."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from applications import services
from applications.models import Application, PaymentRequest
from applications.services import ApplicationError
from applications.workflow import PaymentStatus, Status
from programs.models import Instalment
from tests.fixtures.after_selection import manager_of, signed_file, tremplin_call
from tests.fixtures.applicants import pdf

from .test_concurrency import race

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GRANT = Decimal("20000")
IBAN = "BE68539007547034"


def submitted_request(application, instalment, *, claimed: Decimal | None = None):
    payee = application.created_by
    request = services.payment_request_start(
        application=application, instalment=instalment, payee_name="PME", iban=IBAN, by=payee
    )
    if claimed:
        line = services.payment_line_add(
            request=request, description="Facture", amount=claimed, upload=pdf(), by=payee
        )
    services.payment_request_submit(request=request, by=payee)
    if claimed:
        services.payment_request_check(
            request=request, eligible={line.pk: claimed}, by=manager_of("TREMPLIN")
        )
    return request


def committed(application) -> Decimal:
    return PaymentRequest.objects.filter(
        application=application, status=PaymentStatus.APPROVED
    ).aggregate(total=Sum("approved_amount"))["total"] or Decimal("0")


def test_the_advance_and_the_balance_approved_at_once_never_pay_more_than_the_grant():
    """Read without the lock, both would see nothing paid yet: 6,000 of advance plus a balance
    of the whole 20,000 (the costs times the rate)."""
    assert connection.vendor == "postgresql"
    managers = [manager_of("TREMPLIN") for _ in range(2)]
    application = signed_file(tremplin_call(), manager=managers[0], amount=GRANT)
    advance = submitted_request(application, Instalment.ADVANCE)
    Application.objects.filter(pk=application.pk).update(status=Status.COMPLETED)
    application.refresh_from_db()
    balance = submitted_request(application, Instalment.BALANCE, claimed=Decimal("40000"))
    requests = [advance, balance]

    results = race(
        2,
        lambda n: services.payment_request_approve(
            request=PaymentRequest.objects.get(pk=requests[n].pk), by=managers[n]
        ),
    )

    approved = [r for r in results if isinstance(r, PaymentRequest)]
    assert approved, results
    assert all(isinstance(r, PaymentRequest | ApplicationError) for r in results), results
    assert committed(application) <= GRANT
    # Whichever came second saw the first: together they pay the grant, never more.
    if len(approved) == 2:
        assert committed(application) == GRANT


@pytest.mark.parametrize("managers", [2, 6])
def test_one_request_approved_by_several_managers_at_once_is_approved_once(managers):
    assert connection.vendor == "postgresql"
    deciders = [manager_of("TREMPLIN") for _ in range(managers)]
    application = signed_file(tremplin_call(), manager=deciders[0], amount=GRANT)
    advance = submitted_request(application, Instalment.ADVANCE)

    results = race(
        managers,
        lambda n: services.payment_request_approve(
            request=PaymentRequest.objects.get(pk=advance.pk), by=deciders[n]
        ),
    )

    assert sum(isinstance(r, PaymentRequest) for r in results) == 1, results
    assert all(isinstance(r, PaymentRequest | ApplicationError) for r in results), results
    assert committed(application) == GRANT * Decimal("0.30")


def test_advances_of_two_files_approved_at_once_never_pay_more_than_the_calls_envelope():
    """The envelope lowered since the selections leaves room for one advance of 6,000, not
    two: approved at the same moment by two managers (each file's own lock does not keep the
    other file's approval out: the call's row does), one passes."""
    assert connection.vendor == "postgresql"
    managers = [manager_of("TREMPLIN") for _ in range(2)]
    call = tremplin_call(budget_envelope=Decimal("100000"))
    files = [signed_file(call, manager=managers[0], amount=GRANT) for _ in range(2)]
    requests = [submitted_request(application, Instalment.ADVANCE) for application in files]
    call.budget_envelope = Decimal("10000")
    call.save(update_fields=["budget_envelope"])

    results = race(
        2,
        lambda n: services.payment_request_approve(
            request=PaymentRequest.objects.get(pk=requests[n].pk), by=managers[n]
        ),
    )

    assert sum(isinstance(r, PaymentRequest) for r in results) == 1, results
    assert sum(isinstance(r, ApplicationError) for r in results) == 1, results
    assert sum(committed(application) for application in files) == Decimal("6000.00")
