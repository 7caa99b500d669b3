"""A call's application form as data (issue 19), in process: a 40-question form (every kind
of question, five steps, conditional questions, a budget table) and a 5-question one, both
made through the staff's service (`application_form_save`). For each step of a draft: its
page shown (GET), a full save from the page (POST, checked in full) and from the API (PUT
…/steps/<step>/, `complete`); the number of queries of each request for 5 and for 40
questions (equal, or the form costs queries per question: ✓/✗), and the CPU ms a request
costs this process and its PostgreSQL backend (mean of `--runs`). Printed and written to
bench/results/forms.txt.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_bench \\
       .venv/bin/python -m bench.forms [--runs 30]"""

import argparse
import os
import statistics
import time
from decimal import Decimal
from pathlib import Path

# The deployment's code paths (DEBUG off, the Redis cache), as bench.misses.
os.environ["DJANGO_SETTINGS_MODULE"] = "adn_portal.settings.base"
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
os.environ.pop("CELERY_BROKER_URL", None)  # nothing queued: no task runs here
os.environ["CONN_MAX_AGE"] = "60"  # as deployed: one connection kept across requests

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from applications.models import Application
from applications.services import application_start
from applications.services.forms import application_form_save
from programs.application_forms import Kind, Role
from programs.models import Programme, ProgrammeStaff
from tests.auth import login
from tests.factories import (
    CallFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
    valid_enterprise_number,
)

from .inprocess import backend_cpu_ms, timed

ROOT = Path(__file__).resolve().parent.parent


def mark(met: bool) -> str:
    return "✓" if met else "✗"


# --- the forms --------------------------------------------------------------------------------
# Each question: its definition, the page's post and the API's body for a valid answer.


def _q(name: str, kind: str, page=None, api=None, **more) -> dict:
    label = {"fr": f"Question {name}", "en": f"Question {name}", "de": f"Frage {name}"}
    return {
        "definition": {"name": name, "kind": kind, "label": label, **more},
        "page": page if page is not None else {},
        "api": api if api is not None else {},
    }


CHOICES = [{"value": v, "label": {"fr": v.title(), "en": v.title()}} for v in ("a", "b", "c")]
COLUMNS = [
    {"name": "what", "kind": Kind.SHORT_TEXT, "label": {"fr": "Poste", "en": "Item"}},
    {"name": "days", "kind": Kind.NUMBER, "label": {"fr": "Jours", "en": "Days"}},
    {"name": "amount", "kind": Kind.AMOUNT, "label": {"fr": "Montant", "en": "Amount"}},
]
ROWS = [("Serveur", 2, 6000), ("Étude", 5, 4000)]
TABLE_PAGE = {
    f"lines-{row}-{column}": str(value)
    for row, values in enumerate(ROWS)
    for column, value in zip(("what", "days", "amount"), values, strict=True)
}
TABLE_API = [{"what": w, "days": d, "amount": a} for w, d, a in ROWS]


def _plain(name: str, number: int) -> dict:
    """A question of a kind that reads nothing but its answer, the kinds taken in turn."""
    kinds = [
        (Kind.SHORT_TEXT, "Une réponse", "Une réponse", {}),
        (Kind.LONG_TEXT, "Un texte plus long.", "Un texte plus long.", {"limit": 2000}),
        (Kind.EMAIL, "contact@pme.be", "contact@pme.be", {}),
        (Kind.NUMBER, "12", 12, {"integer": True, "min": 0, "max": 1000}),
        (Kind.AMOUNT, "1500", 1500, {}),
        (Kind.PERCENTAGE, "25,5", 25.5, {}),
        (Kind.DATE, "2027-03-01", "2027-03-01", {}),
        (Kind.CHOICE, "b", "b", {"choices": CHOICES}),
        (Kind.MULTIPLE_CHOICE, ["a", "c"], ["a", "c"], {"choices": CHOICES}),
        (Kind.YES_NO, "false", False, {}),
        (Kind.CHECKBOX, "on", True, {}),
    ]
    kind, page, api, options = kinds[number % len(kinds)]
    return _q(name, kind, {name: page}, {name: api}, **options)


def _conditional(name: str, on: str) -> list[dict]:
    """A yes/no question and a question shown when it is answered yes."""
    return [
        _q(on, Kind.YES_NO, {on: "true"}, {on: True}),
        _q(
            name,
            Kind.LONG_TEXT,
            {name: "Affiché."},
            {name: "Affiché."},
            show_if={"question": on, "equals": True},
        ),
    ]


