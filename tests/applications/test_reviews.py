"""Reviews (docs/domain.md, Reviews): the no-conflict confirmation before a reviewer reads a
file, a review on the call's own criteria (scale, weight, guidance), its draft and its locked
submission, the versions of the review form, the side-by-side page, and a decision taken once
its message to the applicant was shown. Pages and API alike."""

import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from applications import services
from applications.models import ApplicantMessage, ConflictOfInterest, Review, Score
from applications.workflow import Status
from programs.models import ScoringCriterion
from tests.auth import login_staff
from tests.factories import CallFactory, ScoringCriterionFactory
from tests.fixtures.staff import review, scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return staff("reviewer", "START", last_name="Revue")


@pytest.fixture
def manager():
    return staff("programme manager", "START", last_name="Gestion")


def file_url(application, name="staff_application") -> str:
    return reverse(f"applications:{name}", args=[application.pk])


def custom_call():
    """A call whose review form has its own criterion: a 0 to 10 scale with guidance."""
    call = CallFactory(programme=scored_call().programme)
    ScoringCriterionFactory(call=call, label_fr="Pertinence", weight=3, position=1)
    ScoringCriterionFactory(
        call=call,
        label_fr="Impact sur l'emploi",
        label_en="Impact on jobs",
        guidance_fr="Combien d'emplois le projet crée-t-il ?",
        guidance_en="How many jobs does the project create?",
        scale_min=0,
        scale_max=10,
        weight=Decimal("1.5"),
        position=2,
    )
    return call


def criteria_of(call):
    return list(call.criteria.filter(version=call.review_version).order_by("position"))


def in_french(message: str, **params) -> str:
    """A message as the page says it to a French reader (the msgid itself while the
    catalogue does not have it yet)."""
    with translation.override("fr"):
        return translation.gettext(message) % params


# --- the no-conflict confirmation ----------------------------------------------------------


def test_a_reviewer_confirms_no_conflict_of_interest_before_reading_a_file(client, reviewer):
    application = submitted_file(status=Status.UNDER_REVIEW)
    login_staff(client, reviewer)

    first = client.get(file_url(application))
    assert first.status_code == 200
    assert "applications/staff/declaration.html" in [t.name for t in first.templates]
    assert application.organisation.name in html.unescape(first.content.decode())
    assert 'id="answers"' not in first.content.decode()  # nothing of the file yet

    answered = client.post(
        file_url(application, "staff_application_declaration"), {"answer": "no_conflict"}
    )
    assert answered.status_code == 302
    assert answered.url == file_url(application) + "#my-review"
    opened = Review.objects.get(application=application, reviewer=reviewer)
    assert opened.status == Review.Status.DRAFT and opened.no_conflict_confirmed_at

    page = client.get(file_url(application))
    assert page.status_code == 200
    assert "applications/staff/application.html" in [t.name for t in page.templates]
    assert 'id="answers"' in page.content.decode()


def test_a_declared_conflict_takes_the_file_away_from_the_reviewer(client, reviewer, manager):
    application = submitted_file(status=Status.UNDER_REVIEW)
    services.application_assign(application=application, reviewer=reviewer, by=manager)
    login_staff(client, reviewer)

    answered = client.post(
        file_url(application, "staff_application_declaration"),
        {"answer": "conflict", "reason": "Mon beau-frère dirige l'entreprise."},
    )
    assert answered.status_code == 302
    assert answered.url == reverse("applications:staff_queue")
    conflict = ConflictOfInterest.objects.get(reviewer=reviewer)
    assert conflict.organisation_id == application.organisation_id
    assert not application.assignments.filter(ended_at__isnull=True).exists()
    assert client.get(file_url(application)).status_code == 404
    assert not Review.objects.filter(reviewer=reviewer).exists()


