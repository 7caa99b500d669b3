"""A question's settings in the staff's form builder, one labelled field each, grouped by the
kinds they apply to (docs/domain.md, Application forms): a text's length or character limit, a
number's bounds, a choice's answers and a table's columns (rows of small forms, with their
FR/EN/DE labels), the documents' types, size and count, the programme of an expert or an
earlier file. What they make is checked by the definition's own `option_problems`, whose
words are shown next to the field they concern.

Without JavaScript every group shows, each saying which kinds it is for;
static/js/form-builder.js shows only the chosen kind's."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.decimals import LocalizedDecimalField
from adn_portal.lib.i18n import CONTENT_LANGUAGES
from programs.application_forms.definition import (
    BOUND_MAX,
    CHOICE_VALUE_MAX,
    DOCUMENT_TYPES,
    NAME,
    PROGRAMMES,
    ROWS_MAX,
    SHORT_TEXT_MAX,
    TEXT_LIMIT_MAX,
    Kind,
)
from programs.application_forms.schema import DEFAULT_SHORT_LENGTH

from ..models import Attachment

LANGUAGE_NAMES = {"fr": "FR", "en": "EN", "de": "DE"}
_WHOLE = re.compile(r"[0-9]{1,18}")


class WholeNumberField(forms.IntegerField):
    """A whole number written with the digits 0 to 9 (int() also reads "٣" or full-width
    digits, and very long strings slowly): anything else is a field error."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {"invalid": _("Write a whole number with the digits 0 to 9.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _WHOLE.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


def _texts(prefix: str, label, *, max_length: int) -> dict[str, forms.Field]:
    return {
        f"{prefix}_{code}": forms.CharField(
            label=f"{label} ({LANGUAGE_NAMES[code]})", required=False, max_length=max_length
        )
        for code in CONTENT_LANGUAGES
    }


def _labels_of(data: dict) -> dict:
    return {code: data[f"label_{code}"] for code in CONTENT_LANGUAGES if data.get(f"label_{code}")}


def _label_fields(label: dict) -> dict:
    return {f"label_{code}": (label or {}).get(code, "") for code in CONTENT_LANGUAGES}


class _RowForm(forms.Form):
    """A row of a question's list (an answer, a column): left empty, it is no row."""

    def has_content(self) -> bool:
        return any(v not in (None, "") for v in self.cleaned_data.values())


class ChoiceRowForm(_RowForm):
    value = forms.CharField(label=_("Value"), max_length=CHOICE_VALUE_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_texts("label", _("Answer"), max_length=300))

    def clean(self):
        data = super().clean()
        labels = _labels_of(data)
        if not data.get("value") and labels and "value" not in self.errors:
            # Made from the label: staff need not invent an identifier.
            data["value"] = slugify(next(iter(labels.values()))).replace("-", "_")
            data["value"] = data["value"][:CHOICE_VALUE_MAX]
            if not data["value"]:
                self.add_error("value", _("Give this answer a value."))
        elif data.get("value") and not labels:
            self.add_error("label_fr", _("Give this answer a label."))
        return data

    def entry(self) -> dict:
        return {"value": self.cleaned_data["value"], "label": _labels_of(self.cleaned_data)}


COLUMN_KIND_CHOICES = [
    (Kind.SHORT_TEXT, _("Text")),
    (Kind.NUMBER, _("Number")),
    (Kind.AMOUNT, _("Amount in euros, totalled")),
]


class ColumnRowForm(_RowForm):
    name = forms.RegexField(label=_("Short name"), regex=NAME, max_length=40, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of column"), choices=COLUMN_KIND_CHOICES, initial=Kind.SHORT_TEXT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_texts("label", _("Column title"), max_length=300))

    def has_content(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("name") or _labels_of(data))

    def clean(self):
        data = super().clean()
        named, labels = data.get("name"), _labels_of(data)
        if not named and labels and "name" not in self.errors:
            self.add_error("name", _("Give this column a short name."))
        elif named and not labels:
            self.add_error("label_fr", _("Give this column a title."))
        return data

    def entry(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "kind": data["kind"], "label": _labels_of(data)}


# Rows shown empty after the existing ones: more after each save (no script needed).
EXTRA_ROWS = 2
ChoiceRows = forms.formset_factory(
    ChoiceRowForm, extra=EXTRA_ROWS, max_num=100, absolute_max=120, validate_max=True
)
ColumnRows = forms.formset_factory(
    ColumnRowForm, extra=EXTRA_ROWS, max_num=20, absolute_max=40, validate_max=True
)


def _limit_choices():
    limits = settings.TEXT_LIMITS
    return [
        ("long", _("Long (%(count)s characters)") % {"count": limits["long"]}),
        ("brief", _("Brief (%(count)s characters)") % {"count": limits["brief"]}),
        ("custom", _("Another number of characters (below)")),
    ]


def _bound(label) -> LocalizedDecimalField:
    return LocalizedDecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=-BOUND_MAX,
        max_value=BOUND_MAX,
    )


