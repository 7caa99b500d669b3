"""The page frame's pieces that read the same for everyone in one language are rendered once
per process and copied (adn_portal/accounts/templatetags/page_frame.py); what is personal
between them stays each reader's own."""

import re

import pytest
from django.urls import reverse

from tests.accounts.test_notifications import send
from tests.auth import login, login_staff
from tests.factories import UserFactory
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


def header(client, url="/", **headers) -> str:
    page = client.get(url, **headers).content.decode()
    return page[page.index("<header>") : page.index("</header>")]


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_each_reader_sees_their_own_name_count_and_tokens_in_the_shared_header(client):
    julie, marc = UserFactory(first_name="Julie"), UserFactory(first_name="Marc")
    send(julie)
    send(julie)
    login(client, julie)
    hers = header(client)
    client.logout()
    login(client, marc)
    his = header(client)

    assert "Julie" in hers and "Marc" not in hers
    assert "Marc" in his and "Julie" not in his
    assert 'id="unread-notifications">2<' in hers
    assert "unread-notifications" not in his
    assert set(csrf_tokens(hers)).isdisjoint(csrf_tokens(his))


def test_the_header_speaks_each_readers_language(client):
    julie, anna = UserFactory(language="fr"), UserFactory(language="de")
    login(client, julie)
    assert "Mes dossiers" in header(client)
    client.logout()
    login(client, anna)

    german = header(client)

    assert "Meine Anträge" in german
    assert "Mes dossiers" not in german


def test_the_language_switcher_sends_each_page_back_to_itself(client):
    assert 'name="next" value="/experts/"' in header(client, "/experts/")
    assert 'name="next" value="/?page=2"' in header(client, "/?page=2")


def test_the_back_office_menu_is_shown_to_staff_only_with_their_claims_link(client):
    manager = staff("programme manager", "START")
    login(client, UserFactory())
    applicants = header(client)
    client.logout()
    login_staff(client, manager)

    managers = header(client)

    assert reverse("applications:staff_queue") not in applicants
    assert reverse("applications:staff_queue") in managers
    assert reverse("companies:staff_claim_list") in managers