def test_the_declaration_through_the_api_opens_the_review_or_removes_access(reviewer):
    open_file, conflicted_file = (
        submitted_file(status=Status.UNDER_REVIEW),
        submitted_file(status=Status.UNDER_REVIEW),
    )
    api = APIClient()
    api.force_authenticate(reviewer)
    base = "/api/v1/staff/applications"

    not_yet = api.post(f"{base}/{open_file.pk}/scores/", {"scores": {}}, format="json")
    assert not_yet.status_code == 409
    assert not Review.objects.exists()

    opened = api.post(
        f"{base}/{open_file.pk}/declaration/", {"answer": "no_conflict"}, format="json"
    )
    assert opened.status_code == 204
    assert Review.objects.filter(application=open_file, reviewer=reviewer).exists()

    assert api.get(f"{base}/{conflicted_file.pk}/").status_code == 409  # not before declaring
    assert api.get(f"{base}/{open_file.pk}/").status_code == 200
    declared = api.post(
        f"{base}/{conflicted_file.pk}/declaration/", {"answer": "conflict"}, format="json"
    )
    assert declared.status_code == 204
    assert api.get(f"{base}/{conflicted_file.pk}/").status_code == 404


def test_a_manager_reads_the_file_and_declares_before_reviewing_it(client, manager):
    application = submitted_file(status=Status.UNDER_REVIEW)
    login_staff(client, manager)
    page = client.get(file_url(application))
    assert page.status_code == 200
    assert 'id="answers"' in page.content.decode()
    assert page.context["declaration_form"] is not None and page.context["review_form"] is None


# --- the review: the call's criteria, a draft, a locked submission ---------------------------


def test_a_review_uses_the_calls_own_criteria_scales_and_guidance(client, reviewer):
    call = custom_call()
    relevance, jobs = criteria_of(call)
    application = submitted_file(call, status=Status.UNDER_REVIEW)
    services.review_open(application=application, reviewer=reviewer)
    login_staff(client, reviewer)

    page = client.get(file_url(application))
    assert page.status_code == 200
    form = page.context["review_form"]
    assert [c.strip() for c, _label in form.fields[f"score_{jobs.pk}"].choices[1:]] == [
        str(n) for n in range(11)
    ]
    assert "Combien d'emplois le projet crée-t-il ?" in html.unescape(page.content.decode())

    too_high = client.post(
        file_url(application, "staff_application_score"), {f"score_{relevance.pk}": "6"}
    )
    assert too_high.status_code == 400
    assert f"score_{relevance.pk}" in too_high.context["review_form"].errors

    saved = client.post(
        file_url(application, "staff_application_score"),
        {
            f"score_{jobs.pk}": "9",
            f"comment_{jobs.pk}": "12 emplois",
            "internal_comment": "À suivre",
        },
    )
    assert saved.status_code == 302 and saved.url.endswith("#my-review")
    draft = Review.objects.get(application=application, reviewer=reviewer)
    assert draft.status == Review.Status.DRAFT and draft.internal_comment == "À suivre"
    assert list(draft.scores.values_list("criterion_id", "value", "comment")) == [
        (jobs.pk, 9, "12 emplois")
    ]


