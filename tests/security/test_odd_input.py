"""Odd input never becomes a 500 (issue 15, section 6).

Property-based: hypothesis sends every page and API endpoint of the URLconf query parameters
made of Unicode digits ("²", "٣"), NUL and other control characters, odd Unicode, 100 KB
strings, huge and negative numbers, repeated parameters and tampered API cursors, as an
anonymous visitor, an applicant, an expert company and staff; then posts the same values into
the fields of the main forms and API bodies. Every answer is below 500, the API's errors keep
its shape, a refused form writes nothing, and no NUL byte reaches the database (PostgreSQL
refuses one in text and JSON, so a NUL SQLite stores would be a 500 in production).

Each example runs in a savepoint rolled back at its end: examples do not see each other's
writes, and `derandomize=True` makes every run try the same examples (CI is reproducible).
Then one targeted test per bug found, each failing before its fix."""

import base64
import io
import json
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import constants as message_levels
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from adn_portal.accounts.roles import Role
from adn_portal.lib.numbers import whole_number
from adn_portal.lib.openid import FEDERAL_PROVIDER_ID
from adn_portal.lib.pagination import paginate
from adn_portal.lib.spreadsheet import safe_cell
from applications.models import Application, Export
from applications.services import application_start
from applications.workflow import Status
from companies.forms.owner import OrganisationForm
from companies.identifiers import nace_section, normalise_enterprise_number
from companies.models import Organisation
from programs.models import FormSection, Programme
from tests.auth import login, login_staff
from tests.factories import (
    CallFactory,
    ExpertFactory,
    OrganisationFactory,
    make_member,
    valid_enterprise_number,
)
from tests.fixtures.applicants import START_STEPS
from tests.fixtures.staff import scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db

# One shared budget: hypothesis runs these many examples per test, the same ones every run.
EXAMPLES = 60
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    # The world fixture is built once per test and each example rolls its writes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# --- what odd input looks like -----------------------------------------------------------------

# Digits str.isdigit() says yes to: those int() refuses ("²", "①") and those of other scripts
# that int() reads ("٣", full-width digits). A view that checks isdigit() then calls int()
# fails on the first kind and takes the second for a number.
_NOT_INT_DIGITS = [c for c in map(chr, range(0x110000)) if c.isdigit() and not c.isdecimal()]
_OTHER_DECIMALS = [c for c in map(chr, range(128, 0x110000)) if c.isdecimal()]
_ASCII_PREFIX = st.sampled_from(["", "1", "12"])
NOT_INT_DIGITS = st.builds(
    str.__add__, _ASCII_PREFIX, st.text(st.sampled_from(_NOT_INT_DIGITS), min_size=1, max_size=3)
)
OTHER_DECIMALS = st.builds(
    str.__add__, _ASCII_PREFIX, st.text(st.sampled_from(_OTHER_DECIMALS), min_size=1, max_size=3)
)
# NUL and the other control characters, alone or inside text ("a\x00b").
CONTROL = st.lists(
    st.one_of(st.just("\x00"), st.characters(categories=["Cc"]), st.sampled_from("a1 ")),
    min_size=1,
    max_size=4,
).map("".join)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)  # no surrogates
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**20]),
).map(str)
# Longer than int() reads (4,300 digits) and than a database pattern takes.
LONG = st.sampled_from([5_000, 100_000]).flatmap(
    lambda n: st.sampled_from(["9" * n, "x" * n, "²" * n, "é" * n])
)
JUNK = st.sampled_from(
    ["", " ", "0", "-1", "1.5", "1e309", "NaN", "inf", "+1", " 1", "0x1F", "1_000", "null", "[]"]
)
ODD_TEXT = st.one_of(NOT_INT_DIGITS, OTHER_DECIMALS, CONTROL, ANY_TEXT, NUMBERS, LONG, JUNK)
# A value, sometimes after other values of the same name (a repeated parameter): get() reads
# the last one, getlist() all of them.
ODD_VALUE = st.builds(
    lambda last, before: [*before, last] if before else last,
    ODD_TEXT,
    st.lists(ODD_TEXT, max_size=2),
)


def _cursor(position, offset, reverse_flag) -> str:
    """A cursor as DRF encodes it, with whatever inside."""
    tokens = {"o": offset, "r": reverse_flag}
    if position is not None:
        tokens["p"] = position
    return base64.b64encode(urlencode(tokens).encode()).decode()


# Tampered cursors: well encoded, with odd positions (DRF puts them in the query), offsets and
# directions; and cursors that are not base64 at all.
CURSORS = st.one_of(
    st.builds(
        _cursor,
        st.one_of(st.none(), ODD_TEXT),
        st.sampled_from(["0", "1", "²", "-1"]),
        st.sampled_from(["0", "1", "²"]),
    ),
    ODD_TEXT,
)

