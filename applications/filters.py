"""The staff queue's filters, search and sorting: all in the URL, so a view can be shared."""

import html
from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Expression, F, Func, Q, Subquery
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.functional import cached_property, lazy
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from adn_portal.lib.compiled import compiled_rows
from adn_portal.lib.filters import CopiedCheaply, IdFilter, Strict, StrictBooleanFilter
from adn_portal.lib.numbers import BIGINT_MAX
from companies.identifiers import Province
from companies.models import Organisation, OrganisationKind
from programs.models import Call, Programme

from .models import Application
from .selectors import overdue_milestones
from .workflow import OPEN_STATUSES, Status

_descending = lazy(lambda fmt, label: str(fmt) % label, str)


class QueueOrdering(django_filters.OrderingFilter):
    """django-filter formats the descending labels once, at import (in whatever language was
    active then): ours stay lazy and are formatted in the reader's language."""

    descending_fmt = _("%s (descending)")

    def build_choices(self, fields, labels):
        descending = {
            f"-{param}": _descending(self.descending_fmt, labels.get(field, param))
            for field, param in fields.items()
        }
        return super().build_choices(fields, descending | labels)


class _ListedChoiceField(FilterModelChoiceField):
    """A programme or call chosen among the rows the form lists, checked against them: read
    once for the check and the drop-down alike (`queryset.get()` was a query of its own), by a
    statement compiled once per process (adn_portal.lib.compiled: the rows offered depend on
    nothing of the request; `listed_as` names the statement)."""

    def __init__(self, *args, listed_as: str, **kwargs):
        self.listed_as = listed_as
        super().__init__(*args, **kwargs)

    @property
    def listed(self) -> list:
        # Kept on the form's own copy of the field (the declared field is never read).
        rows = self.__dict__.get("_listed")
        if rows is None:
            rows = self.__dict__["_listed"] = compiled_rows(self.listed_as, lambda: self.queryset)
        return rows

    def to_python(self, value):
        if value in self.empty_values or (self.null_label is not None and value == self.null_value):
            return super().to_python(value)
        self.validate_no_null_characters(value)
        try:
            pk = self.queryset.model._meta.pk.to_python(value)
        except ValidationError:
            pk = None
        for row in self.listed:
            if pk is not None and row.pk == pk:
                return row
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class _ListedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ListedChoiceField


_FORM_CLASSES: dict[type, type] = {}


