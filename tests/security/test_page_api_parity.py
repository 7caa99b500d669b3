"""One set of rules for pages and API (issue 16): every writable endpoint of the API refuses what
its page refuses, naming the same field with the same words, and neither stores anything.

The table below has one row per (page form, API endpoint): a valid page post, and the values
that make it invalid with the field they must be refused on. Each case goes through the page
(form-encoded, as a browser posts it) and through the API (JSON, or multipart for uploads).
A second test checks that the table covers every unsafe endpoint of the API's router."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.messages import ERROR, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from adn_portal.accounts.models import Notification, NotificationPreference
from adn_portal.mailer.models import OutgoingEmail
from applications.models import (
    ApplicantMessage,
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Assignment,
    Attachment,
    Export,
    MessageAttachment,
    Score,
)
from applications.workflow import Status
from companies.models import Expert, ExpertFacet, ExpertProfileChange, Organisation
from programs.models import EligibilityRule, FormSection, FormVersion, Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
from tests.fixtures.applicants import DECLARED, START_STEPS, pdf
from tests.fixtures.staff import scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db

DROP = object()  # the field left out of the post and of the body


def _asked(name: str, kind: str, **more) -> dict:
    return {"name": name, "kind": kind, "label": {"fr": name, "en": name}, **more}


CUSTOM_FORM = {
    "steps": [
        {
            "slug": "about",
            "title": {"fr": "À propos"},
            "questions": [
                _asked("share", "percentage"),
                _asked("start", "date", role="start_date"),
                _asked("end", "date", role="end_date"),
                _asked("sector", "choice", choices=[{"value": "food", "label": {"en": "Food"}}]),
                _asked(
                    "channels",
                    "multiple_choice",
                    choices=[{"value": "web", "label": {"en": "Web"}}],
                ),
                _asked("has_data", "yes_no"),
                _asked("data_kind", "short_text", show_if={"question": "has_data", "equals": True}),
            ],
        }
    ]
}
CUSTOM_VALID = {
    "share": "25",
    "start": "2027-01-01",
    "end": "2027-06-30",
    "sector": "food",
    "channels": ["web"],
    "has_data": "true",
    "data_kind": "Ventes",
}


# --- the world: one of each thing a writable endpoint acts on -----------------------------------


@pytest.fixture
def w(db):
    programme = {code: Programme.objects.get(code=code) for code in ("START", "TREMPLIN", "CAP")}
    start = CallFactory(
        programme=programme["START"],
        audiences=["sme"],
        eligibility_rules=[EligibilityRule.EXPERT_RECOGNISED],
        form_sections=[FormSection.CHALLENGES, FormSection.EXPERT, FormSection.ATTACHMENTS],
    )
    tremplin = CallFactory(
        programme=programme["TREMPLIN"],
        max_duration_months=12,
        form_sections=[FormSection.PROJECT, FormSection.EXPERT, FormSection.BUDGET],
    )
    cap = CallFactory(programme=programme["CAP"], form_sections=[FormSection.BUDGET])
    closed_cap = CallFactory(
        programme=programme["CAP"],
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    expert = ExpertFactory(programmes=["START", "TREMPLIN"], organisation__name="Vision Meuse")
    cap_only_expert = ExpertFactory(programmes=["CAP"])

    organisation = OrganisationFactory(name="A Menuiserie Dupont")  # the active one
    applicant = make_member(organisation)
    other = OrganisationFactory(name="B Boulangerie Dupont")
    make_member(other, applicant)
    start_draft = Application.objects.create(
        call=start, programme=start.programme, organisation=organisation, created_by=applicant
    )
    tremplin_draft = Application.objects.create(
        call=tremplin,
        programme=tremplin.programme,
        organisation=organisation,
        created_by=applicant,
    )
    # A form written by staff, not in code (issue 19): its questions checked alike.
    custom = CallFactory(programme=programme["CAP"], form_sections=[])
    FormVersion.objects.create(call=custom, number=1, definition=CUSTOM_FORM)
    # In an organisation of its own: a second open CAP file of the active organisation would
    # make the closed call's row meet "already open" first.
    custom_organisation = OrganisationFactory(name="C Atelier Dupont")
    make_member(custom_organisation, applicant)
    custom_draft = Application.objects.create(
        call=custom,
        programme=custom.programme,
        organisation=custom_organisation,
        created_by=applicant,
    )
    submitted = submitted_file(start, organisation=other, applicant=applicant)
    answering = submitted_file(
        cap,
        status=Status.INFO_REQUESTED,
        organisation=other,
        applicant=applicant,
        status_before_info_request=Status.SUBMITTED,
    )
    ApplicantMessage.objects.create(
        application=answering, kind=ApplicantMessage.Kind.INFO_REQUEST, subject="?", body="?"
    )

    manager = staff("programme manager", "START")
    reviewer = staff("reviewer", "START", last_name="Revue")
    conflicted = staff("reviewer", "START", last_name="Conflit")
    elsewhere = staff("reviewer", "TREMPLIN", last_name="Ailleurs")
    queued = submitted_file(scored_call())
    reviewing = submitted_file(scored_call(), status=Status.UNDER_REVIEW)
    from applications import services

    services.conflict_declare(reviewer=conflicted, organisation=queued.organisation)
    services.review_open(application=reviewing, reviewer=reviewer)  # no conflict of interest

    owner = make_member(expert.organisation)
    conversing = submitted_file(start, expert=expert)  # its expert company takes part
    return SimpleNamespace(**locals())


# --- the table -----------------------------------------------------------------------------------


@dataclass
class Row:
    endpoint: tuple[str, str]  # the API's URL name and method
    form: str  # the page's form, for the reader
    who: str  # the world's user who posts
    page: str  # the page's URL
    api: str  # the endpoint's URL
    valid: dict  # a post the page takes
    cases: list[tuple[dict, str | None]]  # values made invalid, and the field refused
    api_only: list[tuple[dict, str]] = field(default_factory=list)  # no page can post these
    body: Callable[[dict], dict] = dict  # the API body for the page's values
    rename: dict = field(default_factory=dict)  # the page's field name → the API's
    partial: bool = False  # PATCH: the body holds the changed values only
    multipart: bool = False
    page_status: int = 200  # the page's answer: its form again (200, 400), or back (302)
    api_status: int = 400

    def api_field(self, name: str | None) -> str | None:
        return self.rename.get(name, name)


def _json(values: dict) -> dict:
    """A page's post as a JSON client sends it: ticked boxes are true."""
    return {k: True if v == "on" else v for k, v in values.items()}