def test_a_submitted_review_is_complete_and_locked(client, reviewer):
    call = custom_call()
    relevance, jobs = criteria_of(call)
    application = submitted_file(call, status=Status.UNDER_REVIEW)
    services.review_open(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    url = file_url(application, "staff_application_score")

    incomplete = client.post(url, {f"score_{relevance.pk}": "4", "submit": "True"})
    assert incomplete.status_code == 400
    errors = incomplete.context["review_form"].errors
    assert f"score_{jobs.pk}" in errors and "recommendation" in errors
    assert not Score.objects.exists()

    complete = {
        f"score_{relevance.pk}": "4",
        f"score_{jobs.pk}": "7",
        "recommendation": "fund_with_conditions",
        "comment_for_applicant": "Précisez le calendrier.",
        "submit": "True",
    }
    submitted = client.post(url, complete)
    assert submitted.status_code == 302
    locked = Review.objects.get(application=application, reviewer=reviewer)
    assert locked.status == Review.Status.SUBMITTED and locked.submitted_at is not None
    assert locked.recommendation == "fund_with_conditions"
    event = application.events.get(kind="review")
    assert Decimal(event.comment) == 4 * 3 + 7 * Decimal("1.5")

    again = client.post(url, {**complete, f"score_{jobs.pk}": "1"}, follow=True)
    assert again.status_code == 200
    said = [str(m) for m in again.context["messages"]]
    assert in_french("Your review is submitted: it can no longer be changed.") in said
    assert locked.scores.get(criterion=jobs).value == 7

    api = APIClient()
    api.force_authenticate(reviewer)
    refused = api.post(
        f"/api/v1/staff/applications/{application.pk}/scores/",
        {"scores": {str(jobs.pk): {"value": 2}}},
        format="json",
    )
    assert refused.status_code == 409
    assert locked.scores.get(criterion=jobs).value == 7
    page = client.get(file_url(application))
    assert page.context["review_form"] is None  # the locked review is shown, not its form


def test_the_api_saves_and_submits_a_review_with_the_pages_rules(reviewer):
    call = custom_call()
    relevance, jobs = criteria_of(call)
    application = submitted_file(call, status=Status.UNDER_REVIEW)
    services.review_open(application=application, reviewer=reviewer)
    api = APIClient()
    api.force_authenticate(reviewer)
    url = f"/api/v1/staff/applications/{application.pk}/scores/"

    out_of_scale = api.post(url, {"scores": {str(jobs.pk): {"value": 11}}}, format="json")
    assert out_of_scale.status_code == 400
    assert {e["field"] for e in out_of_scale.json()["errors"]} == {f"scores.{jobs.pk}.value"}

    incomplete = api.post(
        url, {"scores": {str(jobs.pk): {"value": 8}}, "submit": True}, format="json"
    )
    assert incomplete.status_code == 400
    assert {e["field"] for e in incomplete.json()["errors"]} == {
        f"scores.{relevance.pk}.value",
        "recommendation",
    }

    body = {
        "scores": {str(relevance.pk): {"value": 5}, str(jobs.pk): {"value": 8, "comment": "ok"}},
        "recommendation": "fund",
        "internal_comment": "Solide.",
        "submit": True,
    }
    submitted = api.post(url, body, format="json")
    assert submitted.status_code == 200
    answer = submitted.json()
    assert answer["status"] == "submitted" and answer["recommendation"] == "fund"
    assert {(s["criterion"], s["value"]) for s in answer["scores"]} == {
        (relevance.pk, 5),
        (jobs.pk, 8),
    }


# --- the review form's versions --------------------------------------------------------------


def test_changing_an_answered_review_form_makes_a_version_and_keeps_the_reviews(
    client, reviewer, manager
):
    call = custom_call()
    relevance, jobs = criteria_of(call)
    application = submitted_file(call, status=Status.UNDER_REVIEW)
    review(application, reviewer, scores={relevance.pk: (4, ""), jobs.pk: (6, "")})
    call.refresh_from_db()
    assert call.review_version == 1 and call.review_version_frozen

    login_staff(client, manager)
    form = client.get(reverse("programs:staff_call_review_form", args=[call.slug]))
    assert form.status_code == 200
    formset = form.context["criteria_formset"]
    data = {
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "2",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "30",
    }
    for i, initial in enumerate(formset.initial):
        data |= {f"criteria-{i}-{k}": "" if v is None else str(v) for k, v in initial.items()}
    data["criteria-0-weight"] = "5"  # relevance weighs more now
    data["criteria-1-DELETE"] = "on"  # jobs removed
    data |= {
        "criteria-2-label_fr": "Données disponibles",
        "criteria-2-scale_min": "1",
        "criteria-2-scale_max": "4",
        "criteria-2-weight": "2",
        "criteria-2-position": "3",
    }
    saved = client.post(reverse("programs:staff_call_review_form", args=[call.slug]), data)
    assert saved.status_code == 302

    call.refresh_from_db()
    assert call.review_version == 2 and not call.review_version_frozen
    current = criteria_of(call)
    assert [(c.label_fr, c.weight, c.scale_max) for c in current] == [
        ("Pertinence", Decimal("5"), 5),
        ("Données disponibles", Decimal("2"), 4),
    ]
    # Version 1 and the review that answered it are as they were.
    relevance.refresh_from_db()
    jobs.refresh_from_db()
    assert (relevance.weight, relevance.version, jobs.version) == (Decimal("3"), 1, 1)
    answered = Review.objects.get(application=application)
    assert answered.form_version == 1
    assert sorted(answered.scores.values_list("criterion_id", flat=True)) == [
        relevance.pk,
        jobs.pk,
    ]

    # A new review answers version 2; the side-by-side page shows each with its own criteria.
    other = staff("reviewer", "START", last_name="Seconde")
    second = review(application, other, 3)
    assert second.form_version == 2
    page = client.get(file_url(application, "staff_application_reviews"))
    assert page.status_code == 200
    versions = page.context["summary"]["versions"]
    assert [(v["version"], [c.label_fr for c in v["criteria"]]) for v in versions] == [
        (1, ["Pertinence", "Impact sur l'emploi"]),
        (2, ["Pertinence", "Données disponibles"]),
    ]


def test_a_review_form_unanswered_is_changed_in_place(client, manager):
    call = custom_call()
    relevance, _jobs = criteria_of(call)
    login_staff(client, manager)
    data = {
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "1",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "30",
        "criteria-0-id": str(relevance.pk),
        "criteria-0-label_fr": "Pertinence du projet",
        "criteria-0-scale_min": "0",
        "criteria-0-scale_max": "5",
        "criteria-0-weight": "3",
        "criteria-0-position": "1",
    }
    saved = client.post(reverse("programs:staff_call_review_form", args=[call.slug]), data)
    assert saved.status_code == 302
    call.refresh_from_db()
    assert call.review_version == 1
    assert [c.label_fr for c in call.criteria.all()] == ["Pertinence du projet"]


def test_a_review_form_refuses_a_scale_upside_down(client, manager):
    call = custom_call()
    login_staff(client, manager)
    data = {
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "30",
        "criteria-0-label_fr": "Envers",
        "criteria-0-scale_min": "5",
        "criteria-0-scale_max": "2",
        "criteria-0-weight": "1",
        "criteria-0-position": "1",
    }
    refused = client.post(reverse("programs:staff_call_review_form", args=[call.slug]), data)
    assert refused.status_code == 400
    assert refused.context["criteria_formset"].forms[0].errors
    assert call.criteria.count() == 2


def test_a_review_form_is_copied_from_an_earlier_call(client, manager):
    earlier = custom_call()
    call = scored_call()
    login_staff(client, manager)
    copied = client.post(
        reverse("programs:staff_call_review_form_copy", args=[call.slug]), {"source": earlier.pk}
    )
    assert copied.status_code == 302
    assert [(c.label_fr, c.scale_max, c.guidance_fr) for c in criteria_of(call)] == [
        (c.label_fr, c.scale_max, c.guidance_fr) for c in criteria_of(earlier)
    ]
    assert len(criteria_of(earlier)) == 2  # the source keeps its own


def test_only_the_programmes_managers_keep_a_calls_review_form(client, reviewer):
    call = custom_call()
    elsewhere = staff("programme manager", "TREMPLIN")
    for user in (reviewer, elsewhere):
        login_staff(client, user)
        url = reverse("programs:staff_call_review_form", args=[call.slug])
        assert client.get(url).status_code == 404
        assert client.post(url, {"criteria-TOTAL_FORMS": "0"}).status_code == 404
        copy = reverse("programs:staff_call_review_form_copy", args=[call.slug])
        assert client.post(copy, {"source": call.pk}).status_code == 404
    assert call.criteria.count() == 2


# --- side by side ----------------------------------------------------------------------------


def test_a_manager_sees_every_submitted_review_side_by_side(client, manager):
    call = custom_call()
    relevance, jobs = criteria_of(call)
    application = submitted_file(call, status=Status.UNDER_REVIEW)
    first, second = (
        staff("reviewer", "START", last_name="Un"),
        staff("reviewer", "START", last_name="Deux"),
    )
    services.review_open(application=application, reviewer=first)
    services.review_save(
        application=application,
        reviewer=first,
        scores={relevance.pk: (5, "Très pertinent"), jobs.pk: (10, "")},
        recommendation="fund",
        comment_for_applicant="Bravo.",
        internal_comment="Sans réserve.",
        submit=True,
    )
    review(
        application,
        second,
        scores={relevance.pk: (1, ""), jobs.pk: (2, "")},
        recommendation="do_not_fund",
    )
    drafting = staff("reviewer", "START", last_name="Trois")
    review(application, drafting, scores={relevance.pk: (3, "")}, submit=False)

    login_staff(client, manager)
    page = client.get(file_url(application, "staff_application_reviews"))
    assert page.status_code == 200
    (version,) = page.context["summary"]["versions"]
    assert [c["review"].reviewer.last_name for c in version["columns"]] == ["Un", "Deux"]
    assert [c["total"] for c in version["columns"]] == [Decimal("30"), Decimal("6")]
    assert version["maximum"] == 5 * 3 + 10 * Decimal("1.5")
    assert [r.reviewer.last_name for r in page.context["summary"]["in_progress"]] == ["Trois"]
    assert page.context["summary"]["mean"] == (Decimal("100") + Decimal("20")) / 2
    text = html.unescape(page.content.decode())
    for shown in ("Très pertinent", "Bravo.", "Sans réserve."):
        assert shown in text
    assert "Trois" in text

    reviewer_client = client.__class__()
    login_staff(reviewer_client, first)
    assert (
        reviewer_client.get(file_url(application, "staff_application_reviews")).status_code == 404
    )


def test_the_side_by_side_page_reads_a_constant_number_of_queries(client, manager):
    def file_with_reviews(count: int):
        application = submitted_file(custom_call(), status=Status.UNDER_REVIEW)
        for n in range(count):
            review(application, staff("reviewer", "START", last_name=f"R{n}"), 3)
        return application

    small, large = file_with_reviews(2), file_with_reviews(6)
    login_staff(client, manager)
    client.get(file_url(small, "staff_application_reviews"))  # the audit log's first row
    counts = []
    for application in (small, large):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(file_url(application, "staff_application_reviews"))
        assert response.status_code == 200
        assert len(response.context["summary"]["submitted"]) in (2, 6)
        counts.append(len(captured))
    # session, user, roles, programmes worked on, the file (with its current reviewer and
    # unread messages), its reviews, their scores with their criteria, the call's criteria,
    # then the audit row (a savepoint, the chain head taken, the row): 2 reviews as 6.
    assert counts[0] == counts[1]


# --- the decision: nothing preselected, its message shown, then confirmed ----------------------


def test_the_decision_panel_preselects_nothing(client, manager):
    application = submitted_file(status=Status.UNDER_REVIEW)
    login_staff(client, manager)
    page = client.get(file_url(application))
    assert page.status_code == 200
    form = page.context["decision_form"]
    assert form["decision"].value() is None
    panel = page.content.decode().split('id="decision"')[1].split("</section>")[0]
    assert 'name="decision"' in panel and "checked" not in panel


def test_a_decision_shows_the_applicants_message_and_waits_for_its_confirmation(
    client, manager, reviewer, mailoutbox
):
    application = submitted_file(status=Status.UNDER_REVIEW)
    review(application, reviewer, 4)
    login_staff(client, manager)
    url = file_url(application, "staff_application_decide")
    chosen = {
        "decision": "selected",
        "comment": "Rendez-vous le 3 mars.",
        "expected_status": "under_review",
    }

    shown = client.post(url, chosen)
    assert shown.status_code == 200
    assert "applications/staff/decision_confirm.html" in [t.name for t in shown.templates]
    subject, body = services.application_decision_preview(
        application=application, decision=Status.SELECTED, by=manager, comment=chosen["comment"]
    )
    assert shown.context["subject"] == subject and shown.context["body"] == body
    assert "Rendez-vous le 3 mars." in body
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert not ApplicantMessage.objects.filter(kind="decision").exists()

    confirmed = client.post(url, {**chosen, "confirmed": "True"}, follow=True)
    assert confirmed.status_code == 200
    application.refresh_from_db()
    assert application.status == Status.SELECTED
    sent = ApplicantMessage.objects.get(application=application, kind="decision")
    assert (sent.subject, sent.body) == (subject, body)
    said = [str(m) for m in confirmed.context["messages"]]
    assert (
        in_french(
            "%(reference)s selected; message sent to the applicant.",
            reference=application.reference,
        )
        in said
    )


def test_a_batch_decision_shows_each_applicants_message_before_its_confirmation(
    client, manager, reviewer
):
    files = [submitted_file(status=Status.UNDER_REVIEW) for _ in range(2)]
    for application in files:
        review(application, reviewer, 1, recommendation="do_not_fund")
    login_staff(client, manager)
    chosen = {"action": "rejected", "files": [a.pk for a in files], "comment": "Merci."}

    shown = client.post(reverse("applications:staff_queue_batch"), chosen)
    assert shown.status_code == 200
    assert [(a.pk, "Merci." in body) for a, _subject, body in shown.context["previews"]] == [
        (a.pk, True) for a in sorted(files, key=lambda a: a.reference)
    ]
    assert not ApplicantMessage.objects.filter(kind="decision").exists()

    decided = client.post(
        reverse("applications:staff_queue_batch"), {**chosen, "confirmed": "True"}
    )
    assert decided.status_code == 302
    assert ApplicantMessage.objects.filter(kind="decision").count() == 2
    for application in files:
        application.refresh_from_db()
        assert application.status == Status.REJECTED


def test_staff_messages_name_the_file_and_what_happened(client, manager, reviewer):
    application = submitted_file()
    login_staff(client, manager)
    noted = client.post(
        file_url(application, "staff_application_note"), {"text": "À voir."}, follow=True
    )
    assert noted.status_code == 200
    said = [str(m) for m in noted.context["messages"]]
    assert said == [
        in_french("%(reference)s: internal note added.", reference=application.reference)
    ]
    moved = client.post(
        file_url(application, "staff_application_transition"),
        {"to": "eligibility_check", "expected_status": "submitted"},
        follow=True,
    )
    with translation.override("fr"):
        label = str(Status.ELIGIBILITY_CHECK.label)
    assert [str(m) for m in moved.context["messages"]] == [
        in_french(
            "%(reference)s moved to “%(status)s”.", reference=application.reference, status=label
        )
    ]


def test_the_file_page_has_sections_to_jump_to(client, manager):
    application = submitted_file(status=Status.UNDER_REVIEW)
    login_staff(client, manager)
    page = client.get(file_url(application))
    assert page.status_code == 200
    text = page.content.decode()
    for section in ("answers", "documents", "reviews", "my-review", "decision", "timeline"):
        assert f'id="{section}"' in text, section
        assert f'href="#{section}"' in text, section


def test_criteria_made_without_a_version_are_the_calls_first_version():
    """Criteria made without a version (fixtures, the demo) are the call's first version."""
    call = scored_call()
    assert {c.version for c in call.criteria.all()} == {1}
    assert ScoringCriterion.objects.current().filter(call=call).count() == 2
