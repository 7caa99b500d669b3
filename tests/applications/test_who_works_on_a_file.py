"""One answer to "does this staff member work on this programme" (guards.works_on), which the
staff selectors follow too; the selectors find files and say None when there is none (the
views answer 404)."""

import pytest

from adn_portal.accounts.models import User
from applications import guards, selectors
from tests.fixtures.staff import scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db


def test_a_reviewer_works_on_the_programmes_they_belong_to_only():
    application = submitted_file()
    elsewhere = submitted_file(scored_call("TREMPLIN"))
    reviewer = staff("reviewer", "START")
    assert guards.works_on(reviewer, application.programme_id)
    assert not guards.works_on(reviewer, elsewhere.programme_id)
    assert list(selectors.staff_applications(reviewer)) == [application]


def test_an_administrator_works_on_every_programme():
    application = submitted_file(scored_call("TREMPLIN"))
    administrator = staff("administrator")
    assert guards.works_on(administrator, application.programme_id)
    assert selectors.staff_application(user=administrator, pk=application.pk) == application


def test_a_member_of_a_programme_whose_staff_role_was_taken_away_works_on_no_file():
    application = submitted_file()
    former = staff("reviewer", "START")
    former.groups.clear()
    former = User.objects.get(pk=former.pk)
    assert not guards.works_on(former, application.programme_id)
    assert not selectors.staff_applications(former).exists()


def test_the_staff_selector_finds_nothing_outside_the_users_programmes():
    application = submitted_file()
    reviewer = staff("reviewer", "TREMPLIN")
    assert selectors.staff_application(user=reviewer, pk=application.pk) is None