def _step(w, application, slug: str, valid: dict, cases, who="applicant") -> Row:
    application.refresh_from_db()
    return Row(
        endpoint=("application-step", "PUT"),
        form=f"steps: {slug}",
        who=who,
        page=reverse("applications:step", args=[application.pk, slug]),
        api=f"/api/v1/applications/{application.pk}/steps/{slug}/",
        valid={**valid, "version": str(application.version), "save_continue": "1"},
        cases=cases,
        body=lambda values: {
            "version": int(values.pop("version")),
            "data": _json({k: v for k, v in values.items() if k != "save_continue"}),
        },
        rename={name: f"data.{name}" for name in [*valid, *(c for v, _ in cases for c in v)]},
    )


TREMPLIN_STEPS = {
    "project": {"title": "Contrôle qualité", "use_case": "Défauts.", "objectives": "-20 %."},
    "provider": {"work_plan": "Trois phases.", "duration_months": "6"},
    "budget": {
        "cost_personnel": "1000",
        "cost_provider": "3000",
        "cost_equipment": "0",
        "cost_other": "0",
        "amount_requested": "3000",
    },
}


def table(w) -> dict[str, Row]:
    file_page = lambda name, application: reverse(f"applications:{name}", args=[application.pk])  # noqa: E731
    staff_api = lambda application, action: (  # noqa: E731
        f"/api/v1/staff/applications/{application.pk}/{action}/"
    )
    c1, c2 = w.reviewing.call.criteria.order_by("pk")
    expert_profile = {
        "name": "Vision Meuse",
        "website": "https://vision-meuse.example",
        "public_email": "contact@vision-meuse.example",
        "public_phone": "+32 81 00 00 00",
        "description_fr": "Nous aidons les PME.",
        "description_en": "",
        "description_de": "",
        "specialities": ["computer_vision"],
        "sectors": ["manufacturing"],
        "languages": ["fr", "de"],
        "programmes": ["START"],
        "team_size": "5",
    }
    rows = [
        Row(
            endpoint=("application-list", "POST"),
            form="(none: the page starts a file on the call of its URL)",
            page_status=302,
            who="applicant",
            page=reverse("applications:start", args=[w.closed_cap.slug]),
            api="/api/v1/applications/",
            valid={},
            cases=[({}, None)],  # the call is closed: a rule of the service, told alike
            body=lambda _: {"call": w.closed_cap.slug, "organisation": w.organisation.pk},
            api_status=409,
        ),
        _step(
            w,
            w.start_draft,
            "organisation",
            START_STEPS["organisation"],
            [({"confirmed": DROP}, "confirmed")],
        ),
        _step(
            w,
            w.start_draft,
            "contact",
            START_STEPS["contact"],
            [
                ({"contact_email": "pas-un-email"}, "contact_email"),
                ({"contact_name": ""}, "contact_name"),
                ({"contact_phone": "0" * 33}, "contact_phone"),
                ({"contact_function": "a\x00b"}, "contact_function"),
            ],
        ),
        _step(
            w,
            w.start_draft,
            "needs",
            START_STEPS["needs"],
            [({"maturity": "guru"}, "maturity"), ({"activity": ""}, "activity")],
        ),
        _step(
            w,
            w.start_draft,
            "expert",
            {"expert": str(w.expert.pk), "availability": "Le mardi."},
            [
                ({"expert": str(w.cap_only_expert.pk)}, "expert"),  # not for this programme
                ({"expert": DROP}, "expert"),  # nor left to the AdN
            ],
        ),
        _step(
            w,
            w.tremplin_draft,
            "project",
            TREMPLIN_STEPS["project"],
            [({"title": "x" * 201}, "title")],
        ),
        _step(
            w,
            w.tremplin_draft,
            "provider",
            {**TREMPLIN_STEPS["provider"], "expert": str(w.expert.pk)},
            [({"duration_months": "13"}, "duration_months"), ({"expert": DROP}, "expert")],
        ),
        _step(
            w,
            w.tremplin_draft,
            "budget",
            TREMPLIN_STEPS["budget"],
            [
                ({"amount_requested": "3001"}, "amount_requested"),  # over 75 % of 4,000
                ({"cost_personnel": "-1"}, "cost_personnel"),
                ({"cost_other": "1e5"}, "cost_other"),
            ],
        ),
        _step(
            w,
            w.custom_draft,
            "about",
            CUSTOM_VALID,
            [
                ({"share": "101"}, "share"),
                ({"start": "demain"}, "start"),
                ({"end": "2026-12-31"}, "end"),  # before the start (the roles' rule)
                ({"sector": "mining"}, "sector"),
                ({"channels": ["air"]}, "channels"),
                ({"has_data": DROP}, "has_data"),
                ({"data_kind": DROP}, "data_kind"),  # shown: has_data is yes
            ],
        ),
        # While information is requested, the same step is corrected through the same form.
        _step(
            w,
            w.answering,
            "budget",
            TREMPLIN_STEPS["budget"],
            [({"amount_requested": "999999"}, "amount_requested")],
        ),
        Row(
            endpoint=("application-submit", "POST"),
            form="DeclarationsForm",
            page_status=400,
            who="applicant",
            page=reverse("applications:submit", args=[w.start_draft.pk]),
            api=f"/api/v1/applications/{w.start_draft.pk}/submit/",
            valid=DECLARED,
            cases=[
                ({"sworn_statement": DROP}, "sworn_statement"),
                ({"gdpr_consent": DROP}, "gdpr_consent"),
            ],
            body=_json,
            api_only=[({"sworn_statement": ["on"]}, "sworn_statement")],
        ),
        Row(
            endpoint=("application-submit", "POST"),
            form="(none: the checks of the submission)",
            page_status=422,
            who="applicant",
            page=reverse("applications:submit", args=[w.start_draft.pk]),
            api=f"/api/v1/applications/{w.start_draft.pk}/submit/",
            valid=DECLARED,
            cases=[({}, "complete")],  # steps missing: the same failed check on both
            body=_json,
            api_status=422,
        ),
        Row(
            endpoint=("application-withdraw", "POST"),
            form="WithdrawForm",
            page_status=400,
            who="applicant",
            page=reverse("applications:withdraw", args=[w.submitted.pk]),
            api=f"/api/v1/applications/{w.submitted.pk}/withdraw/",
            valid={"reason": "Plus tard."},
            cases=[({"reason": "a\x00b"}, "reason")],
            api_only=[({"reason": ["Plus tard."]}, "reason"), ({"status": "draft"}, "status")],
        ),
        Row(
            endpoint=("application-withdraw", "POST"),
            form="(none: a draft is deleted, not withdrawn)",
            page_status=302,
            who="applicant",
            page=reverse("applications:withdraw", args=[w.start_draft.pk]),
            api=f"/api/v1/applications/{w.start_draft.pk}/withdraw/",
            valid={},
            cases=[({}, None)],
            api_status=409,
        ),
        Row(
            endpoint=("application-detail", "DELETE"),
            form="(none: the confirmation of the deletion)",
            page_status=302,
            who="applicant",
            page=reverse("applications:delete_draft", args=[w.submitted.pk]),
            api=f"/api/v1/applications/{w.submitted.pk}/",
            valid={},
            cases=[({}, None)],  # a submitted file is withdrawn, never deleted
            api_status=409,
        ),
        Row(
            endpoint=("application-answer", "POST"),
            form="AnswerForm",
            who="applicant",
            page=reverse("applications:answer", args=[w.answering.pk]),
            api=f"/api/v1/applications/{w.answering.pk}/answer/",
            valid={"answer": "Voici."},
            cases=[
                ({"answer": ""}, "answer"),
                ({"answer": "   "}, "answer"),
                ({"answer": "a\x00b"}, "answer"),
            ],
            api_only=[({"answer": {"text": "Voici."}}, "answer")],
        ),
        Row(
            endpoint=("application-attachments", "POST"),
            form="AttachmentForm",
            page_status=400,
            who="applicant",
            page=reverse("applications:attachment_upload", args=[w.start_draft.pk]),
            api=f"/api/v1/applications/{w.start_draft.pk}/attachments/",
            valid={"file": pdf, "kind": "annex"},
            cases=[
                ({"kind": "report"}, "kind"),
                ({"file": DROP}, "file"),
                ({"file": lambda: SimpleUploadedFile("x.pdf", b"MZ\x90\x00" * 100)}, "file"),
            ],
            multipart=True,
        ),
        Row(
            endpoint=("my-expert-profile", "PATCH"),
            form="ExpertProfileForm",
            who="owner",
            page=reverse("companies:expert_profile"),
            api="/api/v1/me/expert/",
            valid=expert_profile,
            cases=[
                ({"languages": ["xx"]}, "languages"),
                ({"sectors": ["nowhere"]}, "sectors"),
                ({"specialities": []}, "specialities"),
                ({"programmes": ["START", "NOPE"]}, "programmes"),
                ({"team_size": "0"}, "team_size"),
                ({"public_email": "pas-un-email"}, "public_email"),
                ({"name": "Agence du Numérique"}, "name"),
                ({"website": "javascript:alert(1)"}, "website"),
                ({"description_fr": ""}, "description_fr"),
            ],
            api_only=[
                ({"languages": 5}, "languages"),
                ({"sectors": "not-a-list"}, "sectors"),
                ({"specialities": {"computer_vision": True}}, "specialities"),
                ({"team_size": [5]}, "team_size"),
                ({"logo": "../../etc/passwd"}, "logo"),
                ({"status": "active"}, "status"),
            ],
            partial=True,
        ),
        Row(
            endpoint=("staff-application-transitions", "POST"),
            form="TransitionForm",
            page_status=400,
            who="manager",
            page=file_page("staff_application_transition", w.queued),
            api=staff_api(w.queued, "transitions"),
            valid={"to": "eligibility_check", "comment": "", "expected_status": "submitted"},
            cases=[
                ({"to": "completed"}, "to"),  # not a move from "submitted"
                ({"to": "info_requested"}, "to"),  # only with a message: information-requests
                ({"to": "draft"}, "to"),
                ({"to": DROP}, "to"),
                ({"expected_status": "under_review"}, "expected_status"),  # a stale page
                ({"expected_status": "nowhere"}, "expected_status"),
            ],
        ),
        Row(
            endpoint=("staff-application-transitions", "POST"),
            form="TransitionForm (a reviewer)",
            page_status=400,
            who="reviewer",
            page=file_page("staff_application_transition", w.reviewing),
            api=staff_api(w.reviewing, "transitions"),
            valid={},
            cases=[({"to": "selected"}, "to"), ({"to": "rejected"}, "to")],
        ),
        Row(
            endpoint=("staff-application-transitions", "POST"),
            form="DecisionForm",
            page_status=400,
            who="manager",
            page=file_page("staff_application_decide", w.reviewing),
            api=staff_api(w.reviewing, "transitions"),
            valid={"decision": "rejected", "comment": "", "expected_status": "under_review"},
            cases=[
                ({"decision": "closed"}, "decision"),
                ({"decision": "agreement_signed"}, "decision"),
                ({"expected_status": "submitted"}, "expected_status"),
            ],
            body=lambda values: {
                "to": values.pop("decision", None),
                **values,
            },
            rename={"decision": "to"},
        ),
        Row(
            endpoint=("staff-application-information-requests", "POST"),
            form="InformationRequestForm",
            page_status=400,
            who="reviewer",
            page=file_page("staff_application_request_information", w.queued),
            api=staff_api(w.queued, "information-requests"),
            valid={"message": "Joignez le devis.", "due_date": ""},
            cases=[
                ({"message": ""}, "message"),
                ({"message": "  "}, "message"),
                ({"due_date": "2020-01-31"}, "due_date"),  # before today
                ({"due_date": "31/31/2031"}, "due_date"),
            ],
        ),
        Row(
            endpoint=("staff-application-assignment", "POST"),
            form="AssignmentForm",
            page_status=400,
            who="manager",
            page=file_page("staff_application_assign", w.queued),
            api=staff_api(w.queued, "assignment"),
            valid={"reviewer": str(w.reviewer.pk)},
            cases=[
                ({"reviewer": str(w.conflicted.pk)}, "reviewer"),  # declared a conflict
                ({"reviewer": str(w.elsewhere.pk)}, "reviewer"),  # not of this programme
                ({"reviewer": str(w.manager.pk)}, "reviewer"),  # not a reviewer
                ({"reviewer": "abc"}, "reviewer"),
                ({"reviewer": DROP}, "reviewer"),
            ],
        ),
        Row(
            endpoint=("staff-application-scores", "POST"),
            form="ReviewForm",
            page_status=400,
            who="reviewer",
            page=file_page("staff_application_score", w.reviewing),
            api=staff_api(w.reviewing, "scores"),
            valid={
                f"score_{c1.pk}": "4",
                f"comment_{c1.pk}": "",
                f"score_{c2.pk}": "3",
                f"comment_{c2.pk}": "",
            },
            cases=[
                ({f"score_{c1.pk}": "6"}, f"score_{c1.pk}"),
                ({f"score_{c1.pk}": "-1"}, f"score_{c1.pk}"),
                ({f"score_{c1.pk}": "٣"}, f"score_{c1.pk}"),
                # A submitted review scores every criterion and recommends.
                (
                    {"submit": "True", "recommendation": "fund", f"score_{c2.pk}": DROP},
                    f"score_{c2.pk}",
                ),
                ({"submit": "True"}, "recommendation"),
                ({"recommendation": "maybe"}, "recommendation"),
                ({f"comment_{c2.pk}": "a\x00b"}, f"comment_{c2.pk}"),
                ({"internal_comment": "a\x00b"}, "internal_comment"),
            ],
            api_only=[
                ({f"score_{c1.pk}": [4]}, f"scores.{c1.pk}.value"),
                ({"recommendation": ["fund"]}, "recommendation"),
            ],
            body=lambda values: (
                {
                    "scores": {
                        str(c.pk): {
                            part: values[f"{prefix}_{c.pk}"]
                            for part, prefix in (("value", "score"), ("comment", "comment"))
                            if f"{prefix}_{c.pk}" in values
                        }
                        for c in (c1, c2)
                    }
                }
                | {k: v for k, v in values.items() if not k.startswith(("score_", "comment_"))}
            ),
            rename={
                f"{prefix}_{c.pk}": f"scores.{c.pk}.{part}"
                for c in (c1, c2)
                for part, prefix in (("value", "score"), ("comment", "comment"))
            },
        ),
        Row(
            endpoint=("staff-application-declaration", "POST"),
            form="ConflictDeclarationForm",
            page_status=400,
            who="manager",
            page=file_page("staff_application_declaration", w.reviewing),
            api=staff_api(w.reviewing, "declaration"),
            valid={"answer": "no_conflict", "reason": ""},
            cases=[
                ({"answer": DROP}, "answer"),
                ({"answer": "perhaps"}, "answer"),
                ({"reason": "a\x00b"}, "reason"),
                ({"reason": "x" * 256}, "reason"),
            ],
            api_only=[({"answer": ["no_conflict"]}, "answer")],
        ),
        Row(
            endpoint=("staff-application-notes", "POST"),
            form="NoteForm",
            page_status=400,
            who="reviewer",
            page=file_page("staff_application_note", w.queued),
            api=staff_api(w.queued, "notes"),
            valid={"text": "À vérifier."},
            cases=[({"text": ""}, "text"), ({"text": "a\x00b"}, "text")],
            api_only=[({"text": ["À vérifier."]}, "text")],
        ),
        *[
            Row(
                endpoint=(endpoint, "POST"),
                form=f"MessageForm ({who})",
                page_status=400,
                who=who,
                page=page,
                api=api,
                valid={"body": "Bonjour."},
                cases=[
                    ({"body": ""}, "body"),
                    ({"body": "   "}, "body"),
                    ({"body": "a\x00b"}, "body"),
                    ({"body": "x" * 5001}, "body"),
                    ({"file": lambda: SimpleUploadedFile("x.pdf", b"MZ\x90\x00" * 100)}, "file"),
                ],
                multipart=True,
            )
            for endpoint, who, page, api in [
                (
                    "application-messages",
                    "applicant",
                    file_page("message_send", w.submitted),
                    f"/api/v1/applications/{w.submitted.pk}/messages/",
                ),
                (
                    "staff-application-messages",
                    "manager",
                    file_page("staff_conversation", w.submitted),
                    staff_api(w.submitted, "messages"),
                ),
                (
                    "expert-application-messages",
                    "owner",
                    file_page("expert_conversation", w.conversing),
                    f"/api/v1/me/expert/files/{w.conversing.pk}/messages/",
                ),
            ]
        ],
        Row(
            endpoint=("notification-preferences", "PUT"),
            form="PreferencesForm",
            page_status=400,
            who="applicant",
            page=reverse("notifications:preferences"),
            api="/api/v1/me/notification-preferences/",
            valid={"message": "digest"},
            cases=[({"message": "pigeon"}, "message"), ({"reminder": "a\x00b"}, "reminder")],
            api_only=[({"message": ["digest"]}, "message"), ({"colour": "blue"}, "colour")],
        ),
        Row(
            endpoint=("staff-export-list", "POST"),
            form="ExportForm",
            page_status=302,
            who="reviewer",
            page=reverse("applications:staff_export_create"),
            api="/api/v1/staff/exports/",
            valid={"format": "csv"},
            cases=[({"format": "pdf"}, "format"), ({"format": DROP}, "format")],
        ),
    ]
    return {f"{row.endpoint[0]} {row.endpoint[1]} · {row.form}": row for row in rows}


