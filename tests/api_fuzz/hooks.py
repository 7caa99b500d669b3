"""schemathesis hooks for `make test-api-fuzz` (loaded by tests/api_fuzz/schemathesis.toml).

The stateful phase starts a chain only from a list that has rows, and the filters it draws even
in positive mode (`?programme=TREMPLIN&kind=province&status=…`, up to ten at once) empty the
staff queue, the files and the conversations whatever the demo data: most chains stopped at
their first step. So in that phase alone a read goes out without its drawn query string three
times in four. The coverage and fuzzing phases still send every filter, valid and invalid."""

import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.meta import TestPhase


@schemathesis.hook
def flatmap_case(context, case):
    if case.method.upper() != "GET" or not case.query or case.meta is None:
        return st.just(case)
    if case.meta.phase.name != TestPhase.STATEFUL:
        return st.just(case)
    return st.integers(min_value=0, max_value=3).map(lambda draw: _without_query(case, draw))


def _without_query(case, draw):
    if draw:
        case.query = {}
    return case