def setting_fields() -> dict[str, forms.Field]:
    """The settings' fields, named as the definition's keys where they are one."""
    megabytes = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return {
        "max_length": WholeNumberField(
            label=_("Maximum length (characters)"),
            required=False,
            min_value=1,
            max_value=SHORT_TEXT_MAX,
            help_text=_("Empty: %(count)s.") % {"count": DEFAULT_SHORT_LENGTH},
        ),
        "limit": forms.ChoiceField(
            label=_("Character limit"), choices=_limit_choices, initial="long", required=False
        ),
        "limit_characters": WholeNumberField(
            label=_("Number of characters"),
            required=False,
            min_value=1,
            max_value=TEXT_LIMIT_MAX,
            help_text=_("For “Another number of characters”."),
        ),
        "min": _bound(_("Minimum")),
        "max": _bound(_("Maximum")),
        "integer": forms.BooleanField(label=_("Whole numbers only"), required=False),
        "rows": WholeNumberField(
            label=_("Number of rows"),
            required=False,
            min_value=1,
            max_value=ROWS_MAX,
            help_text=_("Empty: %(count)s.") % {"count": 10},  # generated.py's
        ),
        "types": forms.MultipleChoiceField(
            label=_("Types of file accepted"),
            choices=[(t, t.upper()) for t in DOCUMENT_TYPES],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text=_("None ticked: every type the portal accepts."),
        ),
        "max_size_mb": LocalizedDecimalField(
            label=_("Largest file (MB)"),
            required=False,
            max_digits=6,
            decimal_places=1,
            min_value=Decimal("0.1"),
            max_value=megabytes,
            help_text=_("Empty: the portal's limit, %(count)s MB.") % {"count": megabytes},
        ),
        "max_count": WholeNumberField(
            label=_("Most documents per file"),
            required=False,
            min_value=1,
            max_value=settings.ATTACHMENT_MAX_COUNT,
            help_text=_("Empty: the portal's limit, %(count)s.")
            % {"count": settings.ATTACHMENT_MAX_COUNT},
        ),
        "required_kinds": forms.MultipleChoiceField(
            label=_("Documents the file must hold"),
            choices=Attachment.Kind.choices[:2],  # those an applicant uploads
            widget=forms.CheckboxSelectMultiple,
            required=False,
        ),
        "programme": forms.ChoiceField(
            label=_("Programme"),
            choices=[("", _("The call's programme")), *((p, p) for p in PROGRAMMES)],
            required=False,
            help_text=_("The experts recognised for it, or the organisation's files in it."),
        ),
    }


@dataclass(frozen=True)
class Group:
    """Settings that apply to some kinds, shown together."""

    key: str
    legend: str
    kinds: tuple[str, ...]
    fields: tuple[str, ...]
    rows: str = ""  # "choices" or "columns"
    help: str = ""