# Writable endpoints whose page/API parity is proven by their own table elsewhere.
ELSEWHERE = {
    ("my-organisation-sme", "PUT"): "tests/companies/test_sme_declaration.py",
    # Reading notifications takes no input to refuse: the page and the API do the same there.
    ("notification-read", "POST"): "tests/accounts/test_notifications.py",
    ("notification-read-all", "POST"): "tests/accounts/test_notifications.py",
}

ROWS = [
    "application-list POST · (none: the page starts a file on the call of its URL)",
    "application-step PUT · steps: organisation",
    "application-step PUT · steps: contact",
    "application-step PUT · steps: needs",
    "application-step PUT · steps: expert",
    "application-step PUT · steps: project",
    "application-step PUT · steps: provider",
    "application-step PUT · steps: budget",
    "application-step PUT · steps: about",
    "application-submit POST · DeclarationsForm",
    "application-submit POST · (none: the checks of the submission)",
    "application-withdraw POST · WithdrawForm",
    "application-withdraw POST · (none: a draft is deleted, not withdrawn)",
    "application-detail DELETE · (none: the confirmation of the deletion)",
    "application-answer POST · AnswerForm",
    "application-attachments POST · AttachmentForm",
    "my-expert-profile PATCH · ExpertProfileForm",
    "staff-application-transitions POST · TransitionForm",
    "staff-application-transitions POST · TransitionForm (a reviewer)",
    "staff-application-transitions POST · DecisionForm",
    "staff-application-information-requests POST · InformationRequestForm",
    "staff-application-assignment POST · AssignmentForm",
    "staff-application-scores POST · ReviewForm",
    "staff-application-declaration POST · ConflictDeclarationForm",
    "staff-application-notes POST · NoteForm",
    "staff-export-list POST · ExportForm",
    "application-messages POST · MessageForm (applicant)",
    "staff-application-messages POST · MessageForm (manager)",
    "expert-application-messages POST · MessageForm (owner)",
    "notification-preferences PUT · PreferencesForm",
]


