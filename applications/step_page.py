"""What the applicant's step pages read (`/dossiers/<pk>/etapes/<step>/`, and their drafts
saved as one types): the file among those of the user's organisations, then its organisation,
call, programme and form version, each by its id, in statements compiled once per process
(`adn_portal.lib.compiled`, read through `Model.objects.raw()`).

Why not one statement joining the six tables (the file, the membership, the four it points
at): PostgreSQL took 2.2 ms of CPU for it (planning the joins, at 100,000 files) and the
process 1.6 ms to compile it, on every step page (issue 23); five small statements cost
about 0.1 ms each to plan and nothing to compile after the first."""

from django.db.models import QuerySet

from adn_portal.lib.compiled import compiled_rows

from .file_page import with_what_it_points_at
from .models import Application


def _member_file(user_id: int, pk: int) -> QuerySet[Application]:
    # The file's organisation has the user among its members: anything else is a 404.
    return Application.objects.filter(organisation__memberships__user_id=user_id, pk=pk).order_by()


def member_step_application(*, user, pk: int) -> Application | None:
    """A file of one of the user's organisations with what its step pages show (the call, the
    programme, the organisation, the form version); None for another organisation's file."""
    found = compiled_rows("member's file", _member_file, user.pk, pk)
    if not found:
        return None
    (application,) = found
    return with_what_it_points_at(application)