GROUPS = (
    Group("short_text", _("Short text"), (Kind.SHORT_TEXT,), ("max_length",)),
    Group("long_text", _("Long text"), (Kind.LONG_TEXT,), ("limit", "limit_characters")),
    Group(
        "numbers",
        _("Number, amount or percentage"),
        (Kind.NUMBER, Kind.AMOUNT, Kind.PERCENTAGE),
        ("min", "max"),
    ),
    Group("integer", _("Number"), (Kind.NUMBER,), ("integer",)),
    Group(
        "choices",
        _("Single or multiple choice: the answers"),
        (Kind.CHOICE, Kind.MULTIPLE_CHOICE),
        (),
        rows="choices",
        help=_(
            "One answer a row, with its label in French at least. The value is kept in the "
            "data (and named by “shown only if”): left empty, it is made from the label. Need "
            "more rows? Save the step: empty ones come back."
        ),
    ),
    Group(
        "table",
        _("Table: its rows and columns"),
        (Kind.TABLE,),
        ("rows",),
        rows="columns",
        help=_(
            "One column a row: a short name (lowercase letters, digits and _), its kind and "
            "its title. The amount columns are added up into the table's total (the budget's, "
            "with the role “total budget”)."
        ),
    ),
    Group(
        "documents",
        _("Documents"),
        (Kind.DOCUMENTS,),
        ("types", "max_size_mb", "max_count", "required_kinds"),
    ),
    Group(
        "programme", _("Expert or earlier file"), (Kind.EXPERT, Kind.EARLIER_FILE), ("programme",)
    ),
)
SETTING_FIELDS = tuple(name for group in GROUPS for name in group.fields)


def fields_of(kind: str) -> set[str]:
    return {name for group in GROUPS if kind in group.kinds for name in group.fields}


def rows_of(kind: str) -> str:
    return next((group.rows for group in GROUPS if kind in group.kinds and group.rows), "")


# Where the definition's problem with a setting is shown.
FIELD_OF_SETTING = {"limit": "limit", "choices": "choices", "columns": "columns"}


def _number(value: Decimal | None):
    """A bound as JSON holds it: an int when whole (1, not 1.0)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def options_of(kind: str, data: dict, rows: list[dict]) -> dict:
    """The definition's settings of a `kind` question, from the cleaned fields and rows."""
    options: dict = {}
    if kind == Kind.SHORT_TEXT and data.get("max_length") is not None:
        options["max_length"] = data["max_length"]
    if kind == Kind.LONG_TEXT:
        limit = data.get("limit") or "long"
        options["limit"] = data.get("limit_characters") if limit == "custom" else limit
    if kind in (Kind.NUMBER, Kind.AMOUNT, Kind.PERCENTAGE):
        for key in ("min", "max"):
            if data.get(key) is not None:
                options[key] = _number(data[key])
    if kind == Kind.NUMBER and data.get("integer"):
        options["integer"] = True
    if kind in (Kind.CHOICE, Kind.MULTIPLE_CHOICE):
        options["choices"] = rows
    if kind == Kind.TABLE:
        options["columns"] = rows
        if data.get("rows") is not None:
            options["rows"] = data["rows"]
    if kind == Kind.DOCUMENTS:
        if data.get("types"):
            options["types"] = list(data["types"])
        if data.get("max_size_mb") is not None:
            options["max_size_mb"] = _number(data["max_size_mb"])
        if data.get("max_count") is not None:
            options["max_count"] = data["max_count"]
        options["required_kinds"] = list(data.get("required_kinds") or [])
    if kind in (Kind.EXPERT, Kind.EARLIER_FILE) and data.get("programme"):
        options["programme"] = data["programme"]
    return options


def _decimal(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return Decimal(str(value))


def settings_initial(question: dict) -> dict:
    """A question's settings as the builder's fields (and its rows: `choices`, `columns`)."""
    limit = question.get("limit", "long")
    custom = not isinstance(limit, str)
    return {
        "max_length": question.get("max_length"),
        "limit": "custom" if custom else limit,
        "limit_characters": limit if custom else None,
        "min": _decimal(question.get("min")),
        "max": _decimal(question.get("max")),
        "integer": question.get("integer") is True,
        "rows": question.get("rows"),
        "types": question.get("types") or [],
        "max_size_mb": _decimal(question.get("max_size_mb")),
        "max_count": question.get("max_count"),
        "required_kinds": question.get("required_kinds") or [],
        "programme": question.get("programme", ""),
        "choices": [
            {"value": c.get("value", ""), **_label_fields(c.get("label"))}
            for c in question.get("choices") or []
            if isinstance(c, dict)
        ],
        "columns": [
            {
                "name": c.get("name", ""),
                "kind": c.get("kind", Kind.SHORT_TEXT),
                **_label_fields(c.get("label")),
            }
            for c in question.get("columns") or []
            if isinstance(c, dict)
        ],
    }