# What the portal's views read from the query string (keep in step with the views), and
# names read by many (pagination, sorting, redirects).
FACETS = ["speciality", "sector", "province", "language", "programme"]
QUEUE = ["q", "programme", "call", "status", "province", "kind", "reviewer", "mine", "overdue"]
ANYONE, MEMBERS, STAFF = ["anonymous", "applicant", "staff"], ["applicant", "expert"], ["staff"]
READS = {  # name: (who sees it, what it reads)
    "companies:expert_directory": (ANYONE, ["page", "q", "sort", *FACETS]),
    "companies:experts_export": (ANYONE, ["q", "sort", *FACETS]),
    "companies:staff_expert_list": (STAFF, ["status", "page"]),
    "companies:staff_claim_list": (STAFF, ["status", "page"]),
    "companies:organisation_join": (MEMBERS, ["number"]),
    "applications:staff_queue": (STAFF, ["page", "cursor", "ordering", *QUEUE]),
    "applications:staff_accounting": (STAFF, ["start", "end", "what", "format"]),
    "stats:dashboard": (STAFF, ["programme", "from", "to"]),
    "stats:dashboard_csv": (STAFF, ["programme", "from", "to"]),
    "api:call-list": (ANYONE, ["page", "page_size", "programme__code"]),
    "api:expert-list": (ANYONE, ["cursor", "page_size", "q", "ordering", *FACETS]),
    "api:staff-application-list": (STAFF, ["cursor", "page_size", "ordering", *QUEUE]),
    "api:application-list": (MEMBERS, ["page", "page_size"]),
    "api:my-organisation-list": (MEMBERS, ["page", "page_size"]),
    "api:expert-application-list": (MEMBERS, ["page", "page_size"]),
    "api:staff-export-list": (STAFF, ["page", "page_size"]),
    "api:staff-indicators": (STAFF, ["indicator", "dimension"]),
    "api:schema": (ANYONE, ["lang", "format"]),
}
COMMON = ["page", "next", "format", "ordering", "q", "lang"]
# The admin's changelists read these, and their filters; its forms take initial values.
ADMIN_CHANGELIST = ["q", "o", "p", "all", "e", "_popup", "_to_field", "_changelist_filters"]


# --- the portal as its users see it ------------------------------------------------------------


@pytest.fixture
def world(db):
    """An applicant with a draft, a file waiting for an answer and one in progress; an expert
    company; a submitted file with a scoring grid; an administrator with every programme."""
    organisation = OrganisationFactory(name="Menuiserie Dupont SRL", postcode="4000")
    applicant = make_member(organisation)
    expert = ExpertFactory(programmes=["START", "TREMPLIN"])
    expert_member = make_member(expert.organisation)
    start = CallFactory(
        programme=Programme.objects.get(code="START"),
        slug="start-ia-fuzz",
        form_sections=[FormSection.CHALLENGES, FormSection.EXPERT, FormSection.ATTACHMENTS],
    )
    draft = application_start(call=start, organisation=organisation, by=applicant)
    waiting = submitted_file(
        scored_call("TREMPLIN"), status=Status.INFO_REQUESTED, organisation=organisation,
        applicant=applicant, status_before_info_request=Status.SUBMITTED,
    )  # fmt: skip
    running = submitted_file(
        scored_call("CAP"), status=Status.IN_PROGRESS, organisation=organisation,
        applicant=applicant, expert=expert,
    )  # fmt: skip
    queued = submitted_file()
    administrator = staff(Role.ADMINISTRATOR, "START", "TREMPLIN", "CAP", is_superuser=True)
    Export.objects.create(requested_by=administrator, query={}, format="csv")
    return {
        "applicant": applicant,
        "organisation": organisation,
        "expert": expert,
        "expert_member": expert_member,
        "call": start,
        "draft": draft,
        "waiting": waiting,
        "running": running,
        "queued": queued,
        "administrator": administrator,
        "clients": {},
    }


def client_for(world, role: str, *, api: bool):
    """A signed-in client for the pages, or for the API (through force_authenticate, as a
    token would). Signed in once per test, before the examples' savepoints: each example
    starts from the same session."""
    key = (role, api)
    if key not in world["clients"]:
        world["clients"][key] = _signed_in(world, role, api=api)
    return world["clients"][key]


def _signed_in(world, role: str, *, api: bool):
    user = None if role == "anonymous" else world[USERS[role]]
    if api:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
    else:
        client = Client()
        if role == "staff":
            login_staff(client, user)
        elif user is not None:
            login(client, user)
    return client


USERS = {"applicant": "applicant", "expert": "expert_member", "staff": "administrator"}
ROLES = ["anonymous", *USERS]


def _path_values(world) -> dict[str, str]:
    """A real object for each path parameter, so that the views get past their lookups."""
    application = world["draft"]
    return {
        "pk": str(application.pk),
        "slug": world["expert"].slug,
        "call_slug": world["call"].slug,
        "step": "needs",
        "chart": "requests",
        "attachment_pk": "1",
        "document_pk": "1",
        "number": "1",
        "message_pk": "1",
        "message_id": "1",
        "attachment_id": "1",
        "membership_pk": "1",
        "request_pk": "1",
        "agreement_pk": "1",
        "milestone_pk": "1",
        "provider_id": FEDERAL_PROVIDER_ID,
        "export_pk": str(Export.objects.get().pk),
        "token": "abc",
        "fmt": "csv",
        "object_id": str(world["organisation"].pk),
        "content_type_id": "1",
        "id": str(world["applicant"].pk),
        "app_label": "companies",
        "key": "abc",
        "uidb36": "1",
    }


def _walk(patterns, namespace="", outer=frozenset()):
    """Each named URL with its path parameters, those of the includes around it too."""
    for pattern in patterns:
        parameters = outer | frozenset(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, parameters)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, parameters


def _named_patterns() -> dict[str, frozenset[str]]:
    """Every named URL of the URLconf and its path parameters. The format-suffix twins are left
    out (`format` is fuzzed as a query parameter instead), and so is the log-out form."""
    return {
        name: parameters
        for name, parameters in _walk(get_resolver().url_patterns)
        if "format" not in parameters and not name.endswith("logout")
    }


