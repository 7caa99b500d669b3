"""Who reads what of the life after selection (docs/domain.md, After selection): the expert
company of a Start IA file reads the diagnostic it delivers and the invoices of the payments it
requests, not the beneficiary's agreement; the accounting list of a manager leaves out the
organisations they declared a conflict of interest with, as every other staff list does; staff
downloading the agreement leave an audit row, as for the file's other documents."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from adn_portal.accounts.models import AuditEvent
from applications import services
from applications.workflow import Actor
from programs.models import Instalment
from tests.auth import login, login_staff
from tests.fixtures.after_selection import (
    IBAN,
    expert_member,
    manager_of,
    selected_file,
    signed_file,
    start_call,
    tremplin_call,
)
from tests.fixtures.applicants import pdf

pytestmark = pytest.mark.django_db


def test_the_expert_company_reads_its_diagnostic_but_not_the_beneficiarys_agreement(client):
    manager = manager_of("START")
    application = selected_file(start_call(), manager=manager)
    agreement = services.agreement_sign(
        agreement=application.agreements.get(),
        upload=pdf("convention-signee.pdf"),
        by=application.created_by,
        actor=Actor.APPLICANT,
    )
    # Countersigned: the agreement is signed and the diagnostic opens.
    services.agreement_sign(
        agreement=agreement, upload=pdf("contresignee.pdf"), by=manager, actor=Actor.MANAGER
    )
    application.refresh_from_db()
    company = expert_member(application)
    diagnostic = services.diagnostic_save(
        diagnostic=application.diagnostic,
        by=company,
        days=Decimal("5"),
        report=pdf("diagnostic.pdf"),
        action_plan=pdf("plan.pdf"),
    )
    login(client, company)
    for name in ("follow_up_document", "expert_follow_up_document"):
        report = reverse(f"applications:{name}", args=[application.pk, diagnostic.report_id])
        assert client.get(report).status_code == 200, name
        signed = reverse(
            f"applications:{name}", args=[application.pk, agreement.beneficiary_copy_id]
        )
        assert client.get(signed).status_code == 404, name
    # The organisation still reads its own signed copy.
    login(client, application.created_by)
    own = reverse(
        "applications:follow_up_document", args=[application.pk, agreement.beneficiary_copy_id]
    )
    assert client.get(own).status_code == 200


def _paid_advance(application, manager) -> None:
    request = services.payment_request_start(
        application=application,
        instalment=Instalment.ADVANCE,
        payee_name="Dupont SRL",
        iban=IBAN,
        by=application.created_by,
    )
    services.payment_request_submit(request=request, by=application.created_by)
    services.payment_request_approve(request=request, by=manager)
    services.payment_record(request=request, paid_on=timezone.localdate(), by=manager)


def test_the_accounting_list_leaves_out_the_organisations_of_a_managers_conflict(client):
    manager = manager_of("TREMPLIN")
    conflicted = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    other = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    _paid_advance(conflicted, manager)
    _paid_advance(other, manager)
    services.conflict_declare(reviewer=manager, organisation=conflicted.organisation)

    login_staff(client, manager)
    today = timezone.localdate()
    period = {"start": str(today.replace(day=1)), "end": str(today)}
    page = client.get(reverse("applications:staff_accounting"), period)
    assert page.status_code == 200
    assert [line["request"].application_id for line in page.context["lines"]] == [other.pk]
    export = client.get(reverse("applications:staff_accounting"), {**period, "format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [other.reference]


def test_staff_downloading_the_agreement_is_audited(client):
    manager = manager_of("TREMPLIN")
    application = selected_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    agreement = application.agreements.get()
    login_staff(client, manager)

    url = reverse("applications:staff_agreement", args=[application.pk, agreement.pk])
    response = client.get(url)

    assert response.status_code == 200
    agreement.refresh_from_db()
    assert list(
        AuditEvent.objects.filter(action=AuditEvent.Action.DOCUMENT_DOWNLOADED).values_list(
            "user_id", "details", "path"
        )
    ) == [
        (
            manager.pk,
            {"application": application.pk, "follow_up_document": agreement.document_id},
            url,
        )
    ]
