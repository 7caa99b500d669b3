"""A file's conversation and the notifications it brings, in a real browser (issue 21): the
applicant writes to the AdN from the file's page, a programme manager sees it unread, reads it
and answers, the applicant is told and reads the answer; a reviewer assigned to the file is told.

Everybody logs in through the real forms (staff: password, then the TOTP code). The starting
state (a submitted file) is made by the services. Buttons and fields are found by their name or
form action rather than their label: the labels are translated (French is shown)."""

import re

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse
from playwright.sync_api import expect

from adn_portal.accounts.models import Notification, NotificationKind
from applications import services
from applications.models import ApplicantMessage, Assignment, Side
from applications.steps import steps_for
from programs.models import FormSection, Programme
from tests.factories import DEFAULT_PASSWORD, CallFactory, OrganisationFactory, make_member
from tests.fixtures.applicants import DECLARATIONS
from tests.fixtures.staff import staff

from .browser import assert_styled, shot
from .test_accessibility import AXE, report

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOTIFICATIONS = "/compte/notifications/"
QUESTION = "Pouvons-nous commencer le diagnostic avant la décision ?"
ANSWER = "Oui, à vos risques : les frais engagés avant la décision ne sont pas couverts."
AXE_RUN = (
    "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
)


def submitted_file(applicant, organisation):
    """A Start IA file filled in and submitted through the services (no expert chosen)."""
    call = CallFactory(
        programme=Programme.objects.get(code=Programme.Code.START_IA),
        audiences=["sme"],
        eligibility_rules=[],
        form_sections=[FormSection.CHALLENGES],
    )
    application = services.application_start(call=call, organisation=organisation, by=applicant)
    answers = {
        "organisation": {"confirmed": True},
        "contact": {
            "contact_name": "Sophie Martin",
            "contact_function": "Gérante",
            "contact_email": applicant.email,
            "contact_phone": "+32 87 12 34 56",
        },
        "needs": {
            "activity": "Fromagerie artisanale.",
            "challenges": "Prévoir la demande.",
            "available_data": "Trois ans de ventes.",
            "maturity": "none",
            "expected_benefits": "Moins d'invendus.",
        },
    }
    for step in steps_for(call):
        form = step.form_class(answers[step.slug], application=application)
        assert form.is_valid(), (step.slug, form.errors)
        application = services.application_save_step(
            application=application,
            step=step,
            cleaned=form.cleaned_data,
            raw={},
            version=application.version,
            by=applicant,
        )
    return services.application_submit(
        application=application, by=applicant, declarations=DECLARATIONS
    )


def with_totp(user, secret: str):
    TOTP.activate(user, secret)
    return user


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def log_in_through_the_forms(page, user, totp_secret: str | None = None) -> None:
    """The log-in page, then for staff the second-factor page, as a person fills them in."""
    page.context.clear_cookies()
    page.goto(reverse("account_login"))
    form = page.locator("main form", has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if totp_secret:
        expect(page).to_have_url(re.compile(re.escape(reverse("mfa_authenticate")) + "$"))
        form = page.locator("main form", has=page.locator("input[name=code]"))
        form.locator("input[name=code]").fill(totp_code(totp_secret))
        with page.expect_navigation():  # not "cancel", which logs out (its form= elsewhere)
            form.locator("button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/$"))  # the home page (LOGIN_REDIRECT_URL)


def header_count(page):
    """The header's badge of unread notifications (absent when there are none)."""
    return page.locator("header a.notifications-link #unread-notifications")


def unread(n: int):
    """The badge's text: the number, then "unread" for screen readers."""
    return re.compile(rf"^\s*{n}\s+\D")


