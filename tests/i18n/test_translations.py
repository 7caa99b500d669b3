"""What a reader sees is in their language, whole: the staff queue's filters and sorting, the
German "Sie" on the account pages allauth draws, the site named in allauth's e-mails, a call
named once in lists."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from adn_portal.accounts.allauth_strings import ALLAUTH_MESSAGES
from adn_portal.accounts.roles import Role
from applications.filters import QueueFilter
from programs.models import Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db

# The informal German forms: "du", "dein…", "dich", "dir" (and "Dir", "Du").
DU = re.compile(r"\b(du|dein\w*|dich|dir)\b", re.IGNORECASE)
OPTION = re.compile(r'<option value="[^"]*"(?: selected)?>([^<]*)</option>')


def select_labels(language: str) -> dict[str, list[str]]:
    """The options' labels of each drop-down of the queue's filter form, as written."""
    with translation.override(language):
        controls = QueueFilter({}, queryset=None).controls
    return {
        name: [html.unescape(label) for label in OPTION.findall(control)]
        for name, control in controls.items()
        if "<select" in control
    }


def test_the_queues_sort_labels_are_all_in_french():
    assert select_labels("fr")["ordering"] == [
        "Dernières introductions d'abord",
        "Date d'introduction",
        "Date d'introduction (décroissant)",
        "Référence",
        "Référence (décroissant)",
        "Organisation",
        "Organisation (décroissant)",
        "Dernière modification",
        "Dernière modification (décroissant)",
        "Statut",
        "Statut (décroissant)",
    ]


def test_the_queues_sort_labels_are_all_in_german():
    assert select_labels("de")["ordering"][:3] == [
        "Neueste Einreichungen zuerst",
        "Einreichungsdatum",
        "Einreichungsdatum (absteigend)",
    ]


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("programme", "Tous les programmes"),
        ("call", "Tous les appels"),
        ("province", "Toutes les provinces"),
        ("kind", "Tous les types"),
    ],
)
def test_a_filter_left_empty_says_what_it_shows_instead_of_dashes(name, first):
    labels = select_labels("fr")[name]
    assert labels[0] == first
    assert "---------" not in labels


def test_the_staff_queue_shows_no_dashes_and_no_english_sort_label(client):
    login_staff(client, staff(Role.PROGRAMME_MANAGER, "START"))
    response = client.get(reverse("applications:staff_queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "---------" not in page
    assert ">Updated<" not in page and ">Submitted<" not in page


@pytest.mark.parametrize("page", ["account_login", "account_signup", "account_reset_password"])
def test_german_account_pages_say_sie(client, page):
    client.cookies["adn_language"] = "de"
    response = client.get(reverse(page))
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    text = text.replace("Agence du Numérique", "")  # the agency's name, not a "du"
    assert not DU.findall(text), DU.findall(text)
    assert "Sie" in text


def test_every_allauth_message_the_portal_lists_says_sie_in_german():
    with translation.override("de"):
        informal = [m for m in ALLAUTH_MESSAGES if DU.search(translation.gettext(m))]
        untranslated = [m for m in ALLAUTH_MESSAGES if translation.gettext(m) == m]
    assert informal == []
    assert untranslated == []


def test_the_verification_email_names_the_site(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "first_name": "Julie",
                "last_name": "Dupont",
                "email": "julie@pme-namur.be",
                "password1": "un-mot-de-passe-solide-42",
                "password2": "un-mot-de-passe-solide-42",
                "language": "fr",
            },
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "testserver." in message.body  # the address the person signed up on
    assert " ." not in message.body


def test_a_call_whose_title_names_its_programme_is_not_named_twice_in_lists(client):
    start = Programme.objects.get(code="START")
    call = CallFactory(programme=start, title_fr="Start IA — PME et start-ups")
    plain = CallFactory(programme=start, title_fr="Appel de printemps")
    assert call.label == "Start IA — PME et start-ups"
    assert plain.label == "Start IA — Appel de printemps"
    application = submitted_file(call)
    login(client, application.created_by)
    mine = client.get(reverse("applications:my_applications"))
    assert mine.status_code == 200
    assert "Start IA — Start IA" not in mine.content.decode()
    login_staff(client, staff(Role.PROGRAMME_MANAGER, "START"))
    queue = client.get(reverse("applications:staff_queue"))
    assert queue.status_code == 200
    assert "Start IA — Start IA" not in queue.content.decode()
    assert "Start IA — PME et start-ups" in queue.content.decode()
