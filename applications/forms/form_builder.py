"""The staff's form builder (docs/domain.md, Application forms): a step's title, and its
questions one row each (kind, labels and help in French, English and German, required, role,
"show if", the kind's settings), reordered and removed with the formset's order and delete
boxes. What they make is checked whole by `programs.application_forms.parse` when saved."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.i18n import CONTENT_LANGUAGES
from programs.application_forms.definition import KINDS, NAME, ROLES, SLUG
from programs.models import Call, FormSection

LANGUAGE_NAMES = {"fr": "FR", "en": "EN", "de": "DE"}


def _texts(prefix: str, label, *, required: bool, max_length: int) -> dict[str, forms.Field]:
    return {
        f"{prefix}_{code}": forms.CharField(
            label=f"{label} ({LANGUAGE_NAMES[code]})",
            required=required and code == "fr",
            max_length=max_length,
        )
        for code in CONTENT_LANGUAGES
    }


class StepTitleForm(forms.Form):
    """A step: its short name in the file's data, its titles, and the call section (if any)
    that switches it on."""

    slug = forms.RegexField(
        label=_("Short name"),
        regex=SLUG,
        max_length=30,
        help_text=_(
            "Lowercase letters and _, e.g. budget: it names the step in the data and the API."
        ),
    )
    section = forms.ChoiceField(
        label=_("Shown when the call asks for"),
        choices=[("", _("Always shown")), *FormSection.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_texts("title", _("Title"), required=True, max_length=120))


KIND_CHOICES = [(kind, kind.replace("_", " ")) for kind in sorted(KINDS)]
ROLE_CHOICES = [("", "—"), *((role, role.replace("_", " ")) for role in sorted(ROLES))]


class QuestionForm(forms.Form):
    name = forms.RegexField(label=_("Short name"), regex=NAME, max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial="short_text")
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    role = forms.ChoiceField(label=_("Role for the rules"), choices=ROLE_CHOICES, required=False)
    show_if_question = forms.RegexField(
        label=_("Shown only if the question"), regex=NAME, max_length=40, required=False
    )
    show_if_value = forms.CharField(
        label=_("has the answer"),
        max_length=100,
        required=False,
        help_text=_("A choice's value, or true / false for a box or a yes/no question."),
    )
    settings = forms.CharField(
        label=_("Settings of the kind (JSON)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            'E.g. {"limit": 1500}, {"max_length": 80}, {"min": 0, "max": 100, "integer": true}, '
            '{"choices": [{"value": "a", "label": {"fr": "…", "en": "…", "de": "…"}}]}, '
            '{"rows": 10, "columns": [{"name": "what", "kind": "short_text", "label": {…}}, '
            '{"name": "amount", "kind": "amount", "label": {…}}]}, '
            '{"types": ["pdf"], "max_size_mb": 5, "max_count": 3}.'
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_texts("label", _("Label"), required=False, max_length=300))
        self.fields.update(_texts("help", _("Help"), required=False, max_length=1000))

    def clean_settings(self) -> dict:
        text = self.cleaned_data["settings"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("This is not JSON: %(error)s") % {"error": error}
            ) from error
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Settings are a JSON object: {…}."))
        return value


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=60,
    absolute_max=80,
    validate_max=True,
)


def question_initial(question: dict) -> dict:
    """A question of the definition as the builder's row."""
    fixed = {"name", "kind", "label", "help", "required", "role", "show_if"}
    show_if = question.get("show_if") or {}
    equals = show_if.get("equals", "")
    row = {
        "name": question.get("name", ""),
        "kind": question.get("kind", ""),
        "required": question.get("required", True),
        "role": question.get("role", ""),
        "show_if_question": show_if.get("question", ""),
        "show_if_value": json.dumps(equals) if isinstance(equals, bool) else equals,
        "settings": json.dumps(
            {k: v for k, v in question.items() if k not in fixed}, ensure_ascii=False
        )
        if any(k not in fixed for k in question)
        else "",
    }
    for code in CONTENT_LANGUAGES:
        row[f"label_{code}"] = (question.get("label") or {}).get(code, "")
        row[f"help_{code}"] = (question.get("help") or {}).get(code, "")
    return row


def _texts_of(data: dict, prefix: str) -> dict:
    return {
        code: data[f"{prefix}_{code}"] for code in CONTENT_LANGUAGES if data.get(f"{prefix}_{code}")
    }


def question_entries(formset) -> list[dict]:
    """The formset's questions, in the order the staff member gave, as definition entries."""
    rows = list(formset.ordered_forms)
    kept = [
        f.cleaned_data
        for f in rows
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
    ]
    entries = []
    for data in kept:
        entry = {**data["settings"], "name": data["name"], "kind": data["kind"]}
        entry["required"] = data["required"]
        if labels := _texts_of(data, "label"):
            entry["label"] = labels
        if helps := _texts_of(data, "help"):
            entry["help"] = helps
        if data["role"]:
            entry["role"] = data["role"]
        if data["show_if_question"]:
            value = data["show_if_value"]
            entry["show_if"] = {
                "question": data["show_if_question"],
                "equals": {"true": True, "false": False}.get(value, value),
            }
        entries.append(entry)
    return entries


def step_entry(title_form: StepTitleForm, questions: list[dict]) -> dict:
    data = title_form.cleaned_data
    entry = {"slug": data["slug"], "title": _texts_of(data, "title"), "questions": questions}
    if data["section"]:
        entry["section"] = data["section"]
    return entry


class FormCopyForm(forms.Form):
    """Copy the application form of another call the staff member manages."""

    source = forms.ModelChoiceField(label=_("Copy the form of"), queryset=Call.objects.none())

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = calls
        self.fields["source"].label_from_instance = lambda call: call.title
