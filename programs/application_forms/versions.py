"""The version of a call's application form that new files answer."""

from django.db import IntegrityError, transaction

from ..models import Call, FormVersion
from .defaults import default_form


def call_form_version(*, call: Call) -> FormVersion:
    """The call's current form version; a call without one gets version 1, its programme's
    default form (a call made in the admin or before forms were data), once: two requests at
    the same moment find the same row (unique call and number)."""
    current = FormVersion.objects.current_of(call.pk)
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return FormVersion.objects.create(
                call=call, number=1, definition=default_form(call.programme.code)
            )
    except IntegrityError:
        return FormVersion.objects.get(call=call, number=1)
