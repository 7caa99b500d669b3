from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Programme
from tests.auth import login_staff
from tests.factories import CallFactory, ScoringCriterionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_presents_the_three_programmes_and_only_open_calls_in_french(client):
    now = timezone.now()
    CallFactory(title_fr="Appel ouvert", opens_at=now - timedelta(days=1))
    CallFactory(
        title_fr="Appel futur", opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=9)
    )
    CallFactory(
        title_fr="Appel clôturé",
        opens_at=now - timedelta(days=9),
        closes_at=now - timedelta(days=1),
    )

    response = client.get(reverse("programs:home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    for name in ("Start IA", "Tremplin IA", "Cap IA"):
        assert name in page
    assert "Appels ouverts" in page
    assert "Appel ouvert" in page
    assert "Appel futur" not in page
    assert "Appel clôturé" not in page


@pytest.mark.parametrize("open_calls", [1, 6])
def test_home_query_count_does_not_grow_with_open_calls(
    client, django_assert_num_queries, open_calls
):
    CallFactory.create_batch(open_calls)
    with django_assert_num_queries(2):  # programmes, open calls with their programme
        assert client.get(reverse("programs:home")).status_code == 200


def test_programme_page_groups_calls_by_state(client):
    now = timezone.now()
    start = Programme.objects.get(code=Programme.Code.START_IA)
    CallFactory(programme=start, title_fr="Appel en cours")
    CallFactory(
        programme=start,
        title_fr="Appel à venir",
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=30),
    )
    CallFactory(
        programme=start,
        title_fr="Ancien appel",
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=30),
    )
    CallFactory(
        programme=Programme.objects.get(code=Programme.Code.CAP_IA), title_fr="Appel Cap IA"
    )

    response = client.get(reverse("programs:programme_detail", args=["start-ia"]))

    page = response.content.decode()
    assert (
        page.index("Appels ouverts") < page.index("Appel en cours") < page.index("Appels à venir")
    )
    assert page.index("Appels à venir") < page.index("Appel à venir") < page.index("Appels passés")
    assert page.index("Appels passés") < page.index("Ancien appel")
    assert "Appel Cap IA" not in page


@pytest.mark.parametrize("calls", [1, 10])
def test_programme_page_query_count_is_constant(client, django_assert_num_queries, calls):
    CallFactory.create_batch(calls)
    with django_assert_num_queries(2):  # programme, its published calls
        client.get(reverse("programs:programme_detail", args=["start-ia"]))


def test_unknown_programme_is_404(client):
    assert client.get(reverse("programs:programme_detail", args=["nope"])).status_code == 404


def test_call_page_shows_status_settings_and_scoring_grid(client, django_assert_num_queries):
    call = CallFactory(closes_at=None, ceiling_per_file=5000, expert_required=True)
    ScoringCriterionFactory(call=call, label_fr="Pertinence du projet", weight=3)
    ScoringCriterionFactory(call=call, label_fr="Qualité des données", weight=2)

    with django_assert_num_queries(4):  # call with programme, criteria, documents, FAQ
        response = client.get(call.get_absolute_url())

    page = response.content.decode()
    assert "Ouvert" in page and "Appel permanent" in page
    assert "5\xa0000\xa0€" in page  # French groups and the euro sign: no-break spaces
    assert "Pertinence du projet" in page and "Qualité des données" in page
    assert "Requis" in page


def test_call_texts_follow_the_chosen_language_with_french_fallback(client):
    call = CallFactory(title_fr="Appel PME", title_en="SME call", title_de="")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "SME call" in client.get(call.get_absolute_url()).content.decode()
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert "Appel PME" in client.get(call.get_absolute_url()).content.decode()


def test_unpublished_call_is_hidden_from_the_public_but_previewed_by_staff(client):
    call = CallFactory(is_published=False)
    assert client.get(call.get_absolute_url()).status_code == 404

    login_staff(client, UserFactory(is_staff=True))
    response = client.get(call.get_absolute_url())
    assert response.status_code == 200
    assert "pas publié" in response.content.decode()


def test_the_header_links_every_visitor_and_staff_destination_and_marks_the_current_page(client):
    visitor_links = {
        reverse("companies:expert_directory"),
        reverse("stats:key_figures"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("set_language"),
        *(
            reverse("programs:programme_detail", args=[slug])
            for slug in ("start-ia", "tremplin-ia", "cap-ia")
        ),
    }
    page = client.get(reverse("companies:expert_directory")).content.decode()
    for url in visitor_links:
        assert f'"{url}"' in page
    assert reverse("applications:staff_queue") not in page
    experts_link = f'class="nav-link active" href="{reverse("companies:expert_directory")}"'
    assert experts_link in page

    login_staff(client, UserFactory(is_staff=True))
    page = client.get(reverse("programs:home")).content.decode()
    for name in ("applications:staff_queue", "stats:dashboard", "admin:index", "account_logout"):
        assert f'"{reverse(name)}"' in page
    assert f'class="nav-link active" href="{reverse("programs:home")}"' in page