# --- what each channel stored and said ---------------------------------------------------------


def stored() -> dict:
    """Every row of what a write could change (the audit log aside: it records attempts)."""
    models = (
        Application,
        ApplicationEvent,
        ApplicationVersion,
        ApplicantMessage,
        Assignment,
        Attachment,
        Export,
        MessageAttachment,
        Notification,
        NotificationPreference,
        Score,
        Expert,
        ExpertFacet,
        ExpertProfileChange,
        Organisation,
        OutgoingEmail,
    )
    return {m._meta.label: sorted(map(repr, m.objects.values_list())) for m in models}


def page_errors(response) -> dict[str | None, list[str]]:
    """What the page said, by field: the errors of the bound forms it shows again, the failed
    checks of a refused submission, and (field None) the error messages of a redirect."""
    errors: dict[str | None, list[str]] = {}
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, BaseForm) and value.is_bound:
                for name, messages in value.errors.items():
                    errors.setdefault(None if name == "__all__" else name, []).extend(messages)
        for check in context.get("checks") or []:
            if not check.passed:
                errors.setdefault(check.rule, []).append(check.message)
    messages = [str(m) for m in get_messages(response.wsgi_request) if m.level == ERROR]
    errors.setdefault(None, []).extend(messages)
    return errors


def _materialise(values: dict) -> dict:
    return {k: v() if callable(v) else v for k, v in values.items() if v is not DROP}


