"""An integrator's journey through the API with nothing but a client generated from its live
schema by openapi-python-client (`make test-api-client` generates `adn_portal_client` and runs
this against a server with the demo data).

A Tremplin IA file, from draft to decision: the applicant reads the call's form
(`/calls/{slug}/form/`) and the experts it may name, starts a draft, saves every step (with
If-Match and the ETag of the previous answer), uploads a document and submits with an
Idempotency-Key (sent twice: the second answer is the replay); the programme manager finds it
in the queue by the identifiers the API shows, moves it to review and assigns a reviewer listed
by `reviewers/`; the reviewer declares no conflict and submits a review on the call's
criteria; the manager decides (a decision without `confirmed` gets the preview first); the
applicant reads the timeline; the manager reads the indicators and downloads an export.

Every identifier used is one an answer showed; nothing is read from the database or the code.
Exits 1 with the answer that did not match."""

import argparse
import importlib
import io
import pkgutil
import sys
import time
import uuid
from decimal import Decimal
from http import HTTPStatus

import adn_portal_client
from adn_portal_client import AuthenticatedClient, Client
from adn_portal_client.api.applications import (
    applications_attachments_create,
    applications_checks_list,
    applications_create,
    applications_destroy,
    applications_retrieve,
    applications_steps_update,
    applications_submit_create,
    applications_timeline_list,
)
from adn_portal_client.api.calls import calls_list, calls_retrieve
from adn_portal_client.api.experts import experts_list
from adn_portal_client.api.me import me_organisations_list
from adn_portal_client.api.staff import (
    staff_applications_assignment_create,
    staff_applications_declaration_create,
    staff_applications_list,
    staff_applications_retrieve,
    staff_applications_reviewers_list,
    staff_applications_scores_create,
    staff_applications_transitions_create,
    staff_exports_create,
    staff_exports_download_retrieve,
    staff_exports_retrieve,
    staff_indicators_list,
)
from adn_portal_client.models import (
    ApplicationCreateRequest,
    AssignRequest,
    AttachmentUploadKindEnum,
    AttachmentUploadRequest,
    DeclarationRequest,
    DeclarationsRequest,
    ExpertsListOrdering,
    ExpertsListProgrammeItem,
    ExportRequest,
    ReviewWriteRequest,
    StaffApplicationsListProgramme,
    StaffApplicationsListStatusItem,
    StaffIndicatorsListIndicator,
    StepRequest,
    TransitionRequest,
)
from adn_portal_client.types import File

PROGRAMME = "TREMPLIN"

# Answers by question name; a question not listed gets a value of its kind (`answer`).
ANSWERS = {
    "contact_name": "Julie Dupont",
    "contact_function": "Administratrice déléguée",
    "contact_email": "julie.dupont@menuiserie-dupont.example",
    "contact_phone": "+32 4 123 45 67",
    "title": "Détection des défauts de découpe par vision",
    "duration_months": 10,
    "cost_personnel": "20000",
    "cost_provider": "50000",
    "cost_equipment": "5000",
    "cost_other": "0",
}
TEXT = (
    "Une caméra au-dessus de la scie repère les défauts du bois avant la découpe ; "
    "le modèle est entraîné sur nos photos de planches."
)


class Refused(Exception):
    pass


def expect(response, *statuses: HTTPStatus, what: str):
    if response.status_code not in statuses:
        raise Refused(f"{what}: {response.status_code} {response.content[:2000]!r}")
    return response


def answer(name: str, spec: dict, *, expert_id: int):
    """A value for a question of the call's form, from its JSON Schema."""
    if name in ANSWERS:
        return ANSWERS[name]
    kind = spec.get("x-kind", "")
    choices = spec.get("x-choices") or spec.get("enum")
    if kind == "expert":
        return expert_id
    if kind in ("checkbox", "yes_no") or spec.get("type") == "boolean":
        return True
    if choices:
        first = choices[0]
        return first.get("value") if isinstance(first, dict) else first
    if kind in ("amount", "number", "percentage"):
        return spec.get("minimum") or 1
    if kind == "email":
        return "contact@menuiserie-dupont.example"
    if kind == "date":
        return "2027-01-15"
    return TEXT[: spec.get("maxLength") or len(TEXT)]


def _question(kind: str, **spec) -> dict:
    return {"x-kind": kind, **spec}