PATTERNS = _named_patterns()
PAGES = sorted(name for name in PATTERNS if not name.startswith("admin:"))
ADMIN_PAGES = sorted(name for name in PATTERNS if name.startswith("admin:"))
ADMIN_LISTS_AND_FORMS = [name for name in ADMIN_PAGES if name.endswith(("_changelist", "_add"))]


def reads_of(name: str) -> list[str]:
    """The query parameters a view reads."""
    if name in READS:
        return READS[name][1]
    if not name.startswith("admin:"):
        return COMMON
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name == f"{prefix}changelist":
            filters = [f for f in model_admin.list_filter if isinstance(f, str)]
            lookups = ("__exact", "__id__exact", "__isnull")
            return ADMIN_CHANGELIST + [f + lookup for f in filters for lookup in lookups]
        if name == f"{prefix}add":  # initial values of the form's fields
            return [field.name for field in model._meta.get_fields() if field.concrete]
    return ["_changelist_filters", "_popup", "_to_field"]


def url_of(world, name: str) -> str:
    values = _path_values(world)
    unknown = PATTERNS[name] - set(values)
    assert not unknown, f"{name}: give {set(unknown)} a real value in _path_values"
    return reverse(name, kwargs={p: values[p] for p in PATTERNS[name]})


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def assert_handled(response, url: str) -> None:
    assert response.status_code < 500, (url, response.status_code)
    if _is_api(url) and 400 <= response.status_code < 500:
        body = json.loads(response.content)  # JSON, never Django's HTML error page
        assert body["status"] == response.status_code, (url, body)
        assert isinstance(body["errors"], list) and body["errors"], (url, body)


def _rolled_back(run):
    """Run `run()` in a savepoint that is rolled back: the next example starts from the same
    database. The caches (throttles, cached pages) start empty too."""
    for alias in ("default", "pages"):
        caches[alias].clear()
    with transaction.atomic():
        run()
        transaction.set_rollback(True)


UNREAD = st.dictionaries(ANY_TEXT.filter(bool), ODD_VALUE, max_size=2)


def _query(data, name: str) -> dict:
    """Odd values for every parameter the view reads, and for a name nobody reads."""
    reads = reads_of(name)
    unread = data.draw(UNREAD, label="read by nobody")
    read = data.draw(
        st.fixed_dictionaries({n: CURSORS if n == "cursor" else ODD_VALUE for n in reads}),
        label="read by the view",
    )
    return unread | read


# --- GET: every page and endpoint, every kind of visitor ---------------------------------------


def _get_fuzz(world, data, name: str, roles: list[str]) -> None:
    url = url_of(world, name)
    role = data.draw(st.sampled_from(roles), label="role")
    query = _query(data, name)
    client = client_for(world, role, api=_is_api(url))

    def run():
        assert_handled(client.get(url, query), url)

    _rolled_back(run)


@pytest.mark.parametrize("name", sorted(READS))
@settings(FUZZ, max_examples=20)
@given(data=st.data())
def test_odd_query_parameters_never_fail_a_list_search_or_filter(world, name, data):
    _get_fuzz(world, data, name, READS[name][0])


@pytest.mark.parametrize("name", [name for name in PAGES if name not in READS])
@settings(FUZZ, max_examples=3)
@given(data=st.data())
def test_odd_query_parameters_never_fail_any_other_page_or_endpoint(world, name, data):
    _get_fuzz(world, data, name, ROLES)


@pytest.mark.parametrize("name", ADMIN_LISTS_AND_FORMS)
@settings(FUZZ, max_examples=5)
@given(data=st.data())
def test_odd_query_parameters_never_fail_an_admin_list_or_form(world, name, data):
    _get_fuzz(world, data, name, STAFF)


@pytest.mark.parametrize("name", sorted(set(ADMIN_PAGES) - set(ADMIN_LISTS_AND_FORMS)))
@settings(FUZZ, max_examples=2)
@given(data=st.data())
def test_odd_query_parameters_never_fail_any_other_admin_page(world, name, data):
    _get_fuzz(world, data, name, STAFF)


# --- POST: the fields of the main forms ---------------------------------------------------------

# Rows that change on every request whatever it asks (the audit log and the head of its chain,
# sessions, idempotency records): left out of "nothing was written".
NOT_DATA = {"accounts.auditevent", "sessions.session", "accounts.idempotencykey"}
# The audit log's chain head (the file's timelines' heads stay data).
NOT_DATA_ROWS = {"accounts.chainhead": lambda row: row["chain"] == "audit"}


def snapshot() -> dict:
    """Every row of every table the portal writes to, as plain values."""
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOT_DATA or model._meta.app_label in {"axes", "contenttypes", "auth"}:
            continue
        left_out = NOT_DATA_ROWS.get(label, lambda row: False)
        rows[label] = [row for row in model.objects.order_by("pk").values() if not left_out(row)]
    return rows


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


def assert_no_nul_stored(rows: dict) -> None:
    for label, values in rows.items():
        for row in values:
            assert not _holds_nul(row), (label, row)


