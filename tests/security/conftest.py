from tests.applications.conftest import applicant, expert, start_call  # noqa: F401  (shared fixtures)
