from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.names import PUBLIC_NAME_VALIDATORS, validate_not_reserved, validate_plain_name

from .models import User


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (allauth calls `signup`)."""

    # Names are shown in e-mails sent from the portal (invitations, requests to join).
    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=PUBLIC_NAME_VALIDATORS
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, validators=PUBLIC_NAME_VALIDATORS
    )
    language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial="fr"
    )

    field_order = ["first_name", "last_name", "email", "password1", "password2", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whoever signs up in English or German most likely wants that language.
        self.fields["language"].initial = translation.get_language() or settings.LANGUAGE_CODE

    def signup(self, request, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.language = self.cleaned_data["language"]
        user.save(update_fields=["first_name", "last_name", "language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].validators.append(validate_plain_name)

    def _new_name(self, field: str) -> str:
        # A new name may not pass for the AdN's; one an administrator set stays.
        value = self.cleaned_data[field]
        if field in self.changed_data:
            validate_not_reserved(value)
        return value

    def clean_first_name(self) -> str:
        return self._new_name("first_name")

    def clean_last_name(self) -> str:
        return self._new_name("last_name")