def _refused(response) -> bool:
    """A refusal: an error status, the form shown again with its errors, or an error message
    on the redirect."""
    if response.status_code >= 400:
        return True
    if response.status_code == 200:
        context = response.context or {}
        return bool(context.get("error")) or any(
            getattr(context.get(name), "errors", None) for name in ("form", "references")
        )
    stored = getattr(response.wsgi_request, "_messages", [])
    return any(m.level >= message_levels.ERROR for m in getattr(stored, "_queued_messages", []))


STEP_SLUGS = ["organisation", "contact", "needs", "expert"]
PAGE_FORMS = [
    "organisation_create", "organisation_edit", "expert_apply", "organisation_join",
    "organisation_invite", "profile", "set_language", "withdraw", "answer", "report",
    "erase_account", "expert_profile", "api_token_create", "api_token_revoke",
    *(f"step {slug} {how}" for slug in STEP_SLUGS for how in ("save_continue", "save_draft")),
    "staff_application_note", "staff_application_decide", "staff_application_request_information", "staff_application_score",
    "staff_application_transition", "staff_application_assign", "staff_application_assign_expert", "staff_queue_batch",
    "staff_export_create", "staff_expert_detail",
]  # fmt: skip


def page_forms(world) -> dict[str, tuple[str, str, dict]]:
    """name: (who, URL, a valid form) for the main forms of the pages. The fuzz gives odd
    values to some of the valid ones, so that it reaches the code behind each field."""
    waiting, running, queued = world["waiting"], world["running"], world["queued"]
    organisation = {
        "name": "Atelier Fuzz SRL",
        "enterprise_number": valid_enterprise_number(424242),
        "kind": "sme",
        "street": "Rue Haute 1",
        "postcode": "5000",
        "headcount": "12",
        "turnover": "1500000",
        "balance_sheet": "900000",
        "nace_codes": "62.010, 70.220",
        "website": "https://atelier.example",
        "phone": "+32 81 12 34 56",
    }
    expert_profile = {
        "description_fr": "Vision par ordinateur pour PME.",
        "specialities": ["computer_vision"],
        "sectors": ["manufacturing"],
        "languages": ["fr"],
        "programmes": ["START"],
        "team_size": "5",
        "public_email": "contact@expert.example",
        "public_phone": "+32 4 123 45 67",
    }
    references = {"ref-TOTAL_FORMS": "3", "ref-INITIAL_FORMS": "0"} | {
        f"ref-{n}-{field}": value
        for n in range(3)
        for field, value in (("client", "Client"), ("summary", "Un projet."), ("year", "2024"))
    }
    report = {
        "summary": "Fait.", "investment_before": "1000", "investment_after": "2000",
        "improved_competitiveness": "yes", "improved_quality": "no", "in_production": "yes",
        "jobs_created": "1", "would_recommend": "yes",
    }  # fmt: skip
    forms = {
        "organisation_create": (
            "applicant", reverse("companies:organisation_create"), organisation,
        ),
        "organisation_edit": (
            "applicant",
            reverse("companies:organisation_edit", args=[world["organisation"].pk]),
            organisation,
        ),
        "expert_apply": (
            "applicant", reverse("companies:expert_apply"), expert_profile | references,
        ),
        "organisation_join": (
            "applicant",
            reverse("companies:organisation_join"),
            {"enterprise_number": "0202.239.951", "message": "Bonjour"},
        ),
        "organisation_invite": (
            "applicant",
            reverse("companies:organisation_invite", args=[world["organisation"].pk]),
            {"email": "collegue@pme.example", "role": "member"},
        ),
        "profile": (
            "applicant", reverse("profile"), {"first_name": "Julie", "last_name": "D", "language": "fr"},
        ),
        "set_language": (
            "applicant", reverse("set_language"), {"language": "en", "next": "/experts/"},
        ),
        "withdraw": (
            "applicant", reverse("applications:withdraw", args=[waiting.pk]), {"reason": "Plus tard"},
        ),
        "answer": (
            "applicant", reverse("applications:answer", args=[waiting.pk]), {"answer": "Voici."},
        ),
        "report": ("applicant", reverse("applications:report", args=[running.pk]), report),
        "erase_account": (
            "applicant", reverse("applications:erase_account"), {"password": "not-the-password"},
        ),
        "expert_profile": ("expert", reverse("companies:expert_profile"), expert_profile),
        "api_token_create": ("applicant", reverse("api_tokens"), {"name": "Mon script"}),
        "api_token_revoke": ("applicant", reverse("api_tokens"), {"revoke": "0" * 128}),
    }  # fmt: skip
    steps = dict(START_STEPS) | {
        "expert": {"expert": str(world["expert"].pk), "availability": "Les mardis."}
    }
    for slug in STEP_SLUGS:
        url = reverse("applications:step", args=[world["draft"].pk, slug])
        for how in ("save_continue", "save_draft"):
            forms[f"step {slug} {how}"] = (
                "applicant",
                url,
                steps[slug] | {"version": "1", how: "1"},
            )
    criteria = list(queued.call.criteria.values_list("pk", flat=True))
    scores = {f"score_{pk}": "3" for pk in criteria} | {f"comment_{pk}": "ok" for pk in criteria}
    on_file = {
        "staff_application_note": {"text": "À vérifier."},
        "staff_application_decide": {"decision": "selected", "comment": "", "expected_status": "submitted"},
        "staff_application_request_information": {"message": "Le devis ?", "due_date": "2030-01-31"},
        "staff_application_score": scores,
        "staff_application_transition": {"to": "eligibility_check", "comment": "", "expected_status": "submitted"},
        "staff_application_assign": {"reviewer": str(world["administrator"].pk)},
        "staff_application_assign_expert": {"expert": str(world["expert"].pk)},
    }  # fmt: skip
    for name, values in on_file.items():
        forms[name] = ("staff", reverse(f"applications:{name}", args=[queued.pk]), values)
    forms |= {
        "staff_queue_batch": (
            "staff",
            reverse("applications:staff_queue_batch"),
            {"files": [str(queued.pk)], "action": "rejected", "comment": "", "querystring": "page=2"},
        ),
        "staff_export_create": ("staff", reverse("applications:staff_export_create"), {"format": "xlsx"}),
        "staff_expert_detail": (
            "staff",
            reverse("companies:staff_expert_detail", args=[world["expert"].pk]),
            {"to": "suspended", "comment": "", "valid_from": "2026-01-01", "years": "3"},
        ),
    }  # fmt: skip
    assert sorted(forms) == sorted(PAGE_FORMS)
    return forms


