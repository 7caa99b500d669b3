"""A call's page offers the documents, FAQ and contact that the programme's managers keep there
(from the staff area or the admin, both through programs/services.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.roles import Role
from programs.models import CallDocument, CallQuestion, Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory, UserFactory
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def start_call():
    return CallFactory(programme=Programme.objects.get(code="START"), slug="start-ia-pme")


@pytest.fixture
def manager():
    return staff(Role.PROGRAMME_MANAGER, "START")


def content_url(call, name="staff_call_content", *args):
    return reverse(f"programs:{name}", args=[call.slug, *args])


def add_document(client, call, upload=None, **fields):
    return client.post(
        content_url(call, "staff_call_document_add"),
        {
            "kind": "regulations",
            "title_fr": "Règlement de l'appel",
            "title_en": "Regulations of the call",
            "position": "0",
            "upload": upload or pdf("reglement.pdf"),
            **fields,
        },
    )


def test_a_manager_adds_a_document_that_the_public_downloads_from_the_call_page(
    client, start_call, manager
):
    login_staff(client, manager)
    response = add_document(client, start_call)
    assert response.status_code == 302
    document = CallDocument.objects.get(call=start_call)
    assert document.original_name == "reglement.pdf"
    assert document.file.name.startswith("calls/") and document.file.name.endswith(".pdf")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.STAFF_ACTION, user=manager, details__document_added=document.pk
    ).exists()

    client.logout()
    page = client.get(start_call.get_absolute_url())
    assert page.status_code == 200
    assert "Règlement de l&#x27;appel" in page.content.decode()
    assert document.get_absolute_url() in page.content.decode()
    download = client.get(document.get_absolute_url())
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_document_whose_content_does_not_match_its_name_is_refused_and_not_stored(
    client, start_call, manager
):
    login_staff(client, manager)
    fake = SimpleUploadedFile("reglement.pdf", b"MZ\x90\x00 not a pdf at all" * 20)
    response = add_document(client, start_call, upload=fake)
    assert response.status_code == 400
    assert [e.code for e in response.context["document_form"].errors.as_data()["upload"]] == [
        "type"
    ]
    assert not CallDocument.objects.exists()


def test_documents_of_an_unpublished_call_are_not_public(client, manager):
    call = CallFactory(programme=Programme.objects.get(code="START"), is_published=False)
    login_staff(client, manager)
    assert add_document(client, call).status_code == 302
    document = CallDocument.objects.get()
    client.logout()
    assert client.get(document.get_absolute_url()).status_code == 404
    other = CallFactory()
    wrong_call = reverse("programs:call_document", args=[other.slug, document.pk])
    login_staff(client, manager)
    assert client.get(wrong_call).status_code == 404


@pytest.mark.parametrize("who", ["other_manager", "reviewer", "applicant"])
def test_only_the_programmes_managers_keep_a_calls_page(client, start_call, who):
    user = {
        "other_manager": lambda: staff(Role.PROGRAMME_MANAGER, "TREMPLIN"),
        "reviewer": lambda: staff(Role.REVIEWER, "START"),
        "applicant": UserFactory,
    }[who]()
    (login if who == "applicant" else login_staff)(client, user)
    assert client.get(content_url(start_call)).status_code == 404
    assert add_document(client, start_call).status_code == 404
    assert not CallDocument.objects.exists()


def test_a_manager_removes_a_document_and_its_file(
    client, start_call, manager, django_capture_on_commit_callbacks
):
    login_staff(client, manager)
    add_document(client, start_call)
    document = CallDocument.objects.get()
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(content_url(start_call, "staff_call_document_remove", document.pk))
    assert response.status_code == 302
    assert not CallDocument.objects.exists()
    assert not storage.exists(name)


def test_the_faq_is_kept_in_order_and_read_in_the_visitors_language(client, start_call, manager):
    login_staff(client, manager)
    kept = CallQuestion.objects.create(
        call=start_call, question_fr="Qui peut introduire ?", answer_fr="Les PME.", position=5
    )
    gone = CallQuestion.objects.create(
        call=start_call, question_fr="Ancienne question", answer_fr="Périmée.", position=9
    )
    foreign = CallQuestion.objects.create(
        call=CallFactory(), question_fr="Autre appel", answer_fr="Intouchable.", position=1
    )
    post = {
        "faq-TOTAL_FORMS": "4",
        "faq-INITIAL_FORMS": "3",
        "faq-MIN_NUM_FORMS": "0",
        "faq-MAX_NUM_FORMS": "50",
        "faq-0-id": str(kept.pk),
        "faq-0-question_fr": "Qui peut introduire une demande ?",
        "faq-0-answer_fr": "Les PME wallonnes.",
        "faq-0-question_en": "Who can apply?",
        "faq-0-answer_en": "Walloon SMEs.",
        "faq-0-position": "2",
        "faq-1-id": str(gone.pk),
        "faq-1-question_fr": gone.question_fr,
        "faq-1-answer_fr": gone.answer_fr,
        "faq-1-position": "9",
        "faq-1-DELETE": "on",
        "faq-2-id": str(foreign.pk),  # another call's question, named in a tampered post
        "faq-2-question_fr": "Piraté",
        "faq-2-answer_fr": "Piraté",
        "faq-2-position": "0",
        "faq-3-question_fr": "Combien de jours ?",
        "faq-3-answer_fr": "Cinq jours.",
        "faq-3-position": "1",
    }
    response = client.post(content_url(start_call, "staff_call_questions"), post)
    assert response.status_code == 302
    assert [q.question_fr for q in start_call.questions.order_by("position")] == [
        "Combien de jours ?",
        "Qui peut introduire une demande ?",
    ]
    foreign.refresh_from_db()
    assert foreign.question_fr == "Autre appel"

    client.logout()
    client.cookies["adn_language"] = "en"
    page = client.get(start_call.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Who can apply?" in text and "Walloon SMEs." in text
    assert "Combien de jours ?" in text  # no English given: the French one


def test_the_call_shows_its_own_contact_or_else_its_programmes(client, start_call, manager):
    programme = start_call.programme
    programme.contact_email = "start-ia@adn.be"
    programme.save()
    page = client.get(start_call.get_absolute_url())
    assert page.status_code == 200
    assert "mailto:start-ia@adn.be" in page.content.decode()

    login_staff(client, manager)
    refused = client.post(
        content_url(start_call, "staff_call_contact"),
        {"contact_email": "appel@adn.be", "contact_phone": "call me maybe"},
    )
    assert refused.status_code == 400
    assert list(refused.context["contact_form"].errors) == ["contact_phone"]
    saved = client.post(
        content_url(start_call, "staff_call_contact"),
        {"contact_email": "appel@adn.be", "contact_phone": "+32 81 77 80 80"},
    )
    assert saved.status_code == 302
    client.logout()
    text = client.get(start_call.get_absolute_url()).content.decode()
    assert "mailto:appel@adn.be" in text and "tel:+3281778080" in text
    assert "start-ia@adn.be" not in text


def test_the_admin_adds_and_removes_documents_through_the_services(
    client, start_call, django_capture_on_commit_callbacks
):
    administrator = staff(Role.ADMINISTRATOR)
    login_staff(client, administrator)
    add_url = reverse("admin:programs_calldocument_add")
    fields = {"call": start_call.pk, "kind": "template", "title_fr": "Modèle", "position": "1"}
    fake = SimpleUploadedFile("modele.docx", b"plain text pretending to be a document" * 10)
    refused = client.post(add_url, {**fields, "upload": fake})
    assert refused.status_code == 200
    assert "upload" in refused.context["adminform"].form.errors
    assert not CallDocument.objects.exists()

    added = client.post(add_url, {**fields, "upload": pdf("modele.pdf")})
    assert added.status_code == 302
    document = CallDocument.objects.get()
    assert document.uploaded_by == administrator
    assert AuditEvent.objects.filter(details__document_added=document.pk).exists()

    delete_url = reverse("admin:programs_calldocument_delete", args=[document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(delete_url, {"post": "yes"})
    assert removed.status_code == 302
    assert not CallDocument.objects.exists()
    assert AuditEvent.objects.filter(details__document_removed=document.pk).exists()
