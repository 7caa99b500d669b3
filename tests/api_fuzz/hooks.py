"""schemathesis hooks for `make test-api-fuzz` (loaded by tests/api_fuzz/schemathesis.toml).

They act in the stateful phase alone, where a chain starts only from an answer that has the
identifier its links read (a list with rows, a create that succeeded); the coverage and fuzzing
phases still send every drawn value, valid and invalid.

- Reads: the filters drawn even in positive mode (`?programme=TREMPLIN&kind=province&status=…`,
  up to ten at once) empty the staff queue, the files and the conversations whatever the demo
  data, so a read goes out without its drawn query string three times in four.
- Writes: a drawn `Idempotency-Key` is short and comes back ("0", "00"): the second request
  under it, on another address or with another body, was refused (422 `idempotency_key_reused`,
  as documented), so nearly every create, assignment and upload of a chain failed. A client
  sends a new key with each new request: the key drawn is replaced by a fresh one.
- Creating a file (`POST /applications/`): a random body never names a real call and one of the
  caller's organisations. Three times in four it names an open call of the caller's and one of
  their organisations without a file of that call's programme (one open file per organisation
  and programme: another create answers 409), read from the API once per create.
- Uploading a document (`POST …/attachments/`): three times in four, a small real PDF (the
  server reads the type from the content), sent in place of the drawn body at the call: a
  hook's edit of the case is checked against the schema again, and a body holding bytes never
  passes that check: the case would count as invalid data, which the server should refuse.
"""

import uuid

import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.meta import TestPhase

IDEMPOTENCY_KEY = "Idempotency-Key"
FILES = "/applications/"
# One page with a blank page, as a PDF writer makes it (the server reads the type from it).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# The ids of the drawn uploads that go out with the PDF (see before_call).
_WITH_PDF: set[str] = set()


@schemathesis.hook
def flatmap_case(context, case):
    if case.meta is None or case.meta.phase.name != TestPhase.STATEFUL:
        return st.just(case)
    method, path = case.method.upper(), case.operation.path
    if method != "GET" and IDEMPOTENCY_KEY in (case.headers or {}):
        case.headers[IDEMPOTENCY_KEY] = uuid.uuid4().hex
    if method == "GET" and case.query:
        return st.integers(min_value=0, max_value=3).map(lambda draw: _without_query(case, draw))
    if method == "POST" and path.endswith(FILES) and path.count("/") == 4:  # /api/v1/applications/
        return st.integers(min_value=0, max_value=3).map(lambda draw: _new_file(case, draw))
    if method == "POST" and path.endswith("/attachments/"):
        return st.integers(min_value=0, max_value=3).map(lambda draw: _with_pdf(case, draw))
    return st.just(case)


def _without_query(case, draw):
    if draw:
        case.query = {}
    return case


def _with_pdf(case, draw):
    if draw:
        _WITH_PDF.add(case.id)
    return case


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.id in _WITH_PDF:
        kwargs["data"] = None
        kwargs["files"] = [
            ("file", ("annexe.pdf", PDF, "application/pdf")),
            ("kind", (None, "annex")),
        ]


def _new_file(case, draw):
    if draw:
        body = _startable(case)
        if body is not None:
            case.body = body
    return case


def _startable(case) -> dict | None:
    """An open call and one of the caller's organisations without a file of its programme."""
    api = case.operation.base_url.rstrip("/") + case.operation.path.removesuffix(FILES)
    session = requests.Session()
    session.headers["Authorization"] = (case.headers or {}).get("Authorization", "")
    calls, organisations = _lookups(session, api)
    taken = {
        (row["organisation"], row["programme"])
        for row in _rows(session, f"{api}/applications/")
        if row["status"] != "withdrawn"
    }
    for organisation in organisations:
        for call in calls:
            if organisation["kind"] not in call["audiences"]:
                continue
            if (organisation["id"], call["programme"]) not in taken:
                return {"call": call["slug"], "organisation": organisation["id"]}
    return None


_LOOKUPS: dict[str, tuple[list, list]] = {}


def _lookups(session, api: str) -> tuple[list, list]:
    """The open calls and the caller's organisations, read once (they do not change here)."""
    key = f"{api} {session.headers['Authorization']}"
    if key not in _LOOKUPS:
        calls = [row for row in _rows(session, f"{api}/calls/") if row["status"] == "open"]
        _LOOKUPS[key] = (calls, _rows(session, f"{api}/me/organisations/"))
    return _LOOKUPS[key]


def _rows(session, url: str) -> list[dict]:
    rows = []
    while url:
        answer = session.get(url, params={"page_size": 100} if not rows else None, timeout=30)
        answer.raise_for_status()
        page = answer.json()
        rows.extend(page["results"])
        url = page["next"]
    return rows