def _made_odd(data, values: dict, odd_value) -> dict:
    """The valid values with some of them (at least one), and sometimes a field nobody
    declared, given odd values."""
    odd = data.draw(
        st.fixed_dictionaries({}, optional=dict.fromkeys(values, odd_value)), label="odd fields"
    )
    if not odd:
        name = data.draw(st.sampled_from(sorted(values)), label="odd field")
        odd = {name: data.draw(odd_value, label=name)}
    extra = data.draw(st.dictionaries(ANY_TEXT.filter(bool), odd_value, max_size=1), label="extra")
    return values | extra | odd


@pytest.mark.parametrize("form", PAGE_FORMS)
@settings(FUZZ, max_examples=8)
@given(data=st.data())
def test_odd_form_fields_never_fail_and_a_refused_form_writes_nothing(world, form, data):
    role, url, values = page_forms(world)[form]
    posted = _made_odd(data, values, ODD_VALUE)
    query = data.draw(st.one_of(st.just({}), UNREAD), label="query")
    target = f"{url}?{urlencode(query, doseq=True)}" if query else url
    client = client_for(world, role, api=False)

    def run():
        before = snapshot()
        response = client.post(target, posted)
        assert_handled(response, url)
        after = snapshot()
        if _refused(response):
            assert after == before, url
        assert_no_nul_stored(after)

    _rolled_back(run)


# --- API bodies ----------------------------------------------------------------------------------

JSON_SCALARS = st.one_of(
    ODD_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(ANY_TEXT, inner, max_size=3)
    ),
    max_leaves=6,
)
API_WRITES = [
    "create", "withdraw", "answer", "expert_profile", "transitions", "information_requests",
    "assignment", "scores", "notes", "export", *(f"step {slug}" for slug in START_STEPS),
    *(f"partial step {slug}" for slug in START_STEPS),
]  # fmt: skip


def api_writes(world) -> dict[str, tuple[str, str, str, dict]]:
    """name: (who, method, URL, a valid body) for the API's writes."""
    draft, queued, waiting = world["draft"], world["queued"], world["waiting"]
    criteria = list(queued.call.criteria.values_list("pk", flat=True))
    staff_file = f"/api/v1/staff/applications/{queued.pk}"
    writes = {
        "create": ("applicant", "post", "/api/v1/applications/",
                   {"call": world["call"].slug, "organisation": world["organisation"].pk}),
        "withdraw": ("applicant", "post", f"/api/v1/applications/{waiting.pk}/withdraw/",
                     {"reason": "Plus tard"}),
        "answer": ("applicant", "post", f"/api/v1/applications/{waiting.pk}/answer/",
                   {"answer": "Voici."}),
        "expert_profile": ("expert", "patch", "/api/v1/me/expert/",
                           {"description_fr": "Nous aidons les PME.", "team_size": 4}),
        "transitions": ("staff", "post", f"{staff_file}/transitions/",
                        {"to": "eligibility_check", "comment": "", "expected_status": "submitted"}),
        "information_requests": ("staff", "post", f"{staff_file}/information-requests/",
                                 {"message": "Le devis ?", "due_date": "2030-01-31"}),
        "assignment": ("staff", "post", f"{staff_file}/assignment/",
                       {"reviewer": world["administrator"].pk}),
        "scores": ("staff", "post", f"{staff_file}/scores/",
                   {"scores": {str(pk): {"value": 3, "comment": "ok"} for pk in criteria}}),
        "notes": ("staff", "post", f"{staff_file}/notes/", {"text": "À vérifier."}),
        "export": ("staff", "post", "/api/v1/staff/exports/", {"format": "csv"}),
    }  # fmt: skip
    for slug, values in START_STEPS.items():
        url = f"/api/v1/applications/{draft.pk}/steps/{slug}/"
        body = {"version": 1, "data": values}
        writes[f"step {slug}"] = ("applicant", "put", url, body | {"complete": True})
        writes[f"partial step {slug}"] = ("applicant", "put", url, body | {"complete": False})
    assert sorted(writes) == sorted(API_WRITES)
    return writes


def _odd_body(data, body: dict) -> dict:
    """Odd JSON for some of the body's fields, or inside one of its objects."""
    inside = [name for name, value in body.items() if isinstance(value, dict)]
    if inside and data.draw(st.booleans(), label="inside an object"):
        name = data.draw(st.sampled_from(inside), label="object")
        return body | {name: _made_odd(data, body[name], JSON_VALUES)}
    return _made_odd(data, body, JSON_VALUES)