def _clients(w, who: str):
    user = getattr(w, who)
    page, api = APIClient(), APIClient()
    (login if who in ("applicant", "owner") else login_staff)(page, user)
    api.force_authenticate(user)
    return page, api


def _refused_alike(w, row: Row, values: dict, field_name: str | None) -> None:
    page, api = _clients(w, row.who)
    before = stored()

    # As a browser posts it (the test client would send JSON by default).
    response = page.post(row.page, _materialise({**row.valid, **values}), format="multipart")
    assert response.status_code == row.page_status, response.status_code
    assert stored() == before, "the page stored a refused post"
    shown = page_errors(response)

    body = values if row.partial else {**row.valid, **values}
    body = row.body(_materialise(body))
    call = getattr(
        api, {"PUT": "put", "PATCH": "patch", "DELETE": "delete"}.get(row.endpoint[1], "post")
    )
    answer = call(row.api, body, format="multipart" if row.multipart else "json")
    assert answer.status_code == row.api_status, answer.content
    assert stored() == before, "the API stored a refused body"

    expected = row.api_field(field_name)
    said = [e["message"] for e in answer.json()["errors"] if e["field"] == expected]
    assert said, (expected, answer.json()["errors"])
    # The page names the field (its form shown again with the error), or, when it returns to
    # another page, says the same words in the message above it.
    on_page = shown.get(field_name) or (shown.get(None) if response.status_code == 302 else [])
    assert set(said) <= set(on_page), (field_name, said, shown)


