from django import forms
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.uploads import check_upload

from .models import (
    Audience,
    Call,
    CallDocument,
    CallQuestion,
    EligibilityRule,
    FormSection,
    ScoringCriterion,
)

ANSWERS = ("answer_fr", "answer_en", "answer_de")


class CallAdminForm(forms.ModelForm):
    """The call's list settings as checkboxes rather than raw JSON."""

    audiences = forms.MultipleChoiceField(
        choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    eligibility_rules = forms.MultipleChoiceField(
        choices=EligibilityRule.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    form_sections = forms.MultipleChoiceField(
        choices=FormSection.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Call
        exclude: list[str] = []  # every setting of the call is edited here


# --- the staff's forms of a call's page --------------------------------------------------------


class CallDocumentForm(forms.ModelForm):
    """A document for the call's page: the file is checked by its content when stored
    (programs.services.call_document_add)."""

    upload = forms.FileField(label=_("File"))

    class Meta:
        model = CallDocument
        fields = ["kind", "title_fr", "title_en", "title_de", "position"]


class CallDocumentAdminForm(forms.ModelForm):
    """The admin's form of a call document: the file on adding only, checked by its content
    here so that a refusal shows on the form (the service checks it again)."""

    upload = forms.FileField(label=_("File"), required=False)

    class Meta:
        model = CallDocument
        fields = ["call", "kind", "title_fr", "title_en", "title_de", "position"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if self.instance.pk is None:
            if upload is None:
                raise forms.ValidationError(_("Choose the file."), code="required")
            check_upload(upload, folder="calls")
        return upload


class CallQuestionForm(forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CallQuestion
        fields = [
            "question_fr",
            "answer_fr",
            "question_en",
            "answer_en",
            "question_de",
            "answer_de",
            "position",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ANSWERS}


CallQuestionFormSet = forms.formset_factory(
    CallQuestionForm, extra=1, can_delete=True, max_num=50, absolute_max=60, validate_max=True
)


def question_entries(formset) -> list[dict]:
    """The valid formset as the service takes it: untouched blank forms left out."""
    entries = []
    for form in formset.forms:
        if not form.has_changed() and not form.cleaned_data.get("id"):
            continue
        entries.append({**form.cleaned_data, "delete": form.cleaned_data.get("DELETE", False)})
    return entries


class CallContactForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = ["contact_email", "contact_phone"]


# --- the call's review form (docs/domain.md, Reviews) ------------------------------------------


class ReviewCriterionForm(forms.ModelForm):
    """One criterion of the review form: FR/EN/DE label and guidance, scale, weight, order."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ScoringCriterion
        fields = [
            "label_fr",
            "label_en",
            "label_de",
            "guidance_fr",
            "guidance_en",
            "guidance_de",
            "scale_min",
            "scale_max",
            "weight",
            "position",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("guidance_fr", "guidance_en", "guidance_de")
        }


ReviewCriterionFormSet = forms.formset_factory(
    ReviewCriterionForm, extra=1, can_delete=True, max_num=30, absolute_max=40, validate_max=True
)


class ReviewFormCopyForm(forms.Form):
    """Copy the review form of another call the manager keeps."""

    source = forms.ModelChoiceField(label=_("Copy the review form of"), queryset=None)

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = calls
        self.fields["source"].label_from_instance = lambda call: call.label