@pytest.mark.parametrize("write", API_WRITES)
@settings(FUZZ, max_examples=8)
@given(data=st.data())
def test_odd_api_bodies_are_refused_in_the_error_shape_and_write_nothing(world, write, data):
    role, method, url, body = api_writes(world)[write]
    sent = _odd_body(data, body)
    client = client_for(world, role, api=True)

    def run():
        before = snapshot()
        response = getattr(client, method)(url, sent, format="json")
        assert_handled(response, url)
        after = snapshot()
        if response.status_code >= 400:
            assert after == before, url
        assert_no_nul_stored(after)

    _rolled_back(run)


# --- one test per bug found ----------------------------------------------------------------------


@pytest.mark.parametrize("junk", ["²", "٣", "\uff11", "9" * 5000, "1" * 19])  # ², 3, full-width 1
def test_whole_number_reads_only_ascii_digits_a_column_can_hold(junk):
    assert whole_number("42") == 42
    assert whole_number(junk) is None


def test_a_directory_page_number_int_refuses_is_page_one(client):
    ExpertFactory()
    for junk in ("²", "9" * 5000):
        response = client.get(reverse("companies:expert_directory"), {"page": junk})
        assert response.status_code == 200
        assert response.context["page"].number == 1


def test_a_page_number_past_what_an_offset_holds_is_the_last_page(client):
    ExpertFactory()
    response = client.get(reverse("companies:expert_directory"), {"page": "9" * 20})
    assert response.status_code == 200
    assert response.context["page"].number == 1  # the only page


def test_a_queue_page_number_int_refuses_is_page_one(client):
    administrator = staff(Role.ADMINISTRATOR, "START")
    submitted_file()
    login_staff(client, administrator)
    response = client.get(reverse("applications:staff_queue"), {"page": "²", "status": "submitted"})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert paginate(Application.objects.all(), "²", 10).number == 1


def test_a_huge_reviewer_in_the_queue_filter_is_ignored_not_a_500(client):
    administrator = staff(Role.ADMINISTRATOR, "START")
    submitted_file()
    login_staff(client, administrator)
    response = client.get(reverse("applications:staff_queue"), {"reviewer": "9" * 20})
    assert response.status_code == 200
    assert "reviewer" in response.context["filter"].form.errors


def test_a_100_kb_queue_search_is_refused_not_a_500(client):
    administrator = staff(Role.ADMINISTRATOR, "START")
    submitted_file()
    login_staff(client, administrator)
    response = client.get(reverse("applications:staff_queue"), {"q": "x" * 100_000})
    assert response.status_code == 200
    assert "q" in response.context["filter"].form.errors


@pytest.mark.parametrize("name", ["from", "to"])
def test_a_dashboard_year_int_refuses_is_ignored(client, name):
    login_staff(client, staff(Role.ADMINISTRATOR, "START"))
    response = client.get(reverse("stats:dashboard"), {name: "²"})
    assert response.status_code == 200


