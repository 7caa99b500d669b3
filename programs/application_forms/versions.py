"""The version of a call's application form that new files answer."""

from django.db import IntegrityError, transaction

from adn_portal.lib.compiled import compiled_rows

from ..models import Call, FormVersion
from .defaults import default_form


def _latest(call_id: int):
    return FormVersion.objects.filter(call_id=call_id).order_by("-number")[:1]


def call_form_version(*, call: Call) -> FormVersion:
    """The call's current form version; a call without one gets version 1, its programme's
    default form (a call made in the admin or before forms were data), once: two requests at
    the same moment find the same row (unique call and number)."""
    # Its statement compiled once (a file from before forms were data reads it on every page).
    current = compiled_rows("current form version", _latest, call.pk)
    if current:
        return current[0]
    try:
        with transaction.atomic():
            return FormVersion.objects.create(
                call=call, number=1, definition=default_form(call.programme.code)
            )
    except IntegrityError:
        return FormVersion.objects.get(call=call, number=1)
