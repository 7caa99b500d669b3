"""A question answered as a table: rows of a few columns (text, amount, number), such as the
lines of a budget, the amount column totalled. A page posts one box per cell
(`<name>-<row>-<column>`); the API sends a list of objects. Stored as that list, amounts as
plain numbers in strings, empty rows left out."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.decimals import LocalizedDecimalField
from programs.application_forms import Kind, text
from programs.application_forms.definition import Column
from programs.application_forms.schema import DEFAULT_SHORT_LENGTH

from .fields import AmountField


def _cell_field(column: Column) -> forms.Field:
    if column.kind == Kind.AMOUNT:
        return AmountField(required=False)
    if column.kind == Kind.NUMBER:
        return LocalizedDecimalField(max_digits=14, decimal_places=2, required=False)
    return forms.CharField(max_length=DEFAULT_SHORT_LENGTH, required=False)


class TableWidget(forms.Widget):
    template_name = "applications/widgets/table.html"
    allow_multiple_selected = True  # a list in JSON (adn_portal/lib/form_api.py)
    use_fieldset = True

    def __init__(self, *, columns: list[Column], rows: int, attrs=None):
        super().__init__(attrs)
        self.columns, self.rows = columns, rows

    def value_from_datadict(self, data, files, name):
        if not hasattr(data, "getlist"):  # a JSON body: the list itself
            return data.get(name)
        rows = []
        for index in range(self.rows):
            row = {c.name: data.get(f"{name}-{index}-{c.name}", "") for c in self.columns}
            rows.append(row)
        return rows

    def value_omitted_from_data(self, data, files, name):
        return False

    def format_value(self, value):
        return value if isinstance(value, list) else []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = value if isinstance(value, list) else []
        base = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["columns"] = [
            {"name": c.name, "label": text(c.label), "amount": c.kind == Kind.AMOUNT}
            for c in self.columns
        ]
        context["widget"]["rows"] = [
            [
                {
                    "name": f"{name}-{index}-{c.name}",
                    "id": f"{base}_{index}_{c.name}",
                    "label": text(c.label),
                    "value": _shown(rows[index].get(c.name) if index < len(rows) else ""),
                    "amount": c.kind in (Kind.AMOUNT, Kind.NUMBER),
                }
                for c in self.columns
            ]
            for index in range(self.rows)
        ]
        return context


def _shown(value) -> str:
    return "" if value is None else str(value)


class TableField(forms.Field):
    default_error_messages = {
        "invalid_list": _("Enter a list of values."),
        "too_many": _("This table has %(rows)s rows at most."),
        "cell": _("Row %(row)s, %(column)s: %(error)s"),
    }

    def __init__(self, *, columns: list[Column], rows: int, **kwargs):
        self.columns, self.rows = columns, rows
        kwargs.setdefault("widget", TableWidget(columns=columns, rows=rows))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, (list, tuple)):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        if len(value) > self.rows:
            raise ValidationError(
                self.error_messages["too_many"], code="max_value", params={"rows": self.rows}
            )
        rows, errors = [], []
        for number, raw in enumerate(value, start=1):
            if not isinstance(raw, dict) or set(raw) - {c.name for c in self.columns}:
                raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
            if all(raw.get(c.name) in (None, "") for c in self.columns):
                continue  # an empty row of the page
            row = {}
            for column in self.columns:
                try:
                    row[column.name] = _cell_field(column).clean(raw.get(column.name))
                except ValidationError as error:
                    errors.append(
                        ValidationError(
                            self.error_messages["cell"],
                            code=error.error_list[0].code or "invalid",
                            params={
                                "row": number,
                                "column": text(column.label),
                                "error": error.messages[0],
                            },
                        )
                    )
            rows.append(row)
        if errors:
            raise ValidationError(errors)
        return rows

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def total(self, rows) -> Decimal | None:
        """The sum of the amount columns of the rows (plain numbers or stored strings)."""
        total = Decimal(0)
        for row in rows or []:
            for column in self.columns:
                if column.kind == Kind.AMOUNT and row.get(column.name) not in (None, ""):
                    try:
                        total += Decimal(str(row[column.name]))
                    except ArithmeticError:
                        return None
        return total

    def amount_boxes(self, auto_id: str) -> list[str]:
        return [
            f"{auto_id}_{index}_{c.name}"
            for index in range(self.rows)
            for c in self.columns
            if c.kind == Kind.AMOUNT
        ]