def form_of_40() -> list[tuple[str, list[dict]]]:
    projet = [
        _q(
            "title",
            Kind.SHORT_TEXT,
            {"title": "Robot"},
            {"title": "Robot"},
            role=Role.PROJECT_TITLE,
        ),
        _q("needs", Kind.LONG_TEXT, {"needs": "Voir."}, {"needs": "Voir."}, role=Role.NEEDS),
        _q("months", Kind.NUMBER, {"months": "6"}, {"months": 6}, role=Role.DURATION_MONTHS),
        _q(
            "start",
            Kind.DATE,
            {"start": "2027-01-04"},
            {"start": "2027-01-04"},
            role=Role.START_DATE,
        ),
        _q("end", Kind.DATE, {"end": "2027-06-30"}, {"end": "2027-06-30"}, role=Role.END_DATE),
        *_conditional("data_kind", "has_data"),
        *(_plain(f"p{n}", n) for n in range(9)),
    ]
    budget = [
        _q(
            "lines",
            Kind.TABLE,
            TABLE_PAGE,
            {"lines": TABLE_API},
            role=Role.TOTAL_BUDGET,
            rows=4,
            columns=COLUMNS,
        ),
        _q("asked", Kind.AMOUNT, {"asked": "2000"}, {"asked": 2000}, role=Role.AMOUNT_REQUESTED),
        *_conditional("other_funding", "has_other"),
        *(_plain(f"b{n}", n + 3) for n in range(4)),
    ]
    partenaires = [
        _q("expert", Kind.EXPERT, {}, {}, role=Role.EXPERT, required=False, programme="START"),
        _q(
            "earlier",
            Kind.EARLIER_FILE,
            {},
            {},
            role=Role.EARLIER_FILE,
            required=False,
            programme="START",
        ),
        _q("facts", Kind.ORGANISATION_FACTS),
        *(_plain(f"e{n}", n + 5) for n in range(4)),
    ]
    complements = [*_conditional("details", "more"), *(_plain(f"c{n}", n + 7) for n in range(6))]
    documents = [_q("documents", Kind.DOCUMENTS, max_count=5)]
    return [
        ("projet", projet),
        ("budget", budget),
        ("partenaires", partenaires),
        ("complements", complements),
        ("documents", documents),
    ]


def form_of_5() -> list[tuple[str, list[dict]]]:
    """The same steps with the questions that read something else (the table, the experts,
    the earlier files) and one plain one: what a step costs beyond its answers."""
    forty = dict(form_of_40())
    return [
        ("projet", forty["projet"][:1]),
        ("budget", forty["budget"][:2]),
        ("partenaires", forty["partenaires"][:2]),
    ]


def definition(steps: list[tuple[str, list[dict]]]) -> dict:
    return {
        "steps": [
            {
                "slug": slug,
                "title": {"fr": slug.title(), "en": slug.title()},
                "questions": [q["definition"] for q in questions],
            }
            for slug, questions in steps
        ]
    }


def answers(questions: list[dict], side: str) -> dict:
    values: dict = {}
    for question in questions:
        values.update(question[side])
    return values


# --- the requests -----------------------------------------------------------------------------


class Draft:
    """A draft of a call, its steps' page and API addresses, its version followed save by save
    (each save adds one, as the service does)."""

    def __init__(self, application: Application, steps, page: Client, api: APIClient):
        self.pk, self.version, self.steps = application.pk, application.version, dict(steps)
        self.page, self.api = page, api

    def page_url(self, slug: str) -> str:
        return f"/dossiers/{self.pk}/etapes/{slug}/"

    def get(self, slug: str) -> None:
        response = self.page.get(self.page_url(slug))
        if response.status_code != 200:
            raise SystemExit(f"GET {slug} answered {response.status_code}")

    def post(self, slug: str) -> None:
        data = {
            **answers(self.steps[slug], "page"),
            "version": str(self.version),
            "save_continue": "1",
        }
        response = self.page.post(self.page_url(slug), data)
        if response.status_code != 302:
            errors = response.context and response.context["form"].errors
            raise SystemExit(f"POST {slug} answered {response.status_code}: {errors}")
        self.version += 1

    def put(self, slug: str) -> None:
        body = {"version": self.version, "data": answers(self.steps[slug], "api"), "complete": True}
        response = self.api.put(
            f"/api/v1/applications/{self.pk}/steps/{slug}/", body, format="json"
        )
        if response.status_code != 200:
            raise SystemExit(
                f"PUT {slug} answered {response.status_code}: {response.content[:500]}"
            )
        self.version += 1