# The Tremplin IA form as applications/steps.py had it before the calls' forms became data
# (a schema without /calls/{slug}/form/).
TREMPLIN_FORM = {
    "x-steps": ["organisation", "contact", "project", "data", "provider", "budget", "roadmap"],
    "properties": {
        "organisation": {"properties": {"confirmed": _question("checkbox")}},
        "contact": {
            "properties": {
                name: _question("short_text")
                for name in ("contact_name", "contact_function", "contact_email", "contact_phone")
            }
        },
        "project": {
            "properties": {
                "title": _question("short_text"),
                "use_case": _question("long_text"),
                "objectives": _question("long_text"),
            }
        },
        "data": {
            "properties": {
                "data_sources": _question("long_text"),
                "approach": _question("long_text"),
            }
        },
        "provider": {
            "properties": {
                "expert": _question("expert"),
                "work_plan": _question("long_text"),
                "duration_months": _question("number"),
            }
        },
        "budget": {
            "properties": {
                name: _question("amount")
                for name in (
                    "cost_personnel",
                    "cost_provider",
                    "cost_equipment",
                    "cost_other",
                    "amount_requested",
                )
            }
        },
        "roadmap": {"properties": {"roadmap": _question("long_text")}},
    },
}
for _step in TREMPLIN_FORM["properties"].values():
    _step["required"] = list(_step["properties"])


def call_form(client, slug: str) -> dict:
    """The call's form as JSON Schema, from the API when the schema offers it."""
    try:
        from adn_portal_client.api.calls import calls_form_retrieve
    except ImportError:
        return TREMPLIN_FORM
    return expect(
        calls_form_retrieve.sync_detailed(slug, client=client), HTTPStatus.OK, what="form"
    ).parsed.additional_properties


def step_data(step: dict, *, expert_id: int) -> dict:
    questions = step.get("properties", {})
    required = set(step.get("required", []))
    return {
        name: answer(name, spec, expert_id=expert_id)
        for name, spec in questions.items()
        if name in required or name in ANSWERS
    }


