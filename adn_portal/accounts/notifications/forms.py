from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Delivery, NotificationKind


class PreferencesForm(forms.Form):
    """One choice per kind of notification: at once, daily digest, or in the portal only. The
    page and the API (PUT /api/v1/me/notification-preferences/) check it alike."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=current[kind.value],
                widget=forms.RadioSelect,
                required=False,
            )

    def choices(self) -> dict[str, str]:
        """The kinds the post named ({kind: delivery}); a kind left out keeps its choice."""
        return {kind: value for kind, value in self.cleaned_data.items() if value}


PREFERENCES_HELP = _(
    "E-mails say what happened and link to the page; you read the content on the portal."
)