def queries(request, slug: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        request(slug)
    return len(captured)


def cpu_ms(request, slug: str, runs: int) -> tuple[float, float]:
    """Mean CPU ms a request (this process and its PostgreSQL backend) and median wall ms:
    bench.inprocess.timed for a page shown, the same count for a save."""
    draft = request.__self__
    if request.__name__ == "get":
        cpu: list = []
        walls = timed(draft.page, [draft.page_url(slug)] * runs, runs, cpu)
        return cpu[0], statistics.median(walls)
    walls = []
    backend, process = backend_cpu_ms(), time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        request(slug)
        walls.append((time.perf_counter() - start) * 1000)
    process = (time.process_time() - process) * 1000
    backend_after = backend_cpu_ms()
    database = backend_after - backend if backend is not None and backend_after else 0
    return (process + database) / runs, statistics.median(walls)


def start_draft(code: str, steps, seed: int) -> Draft:
    manager = UserFactory(
        email=f"gestion-{code.lower()}-{seed}@bench.adn", role="programme manager", is_staff=True
    )
    programme = Programme.objects.get(code=code)
    ProgrammeStaff.objects.create(user=manager, programme=programme)
    call = CallFactory(
        programme=programme,
        slug=f"formulaire-{code.lower()}-{seed}",
        funding_rate=Decimal("50"),
        ceiling_per_file=Decimal("100000"),
        max_duration_months=24,
        eligibility_rules=[],
        form_sections=[],
    )
    application_form_save(call=call, definition=definition(steps), by=manager)
    organisation = OrganisationFactory(enterprise_number=valid_enterprise_number(seed + len(steps)))
    applicant = make_member(organisation, UserFactory(email=f"pme-{code.lower()}-{seed}@bench.adn"))
    application = application_start(call=call, organisation=organisation, by=applicant)
    page, api = Client(), APIClient()
    login(page, applicant)
    login(api, applicant)
    return Draft(application, steps, page, api)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    small = start_draft("CAP", form_of_5(), args.seed)
    big = start_draft("TREMPLIN", form_of_40(), args.seed)
    counted = sum(len(questions) for _slug, questions in form_of_40())
    load = os.getloadavg()

    # Warm: the code paths (templates, translations, the first ORM compilations) once each.
    for draft in (small, big):
        for slug in draft.steps:
            draft.get(slug)
            if slug != "documents":
                draft.post(slug)
                draft.put(slug)

    lines = [
        f"a call's application form as data, in process: {counted} questions over "
        f"{len(big.steps)} steps (every kind, {sum(1 for _s, qs in form_of_40() for q in qs if 'show_if' in q['definition'])} conditional, a "
        f"{len(COLUMNS)}-column table) beside 5 questions on the same kinds of step; "
        f"CPU: this process and its PostgreSQL backend, mean of {args.runs} requests",
        f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores",
        f"{'step':12} {'questions':>9}  {'queries 5 → 40 (GET · POST · PUT)':36}  "
        f"{'CPU ms (40): GET':>16} {'POST':>6} {'PUT':>6}   {'wall ms median: GET':>19} {'POST':>6} {'PUT':>6}",
    ]
    equal = True
    for slug, questions in big.steps.items():
        methods = (
            {"GET": "get"} if slug == "documents" else {"GET": "get", "POST": "post", "PUT": "put"}
        )
        counts = []
        for name in methods.values():
            forty = queries(getattr(big, name), slug)
            five = queries(getattr(small, name), slug) if slug in small.steps else None
            counts.append((five, forty))
            equal &= five is None or five == forty
        shown = " · ".join(
            f"{five}→{forty}" if five is not None else f"-→{forty}" for five, forty in counts
        )
        same = all(five in (None, forty) for five, forty in counts)
        costs = [cpu_ms(getattr(big, name), slug, args.runs) for name in methods.values()]
        cpu = "".join(f"{c:>{w}.1f}" for (c, _w), w in zip(costs, (16, 7, 7), strict=False))
        wall = "".join(f"{m:>{w}.1f}" for (_c, m), w in zip(costs, (19, 7, 7), strict=False))
        lines.append(
            f"{slug:12} {len(questions):9}  {shown:30} {mark(same) if any(f is not None for f, _ in counts) else ' ':>5}  {cpu:30}   {wall}"
        )
    lines.append(f"queries the same for 5 and 40 questions: {mark(equal)}")
    lines.append(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    table = "\n".join(lines)
    print(table)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "forms.txt").write_text(table + "\n")


if __name__ == "__main__":
    main()
