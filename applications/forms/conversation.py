from django import forms
from django.utils.translation import gettext_lazy as _

from .. import uploads
from ..uploads import ALLOWED_LABEL


class MessageForm(forms.Form):
    """A message in a file's conversation, from any side: the pages and the API check it alike
    (POST …/messages/)."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = forms.FileField(
        label=_("A document (optional)"),
        required=False,
        help_text=_("%(types)s.") % {"types": ALLOWED_LABEL},
    )

    def __init__(self, *args, refusal: str | None = None, **kwargs):
        """`refusal`: why the document was stopped before it was read (too large)."""
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write your message."), code="required")
        return body

    def clean_file(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="too_large")
        upload = self.cleaned_data["file"]
        if upload:
            uploads.check_upload(upload)  # size and type by content, the documents' words
        return upload
