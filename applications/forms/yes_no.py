"""A question answered yes or no (radio buttons), stored as true or false. Unlike a box to
tick, "no" is an answer: required means one of the two is chosen."""

from django import forms
from django.utils.translation import gettext_lazy as _

YES, NO = "true", "false"
_READ = {True: YES, False: NO, "true": YES, "false": NO, "True": YES, "False": NO, "on": YES}
_READ |= {"yes": YES, "no": NO}


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(
            choices=[(YES, _("Yes")), (NO, _("No"))],
            coerce=lambda value: value == YES,
            empty_value=None,
            **kwargs,
        )

    def to_python(self, value):
        if value in self.empty_values:
            return ""
        return _READ.get(value, str(value)) if not isinstance(value, (list, dict)) else str(value)

    def prepare_value(self, value):
        return _READ.get(value, value) if isinstance(value, (bool, str)) else value
