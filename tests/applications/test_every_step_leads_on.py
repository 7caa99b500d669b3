"""Every step leads on: a visitor who applies from a call's page signs up and comes back to the
call's application after confirming their address; registering the organisation the application
asked for comes back to it; "Continue the application" opens the first step still to do; each
step says how many are done and left."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from applications.models import Application
from applications.services import application_start
from tests.auth import login
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.applicants import START_STEPS

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide-42"


def start_url(call) -> str:
    return reverse("applications:start", args=[call.slug])


def test_applying_from_a_call_page_signs_up_and_comes_back_to_the_application(
    client, start_call, django_capture_on_commit_callbacks
):
    # The call page's button, for a visitor: sign up first, with the way back.
    response = client.post(start_url(start_call), {"account": "signup"})
    signup = reverse("account_signup")
    assert response.status_code == 302
    assert response.url == f"{signup}?next={start_url(start_call).replace('/', '%2F')}"
    page = client.get(response.url).content.decode()
    assert f'value="{start_url(start_call)}"' in page  # carried by the sign-up form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            signup,
            {
                "first_name": "Julie",
                "last_name": "Dupont",
                "email": "julie@menuiserie.be",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "language": "fr",
                "next": start_url(start_call),
            },
        )
    assert response.status_code == 302

    # The confirmation link leads back there, whichever browser opens it.
    body = next(m.body for m in mail.outbox if m.to == ["julie@menuiserie.be"])
    link = re.search(r"https?://[^/\s]+(/compte/confirm-email/\S+)", body).group(1)
    assert link.endswith(f"?next={start_url(start_call).replace('/', '%2F')}")
    confirm = client.get(link)
    assert confirm.status_code == 200
    key = link.split("/")[-2]
    response = client.post(
        reverse("account_confirm_email", args=[key]), {"next": start_url(start_call)}
    )

    # Logged in, back to the application: no organisation yet, so its registration first.
    assert response.status_code == 302 and response.url == start_url(start_call)
    response = client.get(response.url)
    create = reverse("companies:organisation_create")
    assert response.url == f"{create}?next={start_url(start_call).replace('/', '%2F')}"


def test_registering_the_organisation_comes_back_to_the_application_with_its_step_done(
    client, start_call
):
    user = UserFactory()
    login(client, user)
    response = client.post(start_url(start_call))
    create = reverse("companies:organisation_create")
    assert response.url.startswith(create)
    assert f'value="{start_url(start_call)}"' in client.get(response.url).content.decode()

    response = client.post(
        create,
        {
            "name": "Menuiserie Dupont SRL",
            "enterprise_number": "0403.170.701",
            "kind": "sme",
            "street": "Rue de la Station 12",
            "postcode": "4000",
            "headcount": "12",
            "turnover": "1500000",
            "balance_sheet": "900000",
            "nace_codes": "16.230",
            "website": "",
            "phone": "",
            "next": start_url(start_call),
        },
    )
    assert response.url == start_url(start_call)
    response = client.get(response.url)

    application = Application.objects.get()
    assert response.url == reverse("applications:step", args=[application.pk, "contact"])
    assert application.data["organisation"] == {"confirmed": True}  # just typed: confirmed
    assert "organisation" in application.completed_steps


def test_an_organisation_that_existed_before_is_still_confirmed_on_its_step(
    client, applicant, start_call
):
    login(client, applicant)

    response = client.post(start_url(start_call))

    application = Application.objects.get()
    assert response.url == reverse("applications:step", args=[application.pk, "organisation"])
    assert application.completed_steps == []


def test_a_link_to_the_application_start_alone_never_starts_a_file(client, applicant, start_call):
    login(client, applicant)

    response = client.get(start_url(start_call))

    assert response.status_code == 302 and response.url == start_call.get_absolute_url()
    assert not Application.objects.exists()


def test_a_visitor_following_the_start_link_logs_in_first(client, start_call):
    response = client.get(start_url(start_call))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not Application.objects.exists()


def test_the_call_page_offers_to_sign_up_or_log_in_to_apply(client, start_call):
    page = client.get(start_call.get_absolute_url()).content.decode()
    assert f'action="{start_url(start_call)}"' in page
    assert 'name="account" value="signup"' in page and 'name="account" value="login"' in page


def test_continue_the_application_opens_the_first_step_still_to_do(client, applicant, start_call):
    login(client, applicant)
    application = application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    for slug in ("organisation", "contact"):
        application.refresh_from_db()
        client.post(
            reverse("applications:step", args=[application.pk, slug]),
            {**START_STEPS[slug], "version": str(application.version), "save_continue": "1"},
        )

    page = client.get(application.get_absolute_url()).content.decode()

    assert f'href="{reverse("applications:step", args=[application.pk, "needs"])}"' in page


def test_continue_leads_to_the_review_once_every_step_is_done(
    client, applicant, start_call, expert
):
    from tests.fixtures.applicants import fill_steps

    login(client, applicant)
    application = application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    fill_steps(client, application, expert)

    page = client.get(application.get_absolute_url()).content.decode()

    assert f'href="{reverse("applications:review", args=[application.pk])}"' in page


def test_each_step_shows_how_many_steps_are_done_and_left(client, applicant, start_call):
    login(client, applicant)
    application = application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    client.post(
        reverse("applications:step", args=[application.pk, "organisation"]),
        {**START_STEPS["organisation"], "version": "1", "save_continue": "1"},
    )

    response = client.get(reverse("applications:step", args=[application.pk, "contact"]))

    progress = response.context["progress"]
    assert (progress.done, progress.left) == (1, 3)  # the documents are optional in Start IA
    page = response.content.decode()
    assert '<progress class="step-progress-bar mb-2" value="1" max="4"' in page
    assert 'aria-labelledby="progress-summary"' in page
    assert 'aria-current="step"' in page


def test_someone_else_cannot_resume_another_persons_pending_application(client, start_call):
    """The pending request lives in the person's own session: nothing starts for anyone else."""
    stranger = make_member(OrganisationFactory())
    other = Client()
    login(other, stranger)

    response = other.get(start_url(start_call))

    assert response.url == start_call.get_absolute_url()
    assert not Application.objects.exists()
