"""The organisation a person acts for, kept in their session: read by the pages of companies
and applications alike (a view never imports another app's view)."""

from . import selectors
from .models import Organisation

ACTIVE_ORGANISATION = "organisation_id"


def active_organisation(request) -> Organisation | None:
    """The organisation the user acts for now (chosen in the session, else their first)."""
    return selectors.active_organisation_of(
        user=request.user, chosen=request.session.get(ACTIVE_ORGANISATION)
    )


def choose_organisation(request, organisation_id: int) -> None:
    request.session[ACTIVE_ORGANISATION] = organisation_id