class QueueFilter(CopiedCheaply, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    programme = _ListedChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.only("name"),
        empty_label=_("All programmes"),
        listed_as="queue-filter:programmes",
    )
    call = _ListedChoiceFilter(
        label=_("Call"),
        queryset=Call.objects.only("title_fr", "title_en", "title_de"),
        empty_label=_("All calls"),
        listed_as="queue-filter:calls",
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=[c for c in Status.choices if c[0] != Status.DRAFT],
        distinct=False,
        method="by_statuses",
    )
    province = django_filters.ChoiceFilter(
        label=_("Province"),
        # The organisation's, as the file's copy (kept by the database, indexed).
        field_name="organisation_province",
        choices=Province.choices,
        empty_label=_("All provinces"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"),
        # The organisation's, as the file's copy (kept by the database, indexed).
        field_name="organisation_kind",
        choices=OrganisationKind.choices,
        empty_label=_("All kinds"),
    )
    reviewer = django_filters.NumberFilter(
        label=_("Reviewer"),
        method="by_reviewer",
        # An id: a whole number the column can hold (1e20 failed the query).
        min_value=1,
        max_value=BIGINT_MAX,
        decimal_places=0,
    )
    mine = django_filters.BooleanFilter(
        label=_("Only my files"), method="only_mine", widget=forms.CheckboxInput
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only overdue files"), method="only_overdue", widget=forms.CheckboxInput
    )
    # docs/domain.md, After selection: an interim or final report past its due date.
    milestone_overdue = django_filters.BooleanFilter(
        label=_("Only files with an overdue report"),
        method="only_milestone_overdue",
        widget=forms.CheckboxInput,
    )
    ordering = QueueOrdering(
        label=_("Sort by"),
        fields=(
            ("submitted_at", "submitted"),
            ("reference", "reference"),
            ("organisation__name", "organisation"),
            ("updated_at", "updated"),
            ("status", "status"),
        ),
        # Every label is the portal's own: django-filter's would show the parameter's English
        # name ("Updated") beside translated ones.
        field_labels={
            "submitted_at": _("Submission date"),
            "reference": _("Reference"),
            "organisation__name": _("Organisation"),
            "updated_at": _("Last change"),
            "status": _("Status"),
        },
        empty_label=_("Newest submissions first"),
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def __init__(self, *args, user=None, overdue_days: int = 30, **kwargs):
        self.user = user
        self.overdue_days = overdue_days
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        """The form's class, made once per FilterSet class (django-filter makes a class, and
        each filter's field, on every request): its fields follow from the declarations alone.
        Each form copies them, and the programmes and calls offered are read per request."""
        form_class = _FORM_CLASSES.get(type(self))
        if form_class is None:
            form_class = super().get_form_class()
            # Bootstrap classes on the widgets: the queue renders them directly (crispy's
            # per-field templates are slow on a page this busy).
            for field in form_class.base_fields.values():
                widget = field.widget
                css = (
                    "form-check-input"
                    if isinstance(widget, forms.CheckboxInput)
                    else ("form-select" if isinstance(widget, forms.Select) else "form-control")
                )
                widget.attrs.setdefault("class", css)
            _FORM_CLASSES[type(self)] = form_class = self.form_copying_cheaply(form_class)
        return form_class

    @cached_property
    def controls(self) -> dict[str, str]:
        """Each filter's label and control as HTML, written here in one pass (a template per
        filter, and Django's per widget and per option, were most of the queue page's
        rendering). What reads the same for every request in a language (the label, the
        <select>'s tag, the options of a list fixed in the code) is written once per process
        (`_Pieces`); a request adds its values, and a model choice field's rows. A field the
        form refused is marked invalid, as Django marks it, its messages under it."""
        language = get_language()
        html = {}
        for name in self.form.fields:
            bound = self.form[name]
            key = (type(self.form), name, language)
            pieces = _PIECES.get(key) or _PIECES.setdefault(key, _Pieces.of(bound))
            html[name] = pieces.written(bound)
        return html

    def listed(self, name: str) -> dict:
        """The rows the drop-down `name` (programme, call) offers, by id: every one there is,
        read once a page for the drop-down and the check of a choice alike."""
        return {row.pk: row for row in self.form.fields[name].listed}

    def searching(self) -> bool:
        """Whether a search is asked for (valid): its files are read whole (a trigram bitmap),
        so the queue's first page and its count are read from one reading of them
        (`seek_page(once=True)`)."""
        return self.is_bound and self.form.is_valid() and bool(self.form.cleaned_data.get("q"))

    def ordering_fields(self) -> tuple[str, ...]:
        """The sort chosen (valid choices only), as the model's orderings ("-reference",
        "organisation__name"); () when none was."""
        if not self.is_bound or (not self.form.is_valid() and "ordering" in self.form.errors):
            return ()
        fields = self.filters["ordering"].param_map
        return tuple(
            ("-" if param.startswith("-") else "") + fields[param.lstrip("-")]
            for param in self.form.cleaned_data.get("ordering") or []
        )

    def search(self, queryset, name, value):
        """Files whose reference, title or organisation's name holds `value` (case aside). On
        PostgreSQL each part is a trigram index scan (`applications` migration 0020) and the
        organisations found by name are handed to the files' organisation index as an array, so
        the three are one BitmapOr (an OR across the join, or IN a subquery, is checked file by
        file). Each part is said word by word (`_holds`)."""
        value = value.strip()
        if not value:
            return queryset
        by_name = Organisation.objects.filter(_holds("name", value)).order_by().values("pk")
        of_organisations = (
            Q(_AnyOf(F("organisation_id"), _IdArray(by_name)))
            if connection.vendor == "postgresql"
            else Q(organisation_id__in=by_name)
        )
        return queryset.filter(
            _holds("reference", value) | _holds("title", value) | of_organisations
        )

    def by_statuses(self, queryset, name, value):
        """`status IN (…)`: an index condition the queue's indexes answer alone (index-only);
        django-filter's `status = a OR status = b` is checked row by row or needs a bitmap
        scan, which reads the table."""
        return queryset.filter(status__in=sorted(set(value))) if value else queryset

    def by_reviewer(self, queryset, name, value):
        return queryset.filter(assignments__reviewer_id=value, assignments__ended_at__isnull=True)

    def only_mine(self, queryset, name, value):
        if not value or self.user is None:
            return queryset
        return queryset.filter(assignments__reviewer=self.user, assignments__ended_at__isnull=True)

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        limit = timezone.now() - timedelta(days=self.overdue_days)
        return queryset.filter(status__in=OPEN_STATUSES, updated_at__lt=limit)

    def only_milestone_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(overdue_milestones(timezone.localdate()))


def _holds(field: str, value: str) -> Q:
    """`field` holds `value`, case aside (`icontains`), said so that a trigram index finds it
    fast on PostgreSQL (`_HoldsWordByWord`) when `value` has several words."""
    pieces = _indexed_pieces(value)
    if len(pieces) < 2:
        return Q(**{f"{field}__icontains": value})
    return Q(_HoldsWordByWord(F(field), value, pieces))


class _HoldsWordByWord(Expression):
    """The column holds `value`, case aside, said as one `icontains` per word of `value` (with
    the character on each side: together they hold the trigrams of `value` whole), then `value`
    whole checked on the rows they let through (STRPOS, which no index answers): the rows
    `icontains` finds, in any case. Written as Django writes `icontains`, a tenth of its time
    (a search is compiled twice a page: its files and their count).

    One condition is one key of the GIN scan. A key holding trigrams of very different
    frequencies ("Projet 602", where every title holds "projet") walks the frequent ones'
    lists from one match of the rare one to the next: 17-20 ms at 100,000 files. A key per
    word lets the keys skip to each other's next match, fastest when the first key is the
    rarest (the scan steps through its matches): 1.1 ms, 7 ms the other way round."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, value: str, pieces: list[str]):
        super().__init__()
        self.column, self.value, self.pieces = column, value, pieces

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        internal_type = self.column.output_field.get_internal_type()
        lhs = connection.ops.lookup_cast("icontains", internal_type) % column
        like = f"{lhs} {connection.operators['icontains'] % '%s'}"
        position = "STRPOS" if connection.vendor == "postgresql" else "INSTR"
        sql = " AND ".join(
            [like] * len(self.pieces) + [f"{position}(UPPER({column}), UPPER(%s)) > 0"]
        )
        escape = connection.ops.prep_for_like_query
        patterns = [f"%{escape(piece)}%" for piece in self.pieces]
        return f"({sql})", tuple(
            param for last in (*patterns, self.value) for param in (*params, last)
        )


def _indexed_pieces(value: str) -> list[str]:
    """The words of `value`, each with the character on each side, that give pg_trgm a
    trigram: three characters once padded (two spaces in front of a word, one behind, where a
    space separates it). A key without a trigram would read the whole index: such a word is
    only checked with `value` whole. Letters and digits only: pg_trgm counts them as a word's
    characters, whatever else it counts.

    Likely rarest first, as the scan prefers (no statistics at hand here): a word holding a
    digit (a number, a reference) before words, a longer word before a shorter one."""
    words, start = [], None
    for i, char in enumerate(f"{value} "):
        if char.isalpha() or char in "0123456789":
            start = i if start is None else start
            continue
        if start is None:
            continue
        padding = (2 if value[start - 1 : start].isspace() else 0) + (
            1 if value[i : i + 1].isspace() else 0
        )
        if i - start + padding >= 3:
            words.append((start, i))
        start = None
    words.sort(key=lambda w: (not any(c.isdigit() for c in value[w[0] : w[1]]), w[0] - w[1]))
    return [value[max(0, start - 1) : end + 1] for start, end in words]


class _IdArray(Subquery):
    """ARRAY(SELECT …): a subquery's ids as one value (PostgreSQL)."""

    template = "ARRAY(%(subquery)s)"
    output_field = BigIntegerField()


class _AnyOf(Func):
    """column = ANY(array) (PostgreSQL): an index condition, where IN (SELECT …) is not."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


# (form class, field name, language) → the field's `_Pieces`: a few per filter and language.
_PIECES: dict[tuple, "_Pieces"] = {}


class _Pieces:
    """A filter's control as Django's widget templates write it (`<select>` with its options;
    `<input>` with its type, name, value, then attributes), cut where a request's values go in:
    what comes `before` the control's `tag`, the tag (its closing ">" aside), each option's
    (value, label) escaped, what comes `after`."""

    def __init__(self, kind: str, before: str, tag: str, after: str, options=None):
        self.kind, self.before, self.tag, self.after, self.options = (
            kind,
            before,
            tag,
            after,
            options,
        )

    @classmethod
    def of(cls, bound: forms.BoundField) -> "_Pieces":
        field, widget, label_for = bound.field, bound.field.widget, bound.id_for_label
        label = conditional_escape(bound.label)
        attrs = flatatt({**widget.attrs, "id": bound.auto_id})
        name = bound.html_name
        if isinstance(widget, forms.Select):
            multiple = " multiple" if widget.allow_multiple_selected else ""
            # A model choice field's options are its rows, read with each request; a list of
            # choices set per form (none is, today) would be too.
            fixed = not isinstance(field, forms.ModelChoiceField) and (
                field.choices is type(bound.form).base_fields[bound.name].choices
            )
            return cls(
                "select",
                f'<label class="form-label" for="{label_for}">{label}</label>\n',
                f'<select name="{name}" id="{label_for}" class="form-select"{multiple}',
                "</select>",
                _escaped_choices(field) if fixed else None,
            )
        if isinstance(widget, forms.CheckboxInput):
            return cls(
                "checkbox",
                '<div class="form-check mt-4">',
                f'<input type="checkbox" name="{name}"{attrs}',
                f' <label class="form-check-label" for="{label_for}">{label}</label></div>',
            )
        return cls(
            "input",
            f'<label class="form-label" for="{label_for}">{label}</label>',
            f'<input type="{widget.input_type}" name="{name}"',
            attrs,
        )

    def written(self, bound: forms.BoundField) -> str:
        value, widget = bound.value(), bound.field.widget
        # Refused: marked as Django marks it, and its messages where aria-describedby says.
        invalid = (
            f' aria-invalid="true" aria-describedby="{bound.auto_id}_error"' if bound.errors else ""
        )
        if self.kind == "select":
            values = value if isinstance(value, list | tuple) else [value]
            chosen = {str(v) for v in values if v not in (None, "")} or {""}  # "" = no choice
            options = self.options if self.options is not None else _escaped_choices(bound.field)
            body = "".join(
                f'<option value="{key}"{" selected" if key in chosen else ""}>{text}</option>'
                for key, text in options
            )
            control = f"{self.before}{self.tag}{invalid}>{body}{self.after}"
        elif self.kind == "checkbox":
            checked = " checked" if widget.check_test(value) else ""
            control = f"{self.before}{self.tag}{checked}{invalid}>{self.after}"
        else:
            value = widget.format_value(value)
            shown = f' value="{_escaped(str(value))}"' if value not in (None, "") else ""
            control = f"{self.before}{self.tag}{shown}{self.after}{invalid}>"
        if bound.errors:
            control += format_html(
                '<div id="{}_error" class="invalid-feedback d-block">{}</div>',
                bound.auto_id,
                format_html_join(" ", "{}", ((e,) for e in bound.errors)),
            )
        return mark_safe(control)  # noqa: S308 — every value escaped here


def _escaped_choices(field: forms.Field) -> list[tuple[str, str]]:
    """A field's (value, label) pairs, escaped as Django's templates escape them. A model
    choice field's own iterator reads its rows through a server-side cursor on PostgreSQL
    (three round trips instead of one): its rows are read as a list."""
    if isinstance(field, forms.ModelChoiceField):
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        rows = field.listed if isinstance(field, _ListedChoiceField) else field.queryset
        choices = empty + [(row.pk, field.label_from_instance(row)) for row in rows]
    else:
        choices = field.choices
    return [(_escaped(str(value)), _escaped(str(label))) for value, label in choices]


def _escaped(text: str) -> str:
    """`conditional_escape` for a str: HTML already marked safe is kept as it is."""
    return text if isinstance(text, SafeData) else html.escape(text)


# The queue's cursor order for each sort of the page (`QueueFilter.ordering`): the row's own
# columns (DRF's cursor reads the position from the row; the organisation's name is copied onto
# it by the API's FilterSet).
_CURSOR_FIELDS = {"organisation__name": "organisation_name"}


class QueueApiFilter(Strict, QueueFilter):
    """The queue's filters for the API: the page's (same choices, same search, same sorts), with
    the identifiers the API shows (programme code, call slug), and a value it does not know
    refused (400) where the page, a form a person fills in, keeps what makes sense."""

    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.all(), to_field_name="code"
    )
    call = django_filters.ModelChoiceFilter(
        label=_("Call"), queryset=Call.objects.all(), to_field_name="slug"
    )
    reviewer = IdFilter(
        label=_("Reviewer"),
        method="by_reviewer",
        min_value=1,
        max_value=BIGINT_MAX,
        decimal_places=0,
        help_text=_("A reviewer's id, as staff/applications/{id}/reviewers/ lists them."),
    )
    mine = StrictBooleanFilter(label=_("Only my files"), method="only_mine")
    overdue = StrictBooleanFilter(label=_("Only overdue files"), method="only_overdue")
    milestone_overdue = StrictBooleanFilter(
        label=_("Only files with an overdue report"), method="only_milestone_overdue"
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(
            data,
            queryset,
            request=request,
            prefix=prefix,
            user=getattr(request, "user", None),
            overdue_days=settings.STAFF_OVERDUE_DAYS,
        )

    @property
    def qs(self):
        return super().qs.annotate(organisation_name=F("organisation__name"))

    def cursor_ordering(self) -> tuple[str, ...] | None:
        ordering = [
            ("-" if field.startswith("-") else "")
            + _CURSOR_FIELDS.get(field.lstrip("-"), field.lstrip("-"))
            for field in self.ordering_fields()
        ]
        return tuple(ordering) or None