@pytest.mark.parametrize("name", ROWS)
def test_a_page_and_its_api_endpoint_refuse_the_same_values_on_the_same_field(w, name):
    row = table(w)[name]
    assert row.cases
    for values, field_name in row.cases:
        _refused_alike(w, row, values, field_name)
    # What JSON can say and no page can post: refused, named, nothing stored.
    _page, api = _clients(w, row.who)
    for values, field_name in row.api_only:
        before = stored()
        body = values if row.partial else {**row.valid, **values}
        body = row.body(_materialise(body))
        answer = getattr(api, row.endpoint[1].lower())(row.api, body, format="json")
        assert answer.status_code == 400, answer.content
        assert row.api_field(field_name) in {e["field"] for e in answer.json()["errors"]}
        assert stored() == before


def _unsafe_endpoints() -> set[tuple[str, str]]:
    from adn_portal.wiring import api

    found = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
                continue
            assert isinstance(pattern, URLPattern)
            if not pattern.name:
                continue  # the catch-all 404
            callback = pattern.callback
            actions = getattr(callback, "actions", None)
            if actions:
                methods = set(actions)
            else:
                view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                methods = {m for m in getattr(view, "http_method_names", []) if hasattr(view, m)}
            for method in methods & {"post", "put", "patch", "delete"}:
                found.add((pattern.name, method.upper()))

    walk(api.urlpatterns)
    return found


