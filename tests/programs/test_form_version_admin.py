"""The admin shows the application forms' versions (issue 19) to staff who passed the second
factor, read only: who made each, when, how many files answer it and its steps and questions
in words; nobody adds, changes or deletes a version there (files point at their version, and
the staff area's builder makes the next one). Log-ins go through the real forms."""

import pytest
from django.urls import reverse

from applications.services.forms import application_form_save
from programs.application_forms import Kind
from programs.models import FormVersion, Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory, UserFactory
from tests.fixtures.staff import staff, submitted_file
from tests.security.test_second_factor import SECRET, code_for, password_step, with_totp

pytestmark = pytest.mark.django_db

DEFINITION = {
    "steps": [
        {
            "slug": "projet",
            "title": {"fr": "Le projet", "en": "The project"},
            "questions": [
                {"name": "titre", "kind": Kind.SHORT_TEXT, "label": {"fr": "Titre du projet"}},
                {"name": "donnees", "kind": Kind.YES_NO, "label": {"fr": "Des données ?"}},
                {
                    "name": "quelles",
                    "kind": Kind.LONG_TEXT,
                    "label": {"fr": "Lesquelles ?"},
                    "required": False,
                    "show_if": {"question": "donnees", "equals": True},
                },
            ],
        },
        {
            "slug": "couts",
            "title": {"fr": "Les coûts"},
            "questions": [
                {
                    "name": "lignes",
                    "kind": Kind.TABLE,
                    "label": {"fr": "Lignes du budget"},
                    "role": "total_budget",
                    "columns": [
                        {"name": "poste", "kind": Kind.SHORT_TEXT, "label": {"fr": "Poste"}},
                        {"name": "montant", "kind": Kind.AMOUNT, "label": {"fr": "Montant"}},
                    ],
                }
            ],
        },
    ]
}


@pytest.fixture
def version():
    """Version 1 of a Tremplin IA call's form, answered by two submitted files."""
    call = CallFactory(programme=Programme.objects.get(code="TREMPLIN"), title_fr="Appel Robotique")
    manager = staff("programme manager", "TREMPLIN")
    version = application_form_save(call=call, definition=DEFINITION, by=manager)
    submitted_file(call)
    submitted_file(call)
    return version


def test_staff_read_a_version_after_the_second_factor(client, version):
    user = with_totp(staff("reviewer", "TREMPLIN"))
    assert password_step(client, user).url == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)}).status_code == 302

    listing = client.get(reverse("admin:programs_formversion_changelist"))
    page = client.get(reverse("admin:programs_formversion_change", args=[version.pk]))

    assert listing.status_code == 200
    assert "Appel Robotique" in listing.content.decode()
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("Le projet", "Titre du projet", "Lesquelles ?", "poste, montant", "Les coûts"):
        assert words in text
    assert "donnees = True" in text  # the condition, in words
    assert page.context["adminform"].form.instance.file_count == 2


def test_a_staff_member_without_the_second_factor_cannot_open_the_versions(client, version):
    user = staff("programme manager", "TREMPLIN")  # no authenticator: a password alone
    assert password_step(client, user).status_code == 302

    for url in (
        reverse("admin:programs_formversion_changelist"),
        reverse("admin:programs_formversion_change", args=[version.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")


def test_a_staff_member_who_did_not_give_the_code_is_not_signed_in(client, version):
    user = with_totp(staff("administrator", is_superuser=True))
    assert password_step(client, user).url == reverse("mfa_authenticate")

    response = client.get(
        reverse("admin:programs_formversion_change", args=[version.pk]), follow=True
    )

    assert response.status_code == 200
    # Back to the code's page of the log-in under way, not the version.
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert "adminform" not in response.context


def test_an_applicant_is_not_told_the_admin_exists(client, version):
    login(client, UserFactory())
    response = client.get(reverse("admin:programs_formversion_changelist"), follow=True)
    assert response.status_code == 404  # the admin's log-in page, for someone signed in


def test_a_version_is_neither_added_changed_nor_deleted_in_the_admin(client, version):
    login_staff(client, staff("administrator", is_superuser=True))
    change = reverse("admin:programs_formversion_change", args=[version.pk])

    page = client.get(change)
    changed = client.post(change, {"number": 7})
    deleted = client.post(
        reverse("admin:programs_formversion_delete", args=[version.pk]), {"post": "yes"}
    )
    added = client.get(reverse("admin:programs_formversion_add"))
    bulk = client.post(
        reverse("admin:programs_formversion_changelist"),
        {"action": "delete_selected", "_selected_action": [version.pk], "post": "yes"},
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (changed.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    stored = FormVersion.objects.get(pk=version.pk)
    assert (stored.number, stored.definition) == (1, DEFINITION)


def test_the_list_says_which_version_new_files_answer(client, version):
    """A change after submitted files makes version 2: the list shows both, version 1 still
    answered by its two files."""
    manager = staff("programme manager", "TREMPLIN")
    changed = {
        "steps": [{**DEFINITION["steps"][0], "questions": DEFINITION["steps"][0]["questions"][:1]}]
    }
    application_form_save(call=version.call, definition=changed, by=manager)
    login_staff(client, staff("administrator", is_superuser=True))

    response = client.get(reverse("admin:programs_formversion_changelist"))

    assert response.status_code == 200
    rows = {
        v.number: (v.file_count, v.number == v.latest) for v in response.context["cl"].result_list
    }
    assert rows[1] == (2, False)
    assert rows[2] == (0, True)
