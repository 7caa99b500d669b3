""" "Which programme for me?": answers before sign-up give a programme and a call, with the
reasons, by the eligibility checks of a submission (applications/eligibility.profile_checks)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import eligibility
from applications.eligibility import Check
from programs.models import EligibilityRule, Programme
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

URL = reverse("applications:programme_finder")


@pytest.fixture
def calls():
    programme = {p.code: p for p in Programme.objects.all()}
    return {
        "start_sme": CallFactory(
            programme=programme["START"],
            title_fr="Start IA — PME",
            audiences=["sme", "startup"],
            eligibility_rules=["walloon_seat", "audience_kind", "sme_size"],
        ),
        "start_public": CallFactory(
            programme=programme["START"],
            title_fr="Start IA — Pouvoirs publics",
            audiences=["public_body"],
            eligibility_rules=["walloon_seat", "audience_kind"],
            closes_at=None,
        ),
        "tremplin": CallFactory(
            programme=programme["TREMPLIN"],
            audiences=["sme", "startup", "large_company"],
            eligibility_rules=["walloon_seat", "audience_kind", "no_other_open_file"],
        ),
        "cap": CallFactory(
            programme=programme["CAP"],
            audiences=["sme", "startup"],
            eligibility_rules=["walloon_seat", "earlier_file_required"],
        ),
    }


def ask(client, **answers):
    query = {
        "kind": "sme",
        "postcode": "5000",
        "headcount": "12",
        "turnover": "1 500 000",
        "public_control": "no",
        "stage": "exploring",
        **answers,
    }
    response = client.get(URL, query)
    assert response.status_code == 200
    return response


def test_an_sme_starting_out_is_sent_to_start_ia_and_its_open_call_for_smes(client, calls):
    response = ask(client)
    found = response.context["recommendation"]
    assert found.programme.code == "START"
    assert found.call.call == calls["start_sme"]
    assert [c.rule for c in found.call.checks] == ["walloon_seat", "audience_kind", "sme_size"]
    assert all(c.passed for c in found.call.checks)
    assert found.reasons
    page = response.content.decode()
    assert calls["start_sme"].get_absolute_url() in page
    # Signing up from here comes back to the call.
    assert f"?next={calls['start_sme'].get_absolute_url()}" in page.replace("%2F", "/")


def test_the_finder_checks_calls_with_the_submissions_own_rules(client, calls, monkeypatch):
    said = Check(EligibilityRule.SME_SIZE, False, "the submission's SME rule said no")
    monkeypatch.setitem(eligibility.PROFILE_RULES, EligibilityRule.SME_SIZE, lambda app: said)
    response = ask(client)
    found = response.context["recommendation"]
    assert found.call is None  # the only Start IA call for SMEs is closed to it now
    assert "the submission&#x27;s SME rule said no" in response.content.decode()


def test_a_large_enterprise_is_told_why_the_sme_call_is_not_for_it(client, calls):
    response = ask(client, kind="sme", headcount="300", turnover="80 000 000")
    fit = next(f for f in response.context["recommendation"].fits if f.call == calls["start_sme"])
    assert not fit.passes
    failed = [c for c in fit.checks if not c.passed]
    assert [c.rule for c in failed] == ["sme_size"]
    assert "c'est une grande entreprise selon la définition européenne" in failed[0].message


def test_a_seat_outside_wallonia_fails_every_call_on_that_rule(client, calls):
    response = ask(client, postcode="1000")
    found = response.context["recommendation"]
    assert found.call is None
    for fit in found.fits:
        assert not next(c for c in fit.checks if c.rule == "walloon_seat").passed


def test_a_municipality_is_sent_to_the_call_for_public_bodies(client, calls):
    found = ask(client, kind="commune", headcount="", turnover="").context["recommendation"]
    assert found.programme.code == "START"
    assert found.call.call == calls["start_public"]


@pytest.mark.parametrize(
    ("stage", "done", "programme"),
    [
        ("use_case", [], "TREMPLIN"),
        ("exploring", ["START"], "TREMPLIN"),  # the next step on the path
        ("pilot", ["START", "TREMPLIN"], "CAP"),
    ],
)
def test_where_it_stands_and_what_it_did_choose_the_programme(
    client, calls, stage, done, programme
):
    found = ask(client, stage=stage, programmes_done=done).context["recommendation"]
    assert found.programme.code == programme


def test_cap_ia_needs_tremplin_ia_gone_through(client, calls):
    without = ask(client, stage="pilot").context["recommendation"]
    assert without.programme.code == "CAP" and without.call is None
    fit = next(f for f in without.fits if f.call == calls["cap"])
    assert [c.rule for c in fit.checks if not c.passed] == ["earlier_file_required"]
    after = ask(client, stage="pilot", programmes_done=["TREMPLIN"]).context["recommendation"]
    assert after.call.call == calls["cap"]


def test_with_no_open_call_the_programmes_next_calls_are_offered(client):
    now = timezone.now()
    upcoming = CallFactory(
        programme=Programme.objects.get(code="CAP"),
        opens_at=now + timedelta(days=30),
        closes_at=now + timedelta(days=90),
    )
    found = ask(client, stage="pilot").context["recommendation"]
    assert found.call is None and found.upcoming == [upcoming]


@pytest.mark.parametrize("postcode", ["0000", "\u0665\u0660\u0660\u0660", "abcd", "5" * 5000])
def test_odd_answers_are_refused_on_their_field_never_a_500(client, calls, postcode):
    response = ask(client, postcode=postcode)
    assert response.context["recommendation"] is None
    assert "postcode" in response.context["form"].errors


def test_a_nul_character_in_the_answers_is_a_400(client, calls):
    assert client.get(URL, {"kind": "sme", "postcode": "50\x0000"}).status_code == 400


def test_the_home_and_programme_pages_lead_to_the_finder(client):
    for page in (reverse("programs:home"), reverse("programs:programme_detail", args=["start-ia"])):
        response = client.get(page)
        assert response.status_code == 200
        assert f'href="{URL}"' in response.content.decode()
