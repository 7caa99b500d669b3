"""The pages of the life after selection (docs/domain.md, After selection): the beneficiary, the
expert company and the AdN staff each do their part through the pages; every page is private
and a 404 to anyone else; query counts do not grow with the rows shown."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adn_portal.accounts.models import AuditEvent
from applications import services
from applications.models import PaymentRequest
from applications.workflow import AgreementStatus, PaymentStatus, Status
from programs.models import Instalment
from tests.auth import login, login_staff
from tests.factories import make_member
from tests.fixtures.after_selection import (
    expert_member,
    manager_of,
    selected_file,
    signed_file,
    start_call,
    tremplin_call,
)
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db

IBAN = "BE68 5390 0754 7034"


def private(response) -> bool:
    return {"private", "no-store"} <= {
        d.strip() for d in response.get("Cache-Control", "").split(",")
    }


@pytest.fixture
def manager(db):
    return manager_of("TREMPLIN")


def test_the_agreement_is_signed_through_the_pages_and_the_file_moves_on(client, manager):
    application = selected_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    agreement = application.agreements.get()
    login(client, application.created_by)

    page = client.get(application.get_absolute_url())
    assert page.status_code == 200
    assert (
        reverse("applications:agreement", args=[application.pk, agreement.pk])
        in page.content.decode()
    )
    download = client.get(reverse("applications:agreement", args=[application.pk, agreement.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf" and private(download)
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    signed = client.post(
        reverse("applications:agreement_sign", args=[application.pk, agreement.pk]),
        {"file": pdf("convention-signee.pdf")},
    )
    assert signed.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED_BY_BENEFICIARY

    login_staff(client, manager)
    staff_page = client.get(reverse("applications:staff_application", args=[application.pk]))
    assert staff_page.status_code == 200
    countersigned = client.post(
        reverse("applications:staff_agreement_countersign", args=[application.pk, agreement.pk]),
        {"file": pdf("contresignee.pdf")},
    )
    assert countersigned.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.AGREEMENT_SIGNED


def test_a_signed_copy_that_is_not_a_document_is_refused_on_the_file_page(client, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = selected_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    agreement = application.agreements.get()
    login(client, application.created_by)
    response = client.post(
        reverse("applications:agreement_sign", args=[application.pk, agreement.pk]),
        {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00" * 100)},
    )
    assert response.status_code == 400
    assert response.context["signed_copy_form"].errors["file"]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.AWAITING


def test_a_payment_is_requested_checked_approved_and_paid_through_the_pages(client, manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    application.status = Status.COMPLETED
    application.save(update_fields=["status"])
    login(client, application.created_by)

    refused = client.post(
        reverse("applications:payment_request_create", args=[application.pk]),
        {"instalment": "advance", "payee_name": "Dupont SRL", "iban": "BE68 5390 0754 7035"},
    )
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"iban"}
    created = client.post(
        reverse("applications:payment_request_create", args=[application.pk]),
        {"instalment": "advance", "payee_name": "Dupont SRL", "iban": IBAN},
    )
    assert created.status_code == 302
    payment_request = PaymentRequest.objects.get()
    assert payment_request.iban == "BE68539007547034"
    client.post(
        reverse("applications:payment_line_add", args=[application.pk, payment_request.pk]),
        {"description": "Facture 1", "amount": "1000", "file": pdf("facture.pdf")},
    )
    submitted = client.post(
        reverse("applications:payment_request_submit", args=[application.pk, payment_request.pk])
    )
    assert submitted.status_code == 302
    payment_request.refresh_from_db()
    assert payment_request.status == PaymentStatus.SUBMITTED

    login_staff(client, manager)
    staff_url = reverse(
        "applications:staff_payment_request", args=[application.pk, payment_request.pk]
    )
    page = client.get(staff_url)
    assert page.status_code == 200 and private(page)
    assert "BE68 5390 0754 7034" in page.content.decode()
    line = payment_request.lines.get()
    client.post(
        reverse(
            "applications:staff_payment_request_check", args=[application.pk, payment_request.pk]
        ),
        {f"line_{line.pk}": "1000"},
    )
    approved = client.post(
        reverse(
            "applications:staff_payment_request_decide", args=[application.pk, payment_request.pk]
        ),
        {"approve": "yes", "comment": ""},
    )
    assert approved.status_code == 302
    payment_request.refresh_from_db()
    assert (payment_request.status, payment_request.approved_amount) == (
        PaymentStatus.APPROVED,
        Decimal("6000.00"),  # the 30 % advance of 20,000
    )
    future = client.post(
        reverse("applications:staff_payment_record", args=[application.pk, payment_request.pk]),
        {"paid_on": str(timezone.localdate().replace(year=timezone.localdate().year + 1))},
    )
    assert future.status_code == 400
    paid = client.post(
        reverse("applications:staff_payment_record", args=[application.pk, payment_request.pk]),
        {"paid_on": str(timezone.localdate())},
    )
    assert paid.status_code == 302
    payment_request.refresh_from_db()
    assert payment_request.status == PaymentStatus.PAID

    today = timezone.localdate()
    export = client.get(
        reverse("applications:staff_accounting"),
        {"start": str(today.replace(day=1)), "end": str(today), "format": "csv"},
    )
    assert export.status_code == 200 and private(export)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][1] == application.reference
    assert rows[1][9] == "6000.00"
    # A cell starting with "+" would run as a formula: the quote keeps it text (safe_cell).
    assert rows[1][10] == "'" + payment_request.payment.communication
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_DOWNLOADED).exists()


def test_the_expert_company_delivers_the_diagnostic_the_sme_confirms_the_adn_accepts(client):
    manager = manager_of("START")
    application = signed_file(start_call(), manager=manager)
    company = expert_member(application)
    login(client, company)
    page = client.get(reverse("applications:expert_follow_up", args=[application.pk]))
    assert page.status_code == 200 and private(page)
    delivered = client.post(
        reverse("applications:expert_diagnostic_save", args=[application.pk]),
        {
            "days": "5",
            "report": pdf("diagnostic.pdf"),
            "action_plan": pdf("plan.pdf"),
            "deliver": "1",
        },
    )
    assert delivered.status_code == 302
    login(client, application.created_by)
    confirmed = client.post(reverse("applications:diagnostic_confirm", args=[application.pk]))
    assert confirmed.status_code == 302
    login_staff(client, manager)
    accepted = client.post(
        reverse("applications:staff_diagnostic_decide", args=[application.pk]),
        {"approve": "yes", "comment": ""},
    )
    assert accepted.status_code == 302
    application.diagnostic.refresh_from_db()
    assert application.diagnostic.status == "accepted"
    # The expert company now requests its payment from its own page.
    login(client, company)
    page = client.get(reverse("applications:expert_follow_up", args=[application.pk]))
    assert (
        reverse("applications:payment_request_create", args=[application.pk])
        in page.content.decode()
    )
    assert services.instalments_open(application) == [Instalment.DIAGNOSTIC]


def test_another_organisation_and_other_staff_get_a_404_everywhere(client, manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    agreement = application.agreements.get()
    request = services.payment_request_start(
        application=application,
        instalment=Instalment.ADVANCE,
        payee_name="X",
        iban="BE68539007547034",
        by=application.created_by,
    )
    stranger = make_member(selected_file(tremplin_call(), manager=manager).organisation)
    login(client, stranger)
    for url in (
        reverse("applications:agreement", args=[application.pk, agreement.pk]),
        reverse("applications:payment_request", args=[application.pk, request.pk]),
        reverse("applications:payment_request_create", args=[application.pk]),
        reverse("applications:expert_follow_up", args=[application.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("applications:agreement_sign", args=[application.pk, agreement.pk]),
            {"file": pdf()},
        ).status_code
        == 404
    )

    conflicted = staff("programme manager", "TREMPLIN", last_name="Conflit")
    services.conflict_declare(reviewer=conflicted, organisation=application.organisation)
    reviewer = staff("reviewer", "TREMPLIN")
    elsewhere = manager_of("START")
    staff_url = reverse("applications:staff_payment_request", args=[application.pk, request.pk])
    decide = reverse("applications:staff_payment_request_decide", args=[application.pk, request.pk])
    for user in (conflicted, elsewhere):
        login_staff(client, user)
        assert client.get(staff_url).status_code == 404
        assert client.post(decide, {"approve": "yes"}).status_code == 404
    login_staff(client, reviewer)  # reads, never approves
    assert client.get(staff_url).status_code == 200
    assert client.post(decide, {"approve": "yes"}).status_code == 404
    client.force_login(manager)  # a password alone: no staff rights, sent to the second factor
    response = client.get(staff_url)
    assert response.status_code == 302 and "/2fa/" in response["Location"]
    request.refresh_from_db()
    assert request.status == PaymentStatus.DRAFT


def test_the_queue_shows_files_with_an_overdue_report(client, manager):
    late = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    on_time = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    late.milestones.filter(kind="interim_report").update(
        due_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    login_staff(client, manager)
    response = client.get(reverse("applications:staff_queue"), {"milestone_overdue": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert late.reference in page and on_time.reference not in page


def queries_of(client, url: str) -> int:
    """The queries of one GET of a page (which must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def rejected_request(application, instalment) -> PaymentRequest:
    return PaymentRequest.objects.create(
        application=application,
        instalment=instalment,
        status=PaymentStatus.REJECTED,
        paid_to="beneficiary",
        payee_name="X",
        iban="BE68539007547034",
        requested_by=application.created_by,
    )


def test_the_file_page_after_selection_query_count_does_not_grow(client, manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    rejected_request(application, Instalment.ADVANCE)
    login(client, application.created_by)
    url = application.get_absolute_url()
    client.get(url)  # warm the per-user caches a first request fills
    one = queries_of(client, url)

    for _ in range(2):
        rejected_request(application, Instalment.BALANCE)

    assert queries_of(client, url) == one


def submitted_balance_request(manager, *, lines: int):
    """A completed file's balance request, submitted with this many invoices."""
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    application.status = Status.COMPLETED
    application.save(update_fields=["status"])
    request = services.payment_request_start(
        application=application,
        instalment=Instalment.BALANCE,
        payee_name="X",
        iban="BE68539007547034",
        by=application.created_by,
    )
    for n in range(lines):
        services.payment_line_add(
            request=request,
            description=f"F{n}",
            amount=Decimal("10"),
            upload=pdf(),
            by=application.created_by,
        )
    services.payment_request_submit(request=request, by=application.created_by)
    return reverse("applications:staff_payment_request", args=[application.pk, request.pk])


def test_the_staff_payment_request_page_query_count_does_not_grow_with_its_lines(client, manager):
    one_line = submitted_balance_request(manager, lines=1)
    four_lines = submitted_balance_request(manager, lines=4)
    login_staff(client, manager)
    client.get(one_line)  # warm the per-user caches a first request fills

    assert queries_of(client, four_lines) == queries_of(client, one_line)


def paid_advance(manager) -> None:
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    request = services.payment_request_start(
        application=application,
        instalment=Instalment.ADVANCE,
        payee_name="X",
        iban="BE68539007547034",
        by=application.created_by,
    )
    services.payment_request_submit(request=request, by=application.created_by)
    services.payment_request_approve(request=request, by=manager)
    services.payment_record(request=request, paid_on=timezone.localdate(), by=manager)


def test_the_accounting_page_query_count_does_not_grow(client, manager):
    paid_advance(manager)
    login_staff(client, manager)
    url = reverse("applications:staff_accounting")
    client.get(url)
    one = queries_of(client, url)

    for _ in range(3):
        paid_advance(manager)

    assert queries_of(client, url) == one
    assert len(client.get(url).context["lines"]) == 4


def draft_advance(manager, *, lines: int) -> tuple:
    """A signed file's advance request being prepared, with this many invoices."""
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    request = services.payment_request_start(
        application=application,
        instalment=Instalment.ADVANCE,
        payee_name="X",
        iban="BE68539007547034",
        by=application.created_by,
    )
    for n in range(lines):
        services.payment_line_add(
            request=request,
            description=f"F{n}",
            amount=Decimal("10"),
            upload=pdf(),
            by=application.created_by,
        )
    return application.created_by, request.get_absolute_url()


def test_the_beneficiarys_payment_request_page_query_count_does_not_grow_with_its_lines(
    client, manager
):
    applicant, one_line = draft_advance(manager, lines=1)
    login(client, applicant)
    client.get(one_line)  # warm the per-user caches a first request fills
    one = queries_of(client, one_line)
    applicant, four_lines = draft_advance(manager, lines=4)
    login(client, applicant)
    client.get(four_lines)

    assert queries_of(client, four_lines) == one


def test_the_expert_companys_pages_query_count_does_not_grow(client):
    manager = manager_of("START")
    first = signed_file(start_call(), manager=manager)
    company = expert_member(first)
    login(client, company)
    files = reverse("applications:expert_applications")
    follow_up = reverse("applications:expert_follow_up", args=[first.pk])
    client.get(files)
    one_file, no_request = queries_of(client, files), queries_of(client, follow_up)

    for _ in range(3):
        signed_file(start_call(), manager=manager, expert=first.expert)
    for _ in range(2):
        rejected_request(first, Instalment.DIAGNOSTIC)

    assert queries_of(client, files) == one_file
    assert queries_of(client, follow_up) == no_request
    assert len(client.get(files).context["applications"]) == 4


def test_the_staff_file_page_after_selection_query_count_does_not_grow(client, manager):
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    login_staff(client, manager)
    url = reverse("applications:staff_application", args=[application.pk])
    client.get(url)
    one = queries_of(client, url)

    agreement = application.agreements.get()
    services.agreement_amend(
        application=application,
        granted_amount=Decimal("25000"),
        starts_on=agreement.starts_on,
        ends_on=agreement.ends_on,
        reason="Un second volet.",
        by=manager,
    )
    for instalment in (Instalment.ADVANCE, Instalment.ADVANCE, Instalment.BALANCE):
        rejected_request(application, instalment)

    assert queries_of(client, url) == one
    assert len(client.get(url).context["follow_up"]["agreements"]) == 2


def approved_advance(manager) -> PaymentRequest:
    application = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    request = services.payment_request_start(
        application=application,
        instalment=Instalment.ADVANCE,
        payee_name="Dupont SRL",
        iban="BE68539007547034",
        by=application.created_by,
    )
    services.payment_request_submit(request=request, by=application.created_by)
    return services.payment_request_approve(request=request, by=manager)


def test_the_accounting_list_gives_the_transfers_to_make_with_the_communication_they_carry(
    client, manager
):
    to_pay = approved_advance(manager)
    paid_advance(manager)
    login_staff(client, manager)
    today = timezone.localdate()
    period = {"start": str(today.replace(day=1)), "end": str(today), "what": "to_pay"}

    page = client.get(reverse("applications:staff_accounting"), period)
    assert page.status_code == 200 and private(page)
    assert [line["request"].pk for line in page.context["lines"]] == [to_pay.pk]
    assert "BE68 5390 0754 7034" in page.content.decode()
    export = client.get(reverse("applications:staff_accounting"), {**period, "format": "csv"})
    assert export.status_code == 200 and private(export)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [(row[1], row[9], row[10]) for row in rows[1:]] == [
        (to_pay.application.reference, "6000.00", "'" + to_pay.communication)
    ]
    # The transfer made with it, the payment records the same communication.
    payment = services.payment_record(request=to_pay, paid_on=today, by=manager)
    assert payment.communication == to_pay.communication
    page = client.get(reverse("applications:staff_accounting"), period)
    assert page.context["lines"] == []


def test_the_accounting_list_of_transfers_to_make_query_count_does_not_grow(client, manager):
    approved_advance(manager)
    login_staff(client, manager)
    today = timezone.localdate()
    url = reverse("applications:staff_accounting") + f"?what=to_pay&start={today}&end={today}"
    client.get(url)
    one = queries_of(client, url)

    for _ in range(3):
        approved_advance(manager)

    assert queries_of(client, url) == one
    assert len(client.get(url).context["lines"]) == 4