def audit(page, live_server, urls: list[str], name: str) -> None:
    """axe on `urls`, as the page's person (their session cookie), in a context that may
    bypass the CSP to inject it (test_accessibility.py). The pages were read already: looking
    again changes nothing."""
    context = page.context.browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.add_cookies(page.context.cookies())
    audited = context.new_page()
    found = []
    for url in urls:
        response = audited.goto(url)
        assert response.ok and audited.url == live_server.url + url, (url, audited.url)
        audited.add_script_tag(path=str(AXE))
        result = audited.evaluate(AXE_RUN)
        found += [
            {"url": url, "id": v["id"], "impact": v["impact"], "help": v["help"]}
            for v in result["violations"]
        ]
    context.close()
    report(found, name)


def test_applicant_and_manager_converse_and_the_assigned_reviewer_is_told(page, live_server):
    organisation = OrganisationFactory(name="Fromagerie des Fagnes SRL", postcode="4950")
    applicant = make_member(organisation)
    manager = with_totp(
        staff("programme manager", "START", first_name="Claire", last_name="Gérard"),
        "JBSWY3DPEHPK3PXP",
    )
    reviewer = with_totp(
        staff("reviewer", "START", first_name="Anne", last_name="Lejeune"), "KRSXG5CTMVRXEZLU"
    )
    application = submitted_file(applicant, organisation)  # the manager is told
    reference = application.reference
    file_url = application.get_absolute_url()
    staff_url = reverse("applications:staff_application", args=[application.pk])
    conversation_url = reverse("applications:staff_conversation", args=[application.pk])

    # The applicant opens the file: the AdN's acknowledgement is there, told in the header.
    log_in_through_the_forms(page, applicant)
    assert_styled(page)
    expect(header_count(page)).to_have_text(unread(1))
    page.goto(file_url)
    conversation = page.locator("main section#conversation")
    expect(conversation.locator("article.message")).to_have_count(1)  # the acknowledgement
    expect(header_count(page)).to_have_count(0)  # read with the conversation

    # … and writes to the AdN.
    form = conversation.locator(
        f"form[action='{reverse('applications:message_send', args=[application.pk])}']"
    )
    form.locator("textarea[name=body]").fill(QUESTION)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(file_url) + "#conversation$"))
    expect(page.locator(".messages .alert-success")).to_be_visible()
    messages = conversation.locator("article.message")
    expect(messages).to_have_count(2)
    expect(messages.last.locator(".message-body")).to_have_text(QUESTION)
    expect(messages.last).to_contain_text(organisation.name)
    shot(page, "70-conversation-applicant-writes")
    question = ApplicantMessage.objects.get(application=application, author_side=Side.APPLICANT)
    assert question.body == QUESTION and question.sent_by == applicant

    # The manager: the new file and the message in the header, the message in the queue.
    log_in_through_the_forms(page, manager, "JBSWY3DPEHPK3PXP")
    expect(header_count(page)).to_have_text(unread(2))  # the submission, the message
    page.goto(reverse("applications:staff_queue"))
    row = page.locator("main table tbody tr", has_text=reference)
    badge = row.locator(f"a[href='{conversation_url}'] .unread-messages")
    expect(badge).to_have_text(unread(1))
    shot(page, "71-conversation-staff-queue-unread")

    # The badge leads to the conversation: the question, marked new, with who wrote it.
    with page.expect_navigation():
        badge.click()
    expect(page).to_have_url(re.compile(re.escape(conversation_url) + "$"))
    expect(page.locator("main h1")).to_contain_text(reference)
    thread = page.locator("main section#conversation")
    new = thread.locator("article.message-new")
    expect(new).to_have_count(1)
    expect(new.locator(".message-body")).to_have_text(QUESTION)
    expect(new).to_contain_text(organisation.name)
    expect(header_count(page)).to_have_text(unread(1))  # only the submission is left
    shot(page, "72-conversation-staff-reads")

    # … and answers.
    form = thread.locator(f"form[action='{conversation_url}']")
    form.locator("textarea[name=body]").fill(ANSWER)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(conversation_url) + "$"))
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(thread.locator("article.message").last.locator(".message-body")).to_have_text(ANSWER)
    expect(thread.locator("article.message").last).to_contain_text("Claire Gérard")
    expect(thread.locator("article.message-new")).to_have_count(0)
    answer = ApplicantMessage.objects.get(application=application, body=ANSWER)
    assert answer.author_side == Side.ADN and answer.sent_by == manager

    # Back in the queue the badge is gone.
    page.goto(reverse("applications:staff_queue"))
    expect(row).to_have_count(1)
    expect(row.locator(".unread-messages")).to_have_count(0)

    # The manager assigns the reviewer on the file's page.
    page.goto(staff_url)
    assign = page.locator(
        f"form[action='{reverse('applications:staff_application_assign', args=[application.pk])}']"
    )
    assign.locator("select[name=reviewer]").select_option(str(reviewer.pk))
    with page.expect_navigation():
        assign.locator("button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    assert (
        Assignment.objects.get(application=application, ended_at__isnull=True).reviewer == reviewer
    )
    audit(
        page, live_server, [conversation_url, reverse("notifications:list")], "conversation-staff"
    )

    # The applicant is told: the header's count, their files' list, the notification list.
    log_in_through_the_forms(page, applicant)
    expect(header_count(page)).to_have_text(unread(1))
    page.goto(reverse("applications:my_applications"))
    mine = page.locator("main table tbody tr", has_text=reference)
    expect(mine.locator(".unread-messages")).to_have_text(unread(1))
    page.goto(NOTIFICATIONS)
    notices = page.locator("main ul.notification-list li")
    expect(notices.filter(has=page.locator("a"))).to_have_count(2)  # acknowledgement, answer
    fresh = notices.and_(page.locator(".unread"))
    expect(fresh).to_have_count(1)
    expect(fresh).to_contain_text(reference)
    expect(page.locator("main p[role=status]")).to_have_text(re.compile(r"^\s*1\D"))
    shot(page, "73-conversation-applicant-notified")

    # Following it leads to the conversation on the file's page, where the answer is new.
    with page.expect_navigation():
        fresh.locator("a").click()
    expect(page).to_have_url(re.compile(re.escape(file_url) + "#conversation$"))
    messages = page.locator("main section#conversation article.message")
    expect(messages).to_have_count(3)
    expect(messages.last).to_have_class(re.compile(r"\bmessage-new\b"))
    expect(messages.last.locator(".message-body")).to_have_text(ANSWER)
    expect(messages.last).not_to_contain_text("Gérard")  # staff names stay within the AdN
    expect(header_count(page)).to_have_count(0)
    shot(page, "74-conversation-applicant-reads")

    # Read: the list has nothing unread left, and the file page shows nothing new any more.
    page.goto(NOTIFICATIONS)
    expect(notices.and_(page.locator(".unread"))).to_have_count(0)
    expect(page.locator("main p[role=status]")).to_have_text(re.compile(r"^\s*0\D"))
    page.goto(file_url)
    expect(page.locator("main section#conversation article.message-new")).to_have_count(0)
    assert not Notification.objects.filter(recipient=applicant, read_at__isnull=True).exists()
    audit(page, live_server, [file_url, NOTIFICATIONS], "conversation-applicant")

    # The reviewer is told of the assignment, and the notification opens the file.
    log_in_through_the_forms(page, reviewer, "KRSXG5CTMVRXEZLU")
    expect(header_count(page)).to_have_text(unread(1))
    page.goto(NOTIFICATIONS)
    fresh = notices.and_(page.locator(".unread"))
    expect(fresh).to_have_count(1)
    expect(fresh).to_contain_text(reference)
    assert Notification.objects.get(recipient=reviewer).kind == NotificationKind.ASSIGNMENT
    shot(page, "75-conversation-reviewer-notified")
    with page.expect_navigation():
        fresh.locator("a").click()
    expect(page).to_have_url(re.compile(re.escape(staff_url) + "$"))
    expect(page.locator("main h1")).to_contain_text(reference)
    expect(header_count(page)).to_have_count(0)