def journey(url: str, tokens: dict[str, str]) -> list[str]:
    said = []
    public = Client(base_url=url)
    applicant, manager, reviewer = (
        AuthenticatedClient(base_url=url, token=tokens[role], prefix="Token")
        for role in ("applicant", "manager", "reviewer")
    )

    # The open Tremplin IA call, its form, an expert it may name, the applicant's organisation.
    calls = expect(calls_list.sync_detailed(client=public), HTTPStatus.OK, what="calls").parsed
    call = next(c for c in calls.results if c.programme == PROGRAMME and c.status.value == "open")
    form = call_form(public, call.slug)
    experts = expect(
        experts_list.sync_detailed(
            client=public,
            programme=[ExpertsListProgrammeItem(PROGRAMME)],
            ordering=ExpertsListOrdering("name"),
        ),
        HTTPStatus.OK,
        what="experts",
    ).parsed
    expert = experts.results[0]
    organisations = me_organisations_list.sync_detailed(client=applicant).parsed
    organisation = organisations.results[0]
    said.append(f"call {call.slug}, expert {expert.slug} (id {expert.id}), {organisation.name}")
    # The most the call funds of this budget: its rate, up to its ceiling per file.
    costs = sum(Decimal(v) for k, v in ANSWERS.items() if k.startswith("cost_"))
    granted = costs * Decimal(call.funding_rate) / 100
    if call.ceiling_per_file:
        granted = min(granted, Decimal(call.ceiling_per_file))
    ANSWERS["amount_requested"] = str(granted.quantize(Decimal("1")))

    # A draft: 201 and its Location; a second one for the programme: 409 pointing at it.
    body = ApplicationCreateRequest(call=call.slug, organisation=organisation.id)
    created = applications_create.sync_detailed(client=applicant, body=body)
    if created.status_code == HTTPStatus.CONFLICT:  # a draft left by an earlier run: drop it
        left = created.headers["Location"].rstrip("/").rsplit("/", 1)[1]
        expect(
            applications_destroy.sync_detailed(left, client=applicant),
            HTTPStatus.NO_CONTENT,
            what="delete the draft of an earlier run",
        )
        created = applications_create.sync_detailed(client=applicant, body=body)
    expect(created, HTTPStatus.CREATED, what="create")
    draft = created.parsed
    again = expect(
        applications_create.sync_detailed(client=applicant, body=body),
        HTTPStatus.CONFLICT,
        what="second create",
    )
    assert again.headers["Location"] == created.headers["Location"], again.headers
    read = expect(
        applications_retrieve.sync_detailed(str(draft.id), client=applicant),
        HTTPStatus.OK,
        what="read the draft",
    )
    etag, version = read.headers["ETag"], draft.version
    assert read.parsed.next_step == form["x-steps"][0], read.parsed.next_step

    # Every step of the form, in its order, each save guarded by the ETag read before it.
    for slug in form["x-steps"]:
        step = form["properties"][slug]
        if not step.get("properties"):  # the documents step: uploads below
            continue
        saved = expect(
            applications_steps_update.sync_detailed(
                str(draft.id),
                slug,
                client=applicant,
                body=StepRequest.from_dict(
                    {"version": version, "data": step_data(step, expert_id=expert.id)}
                ),
                if_match=etag,
            ),
            HTTPStatus.OK,
            what=f"step {slug}",
        )
        etag, version = saved.headers["ETag"], saved.parsed.version
    stale = applications_steps_update.sync_detailed(
        str(draft.id),
        form["x-steps"][0],
        client=applicant,
        body=StepRequest.from_dict({"version": version, "data": {}, "complete": False}),
        if_match='"stale"',
    )
    expect(stale, HTTPStatus.PRECONDITION_FAILED, what="a save with a stale ETag")

    # The documents: the provider's quote and an annex (multipart/form-data).
    for kind in AttachmentUploadKindEnum:
        document = File(
            payload=io.BytesIO(b"%PDF-1.4\n" + b"0" * 4000),
            file_name=f"{kind.value}.pdf",
            mime_type="application/pdf",
        )
        expect(
            applications_attachments_create.sync_detailed(
                str(draft.id),
                client=applicant,
                body=AttachmentUploadRequest(file=document, kind=kind),
            ),
            HTTPStatus.CREATED,
            what=f"document {kind.value}",
        )
    checks = expect(
        applications_checks_list.sync_detailed(str(draft.id), client=applicant),
        HTTPStatus.OK,
        what="checks",
    ).parsed
    failed = [f"{c.rule}: {c.message}" for c in checks if not c.passed]
    assert not failed, failed

    key = str(uuid.uuid4())
    declarations = DeclarationsRequest(gdpr_consent=True, sworn_statement=True)
    submitted = expect(
        applications_submit_create.sync_detailed(
            str(draft.id), client=applicant, body=declarations, idempotency_key=key
        ),
        HTTPStatus.OK,
        what="submit",
    ).parsed
    replay = expect(
        applications_submit_create.sync_detailed(
            str(draft.id), client=applicant, body=declarations, idempotency_key=key
        ),
        HTTPStatus.OK,
        what="submit again",
    )
    assert replay.headers.get("Idempotent-Replay") == "true", replay.headers
    said.append(f"submitted {submitted.reference} (the repeat replayed)")

    # Staff: the queue by programme code and status, review, assignment to a listed reviewer.
    queue = expect(
        staff_applications_list.sync_detailed(
            client=manager,
            programme=StaffApplicationsListProgramme(PROGRAMME),
            status=[StaffApplicationsListStatusItem("submitted")],
            q=submitted.reference,
        ),
        HTTPStatus.OK,
        what="queue",
    ).parsed
    assert [row.id for row in queue.results] == [draft.id], queue.results
    file_id = str(draft.id)
    for status in ("eligibility_check", "under_review"):
        expect(
            staff_applications_transitions_create.sync_detailed(
                file_id, client=manager, body=TransitionRequest.from_dict({"to": status})
            ),
            HTTPStatus.OK,
            what=f"to {status}",
        )
    reviewers = expect(
        staff_applications_reviewers_list.sync_detailed(file_id, client=manager),
        HTTPStatus.OK,
        what="reviewers",
    ).parsed
    chosen = next(r for r in reviewers if r.last_name == "Évaluatrice")
    expect(
        staff_applications_assignment_create.sync_detailed(
            file_id, client=manager, body=AssignRequest(reviewer=chosen.id)
        ),
        HTTPStatus.NO_CONTENT,
        what="assignment",
    )

    # The reviewer: no conflict, then a complete review on the call's criteria.
    expect(
        staff_applications_declaration_create.sync_detailed(
            file_id, client=reviewer, body=DeclarationRequest.from_dict({"answer": "no_conflict"})
        ),
        HTTPStatus.NO_CONTENT,
        HTTPStatus.OK,
        what="declaration",
    )
    criteria = expect(
        calls_retrieve.sync_detailed(call.slug, client=public), HTTPStatus.OK, what="call"
    ).parsed.criteria
    review = {
        "scores": {str(c.id): {"value": 4, "comment": "Solide."} for c in criteria},
        "recommendation": "fund",
        "comment_for_applicant": "Projet clair et réaliste.",
        "submit": True,
    }
    expect(
        staff_applications_scores_create.sync_detailed(
            file_id, client=reviewer, body=ReviewWriteRequest.from_dict(review)
        ),
        HTTPStatus.OK,
        HTTPStatus.NO_CONTENT,
        what="review",
    )

    # The decision: previewed first (409 with the applicant's message), then confirmed.
    preview = staff_applications_transitions_create.sync_detailed(
        file_id, client=manager, body=TransitionRequest.from_dict({"to": "selected"})
    )
    expect(preview, HTTPStatus.CONFLICT, HTTPStatus.OK, what="decision preview")
    if preview.status_code == HTTPStatus.CONFLICT:
        expect(
            staff_applications_transitions_create.sync_detailed(
                file_id,
                client=manager,
                body=TransitionRequest.from_dict({"to": "selected", "confirmed": True}),
            ),
            HTTPStatus.OK,
            what="decision",
        )
    detail = expect(
        staff_applications_retrieve.sync_detailed(file_id, client=manager),
        HTTPStatus.OK,
        what="the file for staff",
    ).parsed
    assert detail.status.value == "selected", detail.status
    assert all(check.passed for check in detail.eligibility), detail.eligibility

    timeline = expect(
        applications_timeline_list.sync_detailed(file_id, client=applicant),
        HTTPStatus.OK,
        what="timeline",
    ).parsed
    moves = [e.to_status for e in reversed(timeline) if e.to_status]
    assert moves[0] == "submitted" and moves[-1] == "selected", moves
    said.append("timeline: " + " → ".join(moves))

    indicators = expect(
        staff_indicators_list.sync_detailed(
            client=manager, indicator=StaffIndicatorsListIndicator("requests")
        ),
        HTTPStatus.OK,
        what="indicators",
    ).parsed
    assert all(row.indicator.value == "requests" for row in indicators)
    said.append(f"indicators: {len(indicators)} values of requests")

    export = expect(
        staff_exports_create.sync_detailed(
            client=manager, body=ExportRequest.from_dict({"format": "csv"})
        ),
        HTTPStatus.CREATED,
        what="export",
    )
    export_id = export.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    for _ in range(50):
        state = staff_exports_retrieve.sync_detailed(export_id, client=manager).parsed
        if state.state.value == "ready":
            break
        time.sleep(0.1)
    download = expect(
        staff_exports_download_retrieve.sync_detailed(export_id, client=manager),
        HTTPStatus.OK,
        what="export download",
    )
    assert submitted.reference.encode() in download.content
    said.append(f"export {export_id}: {download.content.count(b'\n')} lines")
    return said


def import_every_module() -> int:
    """The generated client imports whole (a schema a generator misreads makes modules that
    fail at import)."""
    modules = list(pkgutil.walk_packages(adn_portal_client.__path__, "adn_portal_client."))
    for module in modules:
        importlib.import_module(module.name)
    return len(modules)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    for role in ("applicant", "manager", "reviewer"):
        parser.add_argument(f"--{role}-token", required=True)
    arguments = parser.parse_args()
    tokens = {
        role: getattr(arguments, f"{role}_token") for role in ("applicant", "manager", "reviewer")
    }
    print(f"adn_portal_client: {import_every_module()} modules imported")
    started = time.monotonic()
    try:
        said = journey(arguments.url, tokens)
    except (Refused, AssertionError, StopIteration) as refusal:
        print(f"The journey failed: {refusal!r}", file=sys.stderr)
        return 1
    for line in said:
        print(line)
    print(f"Tremplin IA journey through the generated client: {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
