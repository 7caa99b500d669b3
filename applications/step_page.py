"""What the applicant's step pages read (`/dossiers/<pk>/etapes/<step>/`, and their drafts
saved as one types): the file among those of the user's organisations, in a statement
compiled once per process (`adn_portal.lib.compiled`, read through `Model.objects.raw()`),
then its organisation, call, programme and form version, each by its id, in one statement
(`file_page.with_what_it_points_at`, as the staff file page reads them).

Why not one statement joining the six tables (the file, the membership, the four it points
at): PostgreSQL took 2.2 ms of CPU for it (planning the joins, at 100,000 files) and the
process 1.6 ms to compile it, on every step page (issue 23). Four rows each read by its
primary key leave no join to plan; read in one statement rather than four, they cost 0.5 ms
of CPU less (fewer round trips, and no raw queryset per row)."""

from django.db.models import QuerySet

from adn_portal.lib.compiled import compiled_rows
from companies.models import Membership

from .file_page import with_what_it_points_at
from .models import Application, Attachment


def _member_file(user_id: int, pk: int) -> QuerySet[Application]:
    # The file's organisation has the user among its members: anything else is a 404. Its
    # membership as a subquery: two tables to plan, not three (the organisation's joined).
    memberships = Membership.objects.filter(user_id=user_id).values("organisation_id")
    return Application.objects.filter(pk=pk, organisation_id__in=memberships).order_by()


def member_step_application(*, user, pk: int) -> Application | None:
    """A file of one of the user's organisations with what its step pages show (the call, the
    programme, the organisation, the form version); None for another organisation's file."""
    found = compiled_rows("member's file", _member_file, user.pk, pk)
    if not found:
        return None
    (application,) = found
    with_what_it_points_at(application)
    return application


def _documents(pk: int) -> QuerySet[Attachment]:
    return Attachment.objects.filter(application_id=pk)  # in the model's order


def documents(application: Application) -> list[Attachment]:
    """The file's documents, as its documents step lists them (compiled once per process)."""
    return compiled_rows("step's documents", _documents, application.pk)
