from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (allauth calls `signup`)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
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
