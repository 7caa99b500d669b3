"""The deadline rush as Locust users (a locustfile: no Django here, it runs under gevent).

Each user is one applicant with their own account and organisation (applicants.py). It
logs in through the log-in form, waits until every applicant has (the deadline is near: all of
them are at their desks), then fills a Tremplin IA file through its pages as a browser would:
each step's page, its form posted (302), the next page; two PDFs through the documents step's
upload form; the submit button; the file page. A person pauses between pages (--think); the
redirects are followed at once. Every request is checked (status, where it leads) and recorded
for `python -m bench.rush`, which computes the figures.

Run by `python -m bench.rush`; by hand (Locust's web UI) once the stack and applicants exist:
    .venv/bin/locust -f bench/rush/users.py --host http://127.0.0.1:8772 --rush-prefix <prefix>"""

import itertools
import json
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy

import gevent
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.exception import StopUser

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
# The expert step's choices: the proposals and the picker's list, radio buttons.
EXPERT = re.compile(r'<input[^>]*name="expert"[^>]*value="(\d+)"')
FILE_PAGE = re.compile(r"^/dossiers/(\d+)/$")
REFERENCE = re.compile(r"TREMPLIN-\d{4}-\d{4,}")

TEXT = (
    "Notre PME produit et distribue des pièces techniques pour l'industrie wallonne. "
    "Nous voulons prévoir la demande à trois mois, réduire les ruptures de stock et "
    "planifier la production à partir de cinq ans d'historique de ventes et de commandes. "
) * 4
STEPS = {
    "organisation": {"confirmed": "on"},
    "contact": {
        "contact_name": "Camille Dupont",
        "contact_function": "Gérante",
        "contact_email": "camille@pme.example",
        "contact_phone": "+32 4 000 00 00",
    },
    "project": {
        "title": "Prévision de la demande",
        "use_case": TEXT,
        "earlier_application": "",
        "objectives": TEXT,
    },
    "data": {"data_sources": TEXT, "approach": TEXT},
    "provider": {"work_plan": TEXT, "duration_months": "9"},  # + the expert, from the page
    "budget": {
        "cost_personnel": "20000",
        "cost_provider": "60000",
        "cost_equipment": "8000",
        "cost_other": "2000",
        "amount_requested": "45000",
    },
    "roadmap": {"roadmap": TEXT},
}


def pdf(size: int) -> bytes:
    """A PDF of about `size` bytes (its type is checked by content)."""
    head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    tail = b"\n%%EOF\n"
    return head + b"%" + b"0" * (size - len(head) - len(tail) - 1) + tail


DOCUMENTS = [
    ("quote", "devis-prestataire.pdf", pdf(250_000)),
    ("annex", "plan-d-action.pdf", pdf(900_000)),
]


@events.init_command_line_parser.add_listener
def _arguments(parser):
    parser.add_argument("--rush-prefix", default="r1-", help="applicants rush-<prefix><n>@…")
    parser.add_argument("--rush-password", default="bench-rush-Pa55word")
    parser.add_argument("--rush-call", default="tremplin-ia-entreprises")
    parser.add_argument("--rush-think", default="2-8", help="seconds between pages: min-max")
    parser.add_argument(
        "--rush-double-every",
        type=int,
        default=10,
        help="every n-th applicant sends the submit form twice at once (0: none)",
    )
    parser.add_argument("--rush-record", default="", help="write every request here (JSON)")


class Journey(Exception):
    """The applicant cannot go on: the reason is recorded with the journey."""


numbers = itertools.count(1)
logged_in = 0
everyone_in = Event()
finished = 0
records: list = []  # [kind, start (epoch s), milliseconds, ok, status]
journeys: list = []  # [email, ok, reason, seconds]


