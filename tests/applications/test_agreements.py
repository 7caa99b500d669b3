"""The agreement of a selected file (docs/domain.md, After selection): drafted on selection from
the programme's template, signed by both parties before the file moves on, amended as a new
version with its history kept."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from adn_portal.accounts.roles import Role
from applications import services
from applications.models import Agreement, AgreementTemplate, Milestone
from applications.workflow import Actor, AgreementStatus, Status
from tests.auth import login, login_staff
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.after_selection import manager_of, selected_file, signed_file, tremplin_call
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db

AS = AgreementStatus


def pdf_text(document) -> str:
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages)


@pytest.fixture
def manager(db):
    return manager_of("TREMPLIN")


@pytest.fixture
def call(db):
    return tremplin_call()


def test_selection_drafts_the_agreement_with_the_files_data_in_the_applicants_language(
    call, manager
):
    AgreementTemplate.objects.filter(programme__isnull=True).update(
        title_de="Vereinbarung {{ reference }}", body_de="Förderung für {{ organisation }}."
    )
    organisation = OrganisationFactory()
    applicant = make_member(organisation, UserFactory(language="de"))
    application = selected_file(
        call,
        manager=manager,
        amount=Decimal("40000"),
        organisation=organisation,
        applicant=applicant,
    )

    agreement = application.agreements.get()
    assert (agreement.number, agreement.status, agreement.language) == (1, AS.AWAITING, "de")
    assert agreement.granted_amount == Decimal("40000.00")
    assert agreement.schedule == [
        {"instalment": "advance", "share": "30.00", "amount": "12000.00"},
        {"instalment": "balance", "share": "70.00", "amount": "28000.00"},
    ]
    assert agreement.ends_on == agreement.starts_on.replace(year=agreement.starts_on.year + 1)
    assert agreement.document is None  # rendered when first asked for
    text = pdf_text(services.agreement_document(agreement=agreement))
    assert f"Vereinbarung {application.reference}" in text
    assert f"Förderung für {application.organisation.name}." in text
    assert application.organisation.enterprise_number_display in text
    assert "40.000\u00a0€" in text or "40.000 €" in text
    assert application.status == Status.SELECTED


def test_the_file_moves_to_agreement_signed_only_when_both_signatures_are_there(call, manager):
    application = selected_file(call, manager=manager, amount=Decimal("10000"))
    agreement = application.agreements.get()
    beneficiary = application.created_by

    services.agreement_sign(
        agreement=agreement, upload=pdf("signee.pdf"), by=beneficiary, actor=Actor.APPLICANT
    )
    application.refresh_from_db()
    agreement.refresh_from_db()
    assert agreement.status == AS.SIGNED_BY_BENEFICIARY
    assert application.status == Status.SELECTED  # the AdN has not signed yet

    services.agreement_sign(
        agreement=agreement, upload=pdf("contresignee.pdf"), by=manager, actor=Actor.MANAGER
    )
    application.refresh_from_db()
    agreement.refresh_from_db()
    assert agreement.status == AS.SIGNED
    assert agreement.beneficiary_copy.original_name == "signee.pdf"
    assert agreement.adn_copy.original_name == "contresignee.pdf"
    assert application.status == Status.AGREEMENT_SIGNED
    move = application.events.get(to_status=Status.AGREEMENT_SIGNED)
    assert move.by == manager
    # The milestones follow the agreed dates: the interim report at 6 months, the final at the end.
    due = dict(application.milestones.values_list("kind", "due_on"))
    assert due[Milestone.Kind.FINAL_REPORT] == agreement.ends_on
    assert Milestone.Kind.INTERIM_REPORT in due


def test_a_manager_can_no_longer_move_a_selected_file_to_agreement_signed_by_hand(call, manager):
    application = selected_file(call, manager=manager, amount=Decimal("10000"))
    with pytest.raises(services.ApplicationError):
        services.application_staff_transition(
            application=application, to=Status.AGREEMENT_SIGNED, by=manager
        )
    application.refresh_from_db()
    assert application.status == Status.SELECTED


def test_another_organisation_cannot_sign_and_a_reviewer_cannot_countersign(call, manager):
    from tests.fixtures.staff import staff

    application = selected_file(call, manager=manager, amount=Decimal("10000"))
    agreement = application.agreements.get()
    stranger = make_member(selected_file(call, manager=manager).organisation)
    reviewer = staff("reviewer", "TREMPLIN")
    with pytest.raises(services.ApplicationError):
        services.agreement_sign(
            agreement=agreement, upload=pdf(), by=stranger, actor=Actor.APPLICANT
        )
    with pytest.raises(services.ApplicationError):
        services.agreement_sign(agreement=agreement, upload=pdf(), by=reviewer, actor=Actor.MANAGER)
    agreement.refresh_from_db()
    assert agreement.status == AS.AWAITING
    assert agreement.beneficiary_copy is None and agreement.adn_copy is None


def test_an_amendment_is_a_new_version_and_the_history_is_kept(call, manager):
    application = signed_file(call, manager=manager, amount=Decimal("10000"))
    first = application.agreements.get()
    start = first.starts_on
    amended = services.agreement_amend(
        application=application,
        granted_amount=Decimal("12000"),
        starts_on=start,
        ends_on=start + timedelta(days=500),
        reason="Phase de test prolongée.",
        by=manager,
    )
    application.refresh_from_db()
    first.refresh_from_db()
    assert [
        (a.number, a.status, a.granted_amount) for a in application.agreements.order_by("number")
    ] == [
        (1, AS.SUPERSEDED, Decimal("10000.00")),
        (2, AS.AWAITING, Decimal("12000.00")),
    ]
    assert first.adn_signed_at is not None and first.beneficiary_signed_at is not None
    assert amended.reason == "Phase de test prolongée."
    assert application.granted_amount == Decimal("12000.00")
    assert application.status == Status.AGREEMENT_SIGNED  # the project goes on meanwhile
    assert "Phase de test prolongée." in pdf_text(services.agreement_document(agreement=amended))

    services.agreement_record_signatures(agreement=amended, by=manager, comment="Avenant signé.")
    final = application.milestones.get(kind=Milestone.Kind.FINAL_REPORT)
    assert final.due_on == start + timedelta(days=500)


def test_an_amendment_never_goes_over_the_envelope(manager):
    call = tremplin_call(budget_envelope=Decimal("15000"))
    application = signed_file(call, manager=manager, amount=Decimal("10000"))
    signed_file(call, manager=manager, amount=Decimal("4000"))
    agreement = application.agreements.get()
    with translation.override("en"), pytest.raises(services.ApplicationError, match="€11,000 left"):
        services.agreement_amend(
            application=application,
            granted_amount=Decimal("11001"),
            starts_on=agreement.starts_on,
            ends_on=agreement.ends_on,
            reason="Plus.",
            by=manager,
        )
    application.refresh_from_db()
    assert application.granted_amount == Decimal("10000.00")
    assert application.agreements.count() == 1


def test_the_database_holds_one_current_agreement_per_file(call, manager):
    from django.db import IntegrityError, transaction

    application = selected_file(call, manager=manager, amount=Decimal("10000"))
    current = application.agreements.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            application=application,
            number=2,
            language="fr",
            granted_amount=Decimal("1"),
            funding_rate=Decimal("50"),
            starts_on=current.starts_on,
            ends_on=current.ends_on,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=current.pk).update(status=AS.SIGNED)  # no signature stamped


def test_recording_both_signatures_needs_a_reason(call, manager):
    application = selected_file(call, manager=manager, amount=Decimal("10000"))
    with pytest.raises(services.ApplicationError):
        services.agreement_record_signatures(
            agreement=application.agreements.get(), by=manager, comment="  "
        )
    assert timezone.now()


def test_staff_edit_a_programmes_agreement_template_in_the_admin_and_a_broken_one_is_refused(
    client, call, manager
):
    login_staff(client, staff(Role.ADMINISTRATOR, is_superuser=True))
    texts = {
        "programme": call.programme_id,
        "title_fr": "Convention Tremplin {{ reference }}",
        "title_en": "Agreement {{ reference }}",
        "title_de": "Vereinbarung {{ reference }}",
        "body_fr": "Soutien de {{ amount }} à {{ organisation }}.",
        "body_en": "Support for {{ organisation }}.",
        "body_de": "Förderung für {{ organisation }}.",
    }
    add = reverse("admin:applications_agreementtemplate_add")
    broken = client.post(add, texts | {"body_fr": "{% if %}"})
    assert broken.status_code == 200
    assert "body_fr" in broken.context["adminform"].form.errors
    assert client.post(add, texts).status_code == 302

    application = selected_file(call, manager=manager, amount=Decimal("40000"))
    text = pdf_text(services.agreement_document(agreement=application.agreements.get()))
    assert f"Convention Tremplin {application.reference}" in text
    assert f"à {application.organisation.name}." in text
    assert "Soutien de 40 000 € à" in " ".join(re.sub("[\u00a0\u202f]", " ", text).split())


@pytest.mark.parametrize(
    ("language", "written"),
    [
        (
            "fr",
            [
                "40 000 €",
                "50 %",
                "100 000 €",
                "30 % · 12 000 €",
                "70 % · 28 000 €",
                "Le soutien s'élève à 40 000 € au plus, soit 50 % des coûts éligibles",
            ],
        ),
        (
            "en",
            [
                "€40,000",
                "50%",
                "€100,000",
                "30% · €12,000",
                "70% · €28,000",
                "The support amounts to €40,000 at most, that is 50% of the eligible costs",
            ],
        ),
        (
            "de",
            [
                "40.000 €",
                "50 %",
                "100.000 €",
                "30 % · 12.000 €",
                "70 % · 28.000 €",
                "Die Förderung beträgt höchstens 40.000 €, d. h. 50 % der förderfähigen Kosten",
            ],
        ),
    ],
)
def test_the_agreement_writes_its_amounts_and_rates_the_beneficiarys_way(
    client, call, manager, language, written
):
    organisation = OrganisationFactory()
    applicant = make_member(organisation, UserFactory(language=language))
    application = selected_file(
        call,
        manager=manager,
        amount=Decimal("40000"),
        organisation=organisation,
        applicant=applicant,
    )
    agreement = application.agreements.get()
    login(client, applicant)

    response = client.get(reverse("applications:agreement", args=[application.pk, agreement.pk]))

    assert response.status_code == 200
    pages = PdfReader(BytesIO(b"".join(response.streaming_content))).pages
    # The table and schedule set out by the portal, then the default agreement text's sentence.
    # One space for any run of spaces, no-break spaces and line ends (the PDF wraps lines).
    text = " ".join(
        re.sub("[\u00a0\u202f]", " ", "\n".join(p.extract_text() for p in pages)).split()
    )
    for figure in written:
        assert figure in text, figure
    assert "EUR" not in text