def test_the_parity_table_covers_every_writable_endpoint_of_the_api(w):
    rows = table(w)
    assert sorted(rows) == sorted(ROWS)
    covered = {row.endpoint for row in rows.values()} | set(ELSEWHERE)
    assert _unsafe_endpoints() == covered


# --- stored data that no longer validates never breaks a public page -----------------------------


def test_an_expert_profile_stored_with_junk_lists_still_renders_its_public_pages(client):
    expert = ExpertFactory(organisation__name="Vieille Donnée SRL")
    Expert.objects.filter(pk=expert.pk).update(
        languages=["xx", "fr"], sectors="not-a-list", specialities=5, programmes=["START", 3]
    )
    ExpertFacet.objects.create(expert=expert, kind="language", value="xx")
    for url in (
        reverse("companies:expert_directory"),
        reverse("companies:expert_detail", args=[expert.slug]),
        reverse("companies:experts_export", args=["csv"]),
        reverse("companies:experts_export", args=["json"]),
        f"/api/v1/experts/{expert.slug}/",
        "/api/v1/experts/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("companies:expert_detail", args=[expert.slug])).content.decode()
    assert "Français" in page and "xx" not in page
    assert client.get(f"/api/v1/experts/{expert.slug}/").json()["languages"] == ["fr"]


def test_the_data_migration_keeps_only_the_codes_that_are_choices():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("companies.migrations.0008_clean_expert_code_lists")
    expert = ExpertFactory()
    Expert.objects.filter(pk=expert.pk).update(
        languages=["xx", "fr", "fr", 5],
        sectors="not-a-list",
        specialities=5,
        programmes=["START", "CAP"],
    )
    ExpertFacet.objects.bulk_create(
        [
            ExpertFacet(expert=expert, kind="sector", value=letter)
            for letter in "not-a-lis"
            if not ExpertFacet.objects.filter(expert=expert, kind="sector", value=letter).exists()
        ],
        ignore_conflicts=True,
    )
    migration.clean(apps, None)

    expert.refresh_from_db()
    assert expert.languages == ["fr"]
    assert expert.sectors == [] and expert.specialities == []
    assert expert.programmes == ["START", "CAP"]
    facets = set(ExpertFacet.objects.filter(expert=expert).values_list("kind", "value"))
    assert facets == {
        ("language", "fr"),
        ("programme", "START"),
        ("programme", "CAP"),
        ("province", expert.organisation.province),
    }


def test_an_api_body_of_the_wrong_shape_is_a_400_naming_the_field_not_a_500(w):
    api = APIClient()
    api.force_authenticate(w.owner)
    for body in ([1, 2], "text", 5):
        response = api.patch("/api/v1/me/expert/", body, format="json")
        assert response.status_code == 400, body