@pytest.mark.parametrize("junk", ["²", "9" * 5000])
def test_an_api_page_size_int_refuses_is_a_400_in_the_error_shape(junk):
    response = APIClient().get("/api/v1/calls/", {"page_size": junk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


def test_an_api_page_number_in_other_digits_is_a_400():
    response = APIClient().get("/api/v1/calls/", {"page": "٣"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page"


@pytest.mark.parametrize(
    ("url", "position"),
    [
        ("/api/v1/staff/applications/", "abc"),  # ordered by submission time
        ("/api/v1/staff/applications/", "2026-01-01 10:00:00"),  # a naive time
        ("/api/v1/experts/", "a\x00b"),  # ordered by slug
        ("/api/v1/experts/", "x" * 5000),
    ],
)
def test_a_tampered_api_cursor_is_a_400_in_the_error_shape(url, position):
    administrator = staff(Role.ADMINISTRATOR, "START")
    submitted_file()
    ExpertFactory()
    client = APIClient()
    client.force_authenticate(administrator)
    response = client.get(url, {"cursor": _cursor(position, "0", "0")})
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "errors": [{"field": "cursor", "code": "invalid_cursor", "message": "Curseur non valide"}],
    }


@pytest.mark.parametrize("cursor", ["not-base64!", "bz1hYmM=", "bz0tMQ==", "\u0663"])
def test_an_unreadable_api_cursor_is_a_400_naming_it(cursor):
    response = APIClient().get("/api/v1/experts/", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_a_cursor_the_api_wrote_still_pages():
    administrator = staff(Role.ADMINISTRATOR, "START")
    for _ in range(3):
        submitted_file()
    client = APIClient()
    client.force_authenticate(administrator)
    first = client.get("/api/v1/staff/applications/", {"page_size": 2}).json()
    second = client.get(first["next"])
    assert second.status_code == 200
    assert len(second.json()["results"]) == 1


def test_a_json_body_nested_too_deeply_is_a_400_in_the_error_shape():
    administrator = staff(Role.ADMINISTRATOR, "START")
    application = submitted_file()
    client = APIClient()
    client.force_authenticate(administrator)
    response = client.post(
        f"/api/v1/staff/applications/{application.pk}/notes/",
        "[" * 100_000 + "]" * 100_000,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


@pytest.mark.parametrize("number", ["020223995²", "٠٢٠٢٢٣٩٩٥١"])
def test_an_enterprise_number_in_other_digits_is_refused(number):
    with pytest.raises(Exception) as refusal:
        normalise_enterprise_number(number)
    assert refusal.value.code == "not_digits"


def test_a_nace_code_in_other_digits_is_refused_and_reads_no_section():
    form = OrganisationForm(
        {
            "name": "Atelier Fuzz SRL",
            "enterprise_number": valid_enterprise_number(424242),
            "kind": "sme",
            "street": "Rue Haute 1",
            "postcode": "5000",
            "headcount": "12",
            "turnover": "1500000",
            "nace_codes": "²²",
        }
    )
    assert not form.is_valid()
    assert list(form.errors) == ["nace_codes"]
    assert nace_section("²².100") == ""


def test_an_organisation_registered_with_a_nace_code_in_other_digits_is_refused(client, user):
    login(client, user)
    response = client.post(
        reverse("companies:organisation_create"),
        {
            "name": "Atelier Fuzz SRL",
            "enterprise_number": valid_enterprise_number(424242),
            "kind": "sme",
            "street": "Rue Haute 1",
            "postcode": "5000",
            "headcount": "12",
            "turnover": "1500000",
            "nace_codes": "²²",
        },
    )
    assert response.status_code == 200
    assert not Organisation.objects.exists()


def test_a_step_saved_with_a_junk_version_is_refused_as_stale(client):
    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    draft = application_start(call=CallFactory(), organisation=organisation, by=applicant)
    login(client, applicant)
    response = client.post(
        reverse("applications:step", args=[draft.pk, "contact"]),
        {**START_STEPS["contact"], "version": "²", "save_continue": "1"},
    )
    # The conflict page: the typed text offered back beside the saved one, nothing saved.
    assert response.status_code == 409
    assert START_STEPS["contact"]["contact_name"] in response.content.decode()
    draft.refresh_from_db()
    assert draft.version == 1 and "contact" not in draft.data


# The reviewer is a choice of the assignment form (refused on its field, 400, as by the API),
# the expert one of the expert picker's (refused on its field, 400).
@pytest.mark.parametrize(
    ("view", "field", "status"),
    [
        ("staff_application_assign", "reviewer", 400),
        ("staff_application_assign_expert", "expert", 400),
    ],
)
def test_a_staff_assignment_to_a_junk_id_is_refused(client, view, field, status):
    administrator = staff(Role.ADMINISTRATOR, "START")
    application = submitted_file()
    login_staff(client, administrator)
    for junk in ("abc", "²", "9" * 30):
        response = client.post(
            reverse(f"applications:{view}", args=[application.pk]), {field: junk}
        )
        assert response.status_code == status, junk


# A NUL byte is refused where it enters: PostgreSQL refuses it in text and JSON, so anything
# that reached a query or a row unchecked was a 500 there (and stored as is on SQLite).
NUL_REFUSED = "Le caractère nul n\u2019est pas autorisé."  # Django's own message


@pytest.mark.parametrize(
    "query",
    [
        {"kind__exact": "\x00"},  # an admin filter
        {"status__exact": "a\x00"},
        {"q\x00": "x"},  # in a name
    ],
)
def test_a_nul_byte_in_a_query_string_is_a_400(client, query):
    login_staff(client, staff(Role.ADMINISTRATOR, is_superuser=True))
    response = client.get(reverse("admin:companies_organisation_changelist"), query)
    assert response.status_code == 400
    assert response.content.decode() == NUL_REFUSED


def test_a_nul_byte_in_an_api_query_string_is_a_400_in_the_error_shape():
    client = APIClient()
    client.force_authenticate(staff(Role.ADMINISTRATOR, "START"))
    response = client.get("/api/v1/staff/indicators/", {"indicator": "a\x00"})
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "errors": [
            {
                "field": "indicator",
                "code": "null_characters_not_allowed",
                "message": NUL_REFUSED,
            }
        ],
    }


def test_an_export_asked_with_a_nul_byte_in_its_filters_is_refused(client):
    login_staff(client, staff(Role.ADMINISTRATOR, "START"))
    response = client.post(
        reverse("applications:staff_export_create") + "?q=a%00b", {"format": "csv"}
    )
    assert response.status_code == 400
    assert not Export.objects.exists()


def test_a_nul_byte_in_a_posted_field_a_view_reads_itself_is_a_400(client):
    application = submitted_file(status=Status.UNDER_REVIEW)
    login_staff(client, staff(Role.ADMINISTRATOR, "START"))
    response = client.post(
        reverse("applications:staff_queue_batch"),
        {"files": [str(application.pk)], "action": "rejected", "comment": "a\x00b"},
    )
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_revoking_an_api_token_named_with_a_nul_byte_is_a_400(client, user):
    login(client, user)
    assert client.post(reverse("api_tokens"), {"revoke": "a\x00b"}).status_code == 400


def test_a_draft_saved_with_a_nul_byte_keeps_the_text_without_it(client):
    # "Save the draft" keeps what was typed, without the form's checks.
    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    call = CallFactory(form_sections=[FormSection.CHALLENGES])
    draft = application_start(call=call, organisation=organisation, by=applicant)
    login(client, applicant)
    response = client.post(
        reverse("applications:step", args=[draft.pk, "needs"]),
        {"activity": "Menui\x00serie", "version": "1", "save_draft": "1"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["needs"]["activity"] == "Menuiserie"


def test_a_draft_saved_through_the_api_with_a_nul_byte_keeps_the_text_without_it():
    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    call = CallFactory(form_sections=[FormSection.CHALLENGES])
    draft = application_start(call=call, organisation=organisation, by=applicant)
    client = APIClient()
    client.force_authenticate(applicant)
    response = client.put(
        f"/api/v1/applications/{draft.pk}/steps/needs/",
        {"version": 1, "data": {"activity": "Menui\x00serie"}, "complete": False},
        format="json",
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.data["needs"]["activity"] == "Menuiserie"


@pytest.mark.parametrize("target", ["0", "experts", "²"])
def test_a_language_switch_back_to_a_name_that_is_no_path_goes_home(client, target):
    # Django's redirect() takes "0" for the name of a URL pattern (a 500).
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert response.url == "/"


def test_a_batch_with_junk_file_ids_acts_on_the_plain_ones_only(client):
    administrator = staff(Role.ADMINISTRATOR, "START")
    application = submitted_file(status=Status.UNDER_REVIEW)
    login_staff(client, administrator)
    posted = {"files": ["²", "9" * 30, str(application.pk)], "action": "rejected"}
    shown = client.post(reverse("applications:staff_queue_batch"), posted)
    assert shown.status_code == 200  # the confirmation lists the plain id's file only
    assert [a.pk for a, _subject, _body in shown.context["previews"]] == [application.pk]
    response = client.post(
        reverse("applications:staff_queue_batch"), {**posted, "confirmed": "True"}, follow=True
    )
    assert response.status_code == 200
    # The plain id was acted on (and refused: a decision needs a review first).
    assert [str(m).split(":")[0] for m in response.context["messages"]] == [application.reference]


def test_an_admin_prefill_with_a_junk_id_shows_an_empty_form(client):
    login_staff(client, staff(Role.ADMINISTRATOR, is_superuser=True))
    response = client.get(
        reverse("admin:applications_conflictofinterest_add"),
        {"reviewer": "abc", "organisation": "²"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["x", "²", "2026-01-01"])
def test_an_admin_form_prefilled_with_a_date_time_it_cannot_read_is_shown_empty(client, value):
    login_staff(client, staff(Role.ADMINISTRATOR, is_superuser=True))
    response = client.get(reverse("admin:programs_call_add"), {"opens_at": value})
    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get("opens_at") is None


def test_an_admin_form_prefilled_with_a_real_id_keeps_it(client):
    administrator = staff(Role.ADMINISTRATOR, is_superuser=True)
    login_staff(client, administrator)
    response = client.get(
        reverse("admin:applications_conflictofinterest_add"), {"reviewer": str(administrator.pk)}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.initial["reviewer"] == administrator


@pytest.mark.parametrize("view", ["change", "delete"])
def test_an_empty_to_field_on_an_admin_page_is_a_400(client, view):
    login_staff(client, staff(Role.ADMINISTRATOR, is_superuser=True))
    organisation = OrganisationFactory()
    url = reverse(f"admin:companies_organisation_{view}", args=[organisation.pk])
    assert client.get(url, {"_to_field": ""}).status_code == 400
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/calls/"])
def test_an_unknown_api_format_is_a_404_in_the_error_shape(url):
    response = APIClient().get(url, {"format": "0"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_more_parameters_than_django_reads_are_a_400_in_the_error_shape_on_the_api():
    too_many = {f"p{n}": "1" for n in range(1_001)}  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000
    response = APIClient().get("/api/v1/calls/", too_many)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    page = Client().get(reverse("companies:expert_directory"), too_many)
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_an_unexpected_api_error_is_a_500_in_the_error_shape(monkeypatch):
    from programs.api.views import CallViewSet

    def fail(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(CallViewSet, "list", fail)
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/calls/")
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "server_error"


def test_safe_cell_drops_what_a_workbook_cannot_hold_and_keeps_formulas_inert():
    assert safe_cell("Atelier\x01 Dupont\x0b SRL") == "Atelier Dupont SRL"
    assert safe_cell("\x00=cmd") == "'=cmd"
    assert safe_cell("Ligne 1\nLigne 2\tfin") == "Ligne 1\nLigne 2\tfin"
    assert len(safe_cell("x" * 40_000)) == 32_767
    assert safe_cell(Decimal("3")) == Decimal("3")


def test_a_control_character_in_a_stored_name_does_not_fail_the_xlsx_export(
    client, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    submitted_file(organisation=OrganisationFactory(name="Atelier\x1b Dupont SRL"))
    administrator = staff(Role.ADMINISTRATOR, "START")
    login_staff(client, administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:staff_export_create"), {"format": "xlsx"})
    export = Export.objects.get()
    assert export.state == Export.State.READY, export.error
    response = client.get(reverse("applications:staff_export_download", args=[export.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True))[1][3] == "Atelier Dupont SRL"


def test_the_experts_csv_export_drops_control_characters_and_neutralises_a_tab_formula(client):
    ExpertFactory(organisation__name="\t=cmd\x07 SRL")
    response = client.get(reverse("companies:experts_export", args=["csv"]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'\t=cmd SRL" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_withdrawing_a_draft_is_not_a_500(client):
    # A draft is never withdrawn (it has no reference): it is deleted, once confirmed
    # (tests/applications/test_draft_deletion.py). Asking to withdraw it is refused plainly.
    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    draft = application_start(call=CallFactory(), organisation=organisation, by=applicant)
    login(client, applicant)
    response = client.post(reverse("applications:withdraw", args=[draft.pk]), {"reason": "x"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
