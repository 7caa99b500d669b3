from tests.applications.conftest import applicant, expert, start_call  # noqa: F401  (shared fixtures)
from tests.security.privacy_fixtures import personal_file  # noqa: F401  (shared fixture)
