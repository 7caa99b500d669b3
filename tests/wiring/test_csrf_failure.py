"""A form sent from an out-of-date page (its person logged in or out since, perhaps in another
tab) is refused with the portal's own page, in the reader's language, leading back to the page
it came from; the API keeps its error shape."""

import pytest
from django.test import Client
from django.urls import reverse

from applications.services import application_start
from tests.auth import login

pytestmark = pytest.mark.django_db


def test_a_step_sent_from_an_out_of_date_page_leads_back_to_it(applicant, start_call):
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    step = reverse("applications:step", args=[draft.pk, "needs"])
    client = Client(enforce_csrf_checks=True)
    login(client, applicant)
    client.get(step)  # the CSRF cookie

    response = client.post(
        step,
        {"activity": "Texte.", "version": "1", "csrfmiddlewaretoken": "x" * 64},
        headers={"referer": f"http://testserver{step}?next=%2Fdossiers%2F"},
    )

    assert response.status_code == 403
    assert response.templates[0].name == "403_csrf.html"
    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert f'href="{step}?next=%2Fdossiers%2F"' in page
    draft.refresh_from_db()
    assert "needs" not in draft.data


@pytest.mark.parametrize(
    "referer", ["https://evil.example/dossiers/", "", "http://testserver.evil.example/x/"]
)
def test_the_way_back_is_never_another_sites(applicant, referer):
    client = Client(enforce_csrf_checks=True)
    login(client, applicant)

    response = client.post("/organisations/nouvelle/", {}, headers={"referer": referer})

    assert response.status_code == 403
    assert 'href="/organisations/nouvelle/"' in response.content.decode()
    assert "evil.example" not in response.content.decode()


def test_the_page_is_in_the_readers_language(client, applicant):
    applicant.language = "de"
    applicant.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    login(client, applicant)

    response = client.post("/organisations/nouvelle/", {})

    assert response.status_code == 403
    assert '<html lang="de"' in response.content.decode()
