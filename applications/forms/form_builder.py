"""The staff's form builder (docs/domain.md, Application forms): a step's title, and its
questions one row each (kind, labels and help in French, English and German, required, role,
"show if", the kind's settings in fields of their own: question_settings.py), reordered and
removed with the formset's order and delete boxes. Each question's settings are checked by the
definition's `option_problems` (next to their fields); what they make is checked whole by
`programs.application_forms.parse` when saved."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.i18n import CONTENT_LANGUAGES
from programs.application_forms.definition import (
    NAME,
    ROLES,
    SLUG,
    Kind,
    option_problems,
)
from programs.models import Call, FormSection

from . import question_settings

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
        self.fields.update(_texts("title", _("Title"), required=False, max_length=120))

    def clean(self):
        data = super().clean()
        # One language is enough (the default forms' titles are the portal's English, which
        # its catalogue translates), as the definition says.
        if not any(data.get(f"title_{code}") for code in CONTENT_LANGUAGES):
            self.add_error("title_fr", _("Give the step a title."))
        return data


KIND_LABELS = {
    Kind.SHORT_TEXT: _("Short text"),
    Kind.EMAIL: _("E-mail address"),
    Kind.LONG_TEXT: _("Long text"),
    Kind.NUMBER: _("Number"),
    Kind.AMOUNT: _("Amount in euros"),
    Kind.PERCENTAGE: _("Percentage"),
    Kind.DATE: _("Date"),
    Kind.CHOICE: _("Single choice"),
    Kind.MULTIPLE_CHOICE: _("Multiple choice"),
    Kind.CHECKBOX: _("Box to tick"),
    Kind.YES_NO: _("Yes or no"),
    Kind.DOCUMENTS: _("Documents (a step of their own)"),
    Kind.TABLE: _("Table of rows (e.g. budget lines)"),
    Kind.EXPERT: _("Recognised expert"),
    Kind.EARLIER_FILE: _("Earlier file of the organisation"),
    Kind.ORGANISATION_FACTS: _("The organisation's details (read only)"),
}
KIND_CHOICES = list(KIND_LABELS.items())
ROLE_CHOICES = [("", "—"), *((role, role.replace("_", " ")) for role in sorted(ROLES))]
# The rows of a choice's answers or a table's columns did not pass: said above the question.
ROWS_REFUSED = {
    "choices": _("Check the answers of this choice below."),
    "columns": _("Check the columns of this table below."),
}


class QuestionForm(forms.Form):
    """A question: what every kind has, then the kinds' settings (question_settings.py), of
    which only the chosen kind's are read and checked."""

    name = forms.RegexField(label=_("Short name"), regex=NAME, max_length=40)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=KIND_CHOICES,
        initial=Kind.SHORT_TEXT,
        widget=forms.Select(attrs={"data-kind-select": ""}),
    )
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

    def __init__(self, *args, saved_names: frozenset[str] = frozenset(), **kwargs):
        """`saved_names`: the step's saved questions (a new one shows every kind's settings)."""
        super().__init__(*args, **kwargs)
        self.saved_names = saved_names
        self.fields.update(_texts("label", _("Label"), required=False, max_length=300))
        self.fields.update(_texts("help", _("Help"), required=False, max_length=1000))
        self.fields.update(question_settings.setting_fields())
        self.rows = {
            "choices": self._rows(question_settings.ChoiceRows, "choices"),
            "columns": self._rows(question_settings.ColumnRows, "columns"),
        }
        self.group_errors: dict[str, list[str]] = {}

    def main_fields(self):
        return [self[name] for name in self.fields if name not in question_settings.SETTING_FIELDS]

    def _rows(self, rows_class, key: str):
        prefix = self.add_prefix(key)
        if self.is_bound and f"{prefix}-TOTAL_FORMS" in self.data:
            return rows_class(self.data, prefix=prefix)
        # Not posted (the question had another kind): empty rows to fill.
        return rows_class(prefix=prefix, initial=self.initial.get(key))

    def _shown(self, group) -> bool:
        # A saved question shows its own kind's settings only (a new one: every kind's), so
        # that a long step stays light and within the fields a request may post
        # (DATA_UPLOAD_MAX_NUMBER_FIELDS); given another kind, it shows that kind's once saved.
        return self._new() or self["kind"].value() in group.kinds

    def _new(self) -> bool:
        return self["name"].value() not in self.saved_names

    def groups(self) -> list[dict]:
        """The kinds' settings shown, group by group, for the template."""
        return [
            {
                "group": group,
                "kinds": " ".join(group.kinds),
                "fields": [self[name] for name in group.fields],
                "rows": self.rows.get(group.rows),
                "errors": self.group_errors.get(group.rows, []),
            }
            for group in question_settings.GROUPS
            if self._shown(group)
        ]

    def other_kinds(self) -> str:
        """The kinds whose settings this question does not show ("" when it shows all)."""
        if self._new():
            return ""
        shown = {kind for g in question_settings.GROUPS if self._shown(g) for kind in g.kinds}
        return " ".join(kind for kind, _label in KIND_CHOICES if kind not in shown)

    def has_changed(self) -> bool:
        # Another kind's boxes count for nothing: the script does not post them.
        relevant = question_settings.fields_of(self["kind"].value() or "")
        return any(
            name not in question_settings.SETTING_FIELDS or name in relevant
            for name in self.changed_data
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        relevant = question_settings.fields_of(kind)
        for name in question_settings.SETTING_FIELDS:
            if name not in relevant:  # another kind's box: neither read nor checked
                self._errors.pop(name, None)
                data.pop(name, None)
        entries = []
        which = question_settings.rows_of(kind)
        if which:
            rows = self.rows[which]
            if rows.is_bound and not rows.is_valid():
                self.add_error(None, ROWS_REFUSED[which])
                return data
            if rows.is_bound:  # else none posted: the definition asks for some
                entries = [r.entry() for r in rows.forms if r.cleaned_data and r.has_content()]
        if any(name in self._errors for name in relevant):
            return data
        options = question_settings.options_of(kind, data, entries)
        # The definition's own checks, each shown next to the setting it concerns.
        for key, message in option_problems(kind, options, role=data.get("role", "")).items():
            if key in ("choices", "columns"):
                self.group_errors.setdefault(key, []).append(message)
                self.add_error(None, message)
            elif key == "limit" and data.get("limit") == "custom":
                self.add_error("limit_characters", message)
            elif key in self.fields:
                self.add_error(key, message)
            else:
                self.add_error(None, message)
        data["options"] = options
        return data


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
    """A question of the definition as the builder's row (its settings' rows included)."""
    show_if = question.get("show_if") or {}
    equals = show_if.get("equals", "")
    row = {
        "name": question.get("name", ""),
        "kind": question.get("kind", ""),
        "required": question.get("required", True),
        "role": question.get("role", ""),
        "show_if_question": show_if.get("question", ""),
        "show_if_value": json.dumps(equals) if isinstance(equals, bool) else equals,
        **question_settings.settings_initial(question),
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
        entry = {**data["options"], "name": data["name"], "kind": data["kind"]}
        if not data["required"]:  # required unless it says not
            entry["required"] = False
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