@events.request.add_listener
def _record(request_type, name, response_time, exception, start_time, response, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    records.append([name, start_time, response_time, exception is None, status])


@events.quitting.add_listener
def _write(environment, **kwargs):
    path = environment.parsed_options.rush_record
    if path:
        with open(path, "w") as out:
            json.dump({"requests": records, "journeys": journeys}, out)


class Applicant(FastHttpUser):
    # A sync gunicorn worker answers one request at a time: a slow answer is queueing, not a
    # hang. Beyond a minute it counts as an error.
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self):
        options = self.environment.parsed_options
        self.number = next(numbers)
        self.email = f"rush-{options.rush_prefix}{self.number:04d}@bench.example"
        low, high = (float(s) for s in options.rush_think.split("-"))
        self.think_range = (low, high)
        # The portal's cookies are Secure (a browser sees it through the https proxy): send them
        # over this plain-http connection too.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("https", "http")))
        # Redirects are requests of their own (recorded, checked): never followed. Set once
        # here: Locust's allow_redirects=False swaps this setting around each request, which
        # two requests at once (the double click) undo for each other.
        self.client.client.redirect_response_codes = frozenset()
        # The proxy names the client (TRUSTED_PROXY_COUNT=1): each applicant its own address,
        # in a network of its own (allauth counts IPv6 log-ins per /64), from the documentation
        # prefix, so that per-client limits see people, not one machine.
        self.headers = {
            "X-Forwarded-For": f"2001:db8:{self.number:x}::1",
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{self.host.split('//', 1)[1].rstrip('/')}",
        }

    # --- one request, checked -------------------------------------------------------------

    def call(self, kind: str, method: str, path: str, *, expect: int, to: str = "", **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if method == "POST":
            headers["Referer"] = self.headers["Origin"] + path
        with self.client.request(
            method,
            path,
            name=kind,
            headers=headers,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code != expect:
                response.failure(f"{kind}: {response.status_code}, expected {expect}")
                raise Journey(f"{kind} answered {response.status_code}")
            location = response.headers.get("Location", "") if expect == 302 else ""
            if to and not re.search(to, location):
                response.failure(f"{kind}: sent to {location!r}")
                raise Journey(f"{kind} sent to {location!r}")
            response.success()
            return response, location

    def page(self, kind: str, path: str):
        response, _location = self.call(kind, "GET", path, expect=200)
        return response.text

    def think(self):
        gevent.sleep(random.uniform(*self.think_range))  # noqa: S311 — pacing, not secrets

    @staticmethod
    def csrf(html: str) -> str:
        match = CSRF.search(html)
        if not match:
            raise Journey("no CSRF token on the page")
        return match.group(1)

    # --- the journey ----------------------------------------------------------------------

    @task
    def rush(self):
        global finished
        started = time.time()
        try:
            self.log_in()
            everyone_in.wait()
            self.apply()
        except Journey as stop:
            journeys.append([self.email, False, str(stop), time.time() - started])
        else:
            journeys.append([self.email, True, "", time.time() - started])
        finished += 1
        if finished == self.environment.runner.target_user_count:
            self.environment.runner.quit()
        raise StopUser

    def log_in(self):
        global logged_in
        try:
            html = self.page("log-in page", "/compte/login/")
            self.think()
            self.call(
                "log-in",
                "POST",
                "/compte/login/",
                expect=302,
                to="^/$",
                data={
                    "csrfmiddlewaretoken": self.csrf(html),
                    "login": self.email,
                    "password": self.environment.parsed_options.rush_password,
                },
            )
            self.page("home page", "/")
        finally:
            logged_in += 1
            if logged_in == self.environment.runner.target_user_count:
                everyone_in.set()

    def apply(self):
        options = self.environment.parsed_options
        call = f"/appels/{options.rush_call}/"
        html = self.page("call page", call)
        self.think()
        _response, step_url = self.call(
            "start",
            "POST",
            f"{call}demande/",
            expect=302,
            to=r"^/dossiers/\d+/etapes/organisation/$",
            data={"csrfmiddlewaretoken": self.csrf(html)},
        )
        file_url = step_url.split("etapes/")[0]
        html = self.page("step page", step_url)
        for slug in STEPS:
            data = dict(STEPS[slug])
            if slug == "provider":
                experts = sorted(set(EXPERT.findall(html)))
                if not experts:
                    raise Journey("no expert to choose on the provider step")
                data["expert"] = random.choice(experts)  # noqa: S311
            version = VERSION.search(html).group(1)
            self.think()
            _response, step_url = self.call(
                "step save",
                "POST",
                step_url,
                expect=302,
                to=r"^/dossiers/\d+/etapes/[\w-]+/$",
                data={
                    **data,
                    "csrfmiddlewaretoken": self.csrf(html),
                    "version": version,
                    "save_continue": "1",
                },
            )
            if step_url.endswith(f"/{slug}/"):
                raise Journey(f"the {slug} step was refused")
            html = self.page("step page", step_url)
        documents_url = step_url
        for kind, name, content in DOCUMENTS:
            self.think()
            self.call(
                "upload",
                "POST",
                f"{file_url}documents/",
                expect=302,
                to=f"^{documents_url}$",
                data={
                    "csrfmiddlewaretoken": self.csrf(html),
                    "next": documents_url,
                    "kind": kind,
                },
                files={"file": (name, content, "application/pdf")},
            )
            html = self.page("step page", documents_url)
        self.think()
        html = self.page("review page", f"{file_url}relecture/")
        if "✖" in html:
            raise Journey("a check before submission fails")
        self.think()
        self.submit(file_url, self.csrf(html), twice=self._double_clicks())
        html = self.page("file page", file_url)
        if not REFERENCE.search(html):
            raise Journey("the file page shows no reference")

    def _double_clicks(self) -> bool:
        every = self.environment.parsed_options.rush_double_every
        return bool(every) and self.number % every == 0

    def submit(self, file_url: str, token: str, *, twice: bool):
        """The submit button; `twice`: a double click that the page's script did not stop (both
        requests at once): each must land on the file page, the file submitted once."""

        def post():
            self.call(
                "submit",
                "POST",
                f"{file_url}introduire/",
                expect=302,
                to=f"^{file_url}$",
                # The review page's declarations, posted with the submission.
                data={"csrfmiddlewaretoken": token, "gdpr_consent": "on", "sworn_statement": "on"},
            )

        if not twice:
            post()
            return
        clicks = [gevent.spawn(post), gevent.spawn(post)]
        gevent.joinall(clicks)
        for click in clicks:
            if not click.successful():
                raise click.exception
