"""The kinds of question a step is made of, each declaring what the pages need to show it:
long texts with their limit, amounts in euros, and a picker (a searchable list of choices with
their details). Steps are built from these (applications/steps.py), so that a step's page, its
review and its script are driven by its fields, not by its name."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.paginator import Page
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.decimals import LocalizedDecimalField
from adn_portal.lib.text import LongTextField, fold

from .rendering import attrs_html, formatted, shown

# The longest search a picker reads from a query string: longer is cut, never an error.
SEARCH_MAX_LENGTH = 100


def long_text(label, **kwargs) -> LongTextField:
    """An answer in a few paragraphs (settings.TEXT_LIMITS["long"])."""
    return LongTextField(label=label, kind="long", **kwargs)


def brief_text(label, **kwargs) -> LongTextField:
    """An answer in a sentence or two (settings.TEXT_LIMITS["brief"])."""
    return LongTextField(label=label, kind="brief", rows=2, **kwargs)


class AmountField(LocalizedDecimalField):
    """An amount in euros, typed as the person's language writes it; shown with its currency."""

    unit = "EUR"

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


@dataclass
class PickerPage:
    """What a picker with a `source` shows: a page of the options matching its search (their
    instances, `page.paginator.count` matching in all) and the chosen one when it is not on
    that page (None otherwise, or when it is no longer a choice)."""

    page: Page
    chosen: object | None = None


class Picker(forms.widgets.ChoiceWidget):
    """One choice among many, as radio buttons each with its details (an expert's specialities,
    province and languages), under a search box.

    Without JavaScript the search box belongs to a form of its own (its `form` attribute: a GET
    form the step's page renders outside its POST form), and the server lists only the options
    matching `query`; with it, the page's script filters the list as one types. The chosen
    option is always listed. `details(instance)` gives an option's lines.

    With a `source` (`source(query, page_number, chosen) -> PickerPage`), the picker lists one
    page of the options matching its search instead of every choice, and offers the other pages
    (buttons of the search form, so without JavaScript too; the script then fetches them in
    place): what a page costs no longer grows with the number of choices."""

    input_type = "radio"
    template_name = "applications/widgets/picker.html"
    option_template_name = "applications/widgets/picker_option.html"
    use_fieldset = True
    searchable = True

    def __init__(self, *args, details=None, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.details = details or (lambda instance: [])
        self.source = source
        self.query = ""
        self.page_number = None
        self.results: PickerPage | None = None

    def search(self, text: str, page=None) -> None:
        self.query = text.strip()[:SEARCH_MAX_LENGTH]
        self.page_number = page  # read by Paginator.get_page: anything not a page is page 1

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        option["details"] = [str(line) for line in self.details(instance)] if instance else []
        if self.results is None or self._complete():  # what the script filters on
            option["search_text"] = fold(" ".join([str(label), *option["details"]]))
        option["attrs"].pop("class", None)  # the form library's "form-control" is for text boxes
        return option

    def optgroups(self, name, value, attrs=None):
        if self.source is not None:
            return self._page_of_options(name, value, attrs)
        groups = super().optgroups(name, value, attrs)
        words = fold(self.query).split()
        if not words:
            return groups
        return [
            (
                group,
                [o for o in options if o["selected"] or all(w in o["search_text"] for w in words)],
                index,
            )
            for group, options, index in groups
        ]

    def _page_of_options(self, name, value, attrs):
        chosen = next((v for v in value if v not in ("", None)), None)
        self.results = self.source(self.query, self.page_number, chosen)
        listed = list(self.results.page.object_list)
        if self.results.chosen is not None:
            listed.insert(0, self.results.chosen)
        options = []
        for index, instance in enumerate(listed):
            choice, label = self.choices.choice(instance)
            selected = str(choice) in value
            options.append(self.create_option(name, choice, label, selected, index, attrs=attrs))
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["query"] = self.query
        widget["search_form"] = f"{name}-search"
        widget["shown"] = sum(len(options) for _group, options, _index in widget["optgroups"])
        widget["page"] = self.results.page if self.results else None
        widget["complete"] = self.results is None or self._complete()
        widget["options_html"] = picker_options_html(widget["optgroups"])
        return context

    def _render(self, template_name, context, renderer=None):
        # picker.html written in Python (picker_html): its ten translated strings and the
        # page's numbers through the template engine cost ~0.45 ms of each expert step.
        if template_name == self.template_name:
            return picker_html(context["widget"])
        return super()._render(template_name, context, renderer)

    def _complete(self) -> bool:
        """Every choice is on the page: the script may filter them as one types (else it asks
        the server)."""
        return not self.query and not self.results.page.has_other_pages()


def picker_html(widget: dict) -> str:
    """applications/widgets/picker.html, character for character, written in Python
    (tests/applications/test_step_widgets_in_python.py compares both)."""
    widget_id, name, form = (
        shown(widget["attrs"].get("id", "")),
        shown(widget["name"]),
        shown(widget["search_form"]),
    )
    page = widget["page"]
    search = shown(gettext("Search"))
    if page and not widget["complete"]:
        count = page.paginator.count
        status = ngettext("%(counter)s match", "%(counter)s matches", count) % {
            "counter": shown(count)
        }
        if page.has_other_pages():
            status += " · " + gettext("Page %(number)s of %(total)s") % {
                "number": shown(page.number),
                "total": shown(page.paginator.num_pages),
            }
    else:
        counter = widget["shown"]
        status = ngettext("%(counter)s choice shown", "%(counter)s choices shown", counter) % {
            "counter": shown(counter)
        }
    status = f"\n      \n        {status}\n      "
    if widget["query"]:
        status += f' · <a href="?">{shown(gettext("Show them all"))}</a>'
    pages = ""
    if page and page.has_other_pages():
        button = (
            "\n          "
            '<button type="submit" class="btn btn-sm btn-outline-secondary" form="{form}"'
            ' name="{name}_page" value="{number}" data-picker-page>{label}</button>\n        '
        )

        def page_button(number: int, label: str) -> str:
            return button.format(form=form, name=name, number=shown(number), label=shown(label))

        previous = (
            page_button(page.previous_page_number(), gettext("Previous"))
            if page.has_previous()
            else ""
        )
        next_ = page_button(page.next_page_number(), gettext("Next")) if page.has_next() else ""
        pages = (
            "\n      "
            f'<nav class="d-flex gap-2 mt-2" aria-label="{shown(gettext("Pages of the list"))}">'
            f"\n        {previous}\n        {next_}\n      </nav>\n    "
        )
    complete = " data-picker-complete" if widget["complete"] else ""
    return (
        "\n\n"
        f'<div class="picker" data-picker id="{widget_id}-picker"{complete}>\n'
        '  <div class="input-group picker-search mb-2">\n'
        f'    <label class="input-group-text" for="{widget_id}-q">{search}</label>\n'
        f'    <input type="search" class="form-control" id="{widget_id}-q" name="{name}_q"\n'
        f'           value="{shown(widget["query"])}" form="{form}" data-picker-filter'
        ' autocomplete="off" maxlength="100"\n'
        f'           aria-controls="{widget_id}-results">\n'
        f'    <button type="submit" class="btn btn-outline-secondary" form="{form}"'
        f" data-picker-search-button>{search}</button>\n"
        "  </div>\n"
        f'  <div id="{widget_id}-results" data-picker-results>\n'
        '    <p class="small text-body-secondary mb-2" aria-live="polite" data-picker-count\n'
        f'       data-one="{shown(gettext("{count} choice shown"))}"'
        f' data-other="{shown(gettext("{count} choices shown"))}">'
        f"{status}\n"
        "    </p>\n"
        '    <div class="picker-options">\n'
        "      \n"
        f"      {widget['options_html']}\n"
        "    </div>\n"
        f"    {pages}\n"
        "  </div>\n"
        "</div>\n"
    )


def picker_options_html(optgroups) -> str:
    """The options of a picker as picker_option.html writes them, in Python (twenty options
    through the template engine cost ~2 ms; a test compares both)."""
    parts = []
    for _group, options, _index in optgroups:
        for option in options:
            search = option.get("search_text")
            value = option["value"]
            details = "".join(
                f'<span class="d-block small text-body-secondary">{shown(line)}</span>'
                for line in option["details"]
                if line
            )
            parts.append(
                '<div class="picker-option form-check"'
                + (f' data-search="{shown(search)}"' if search else "")
                + ">\n        "
                + f'<input type="{shown(option["type"])}" name="{shown(option["name"])}"'
                + ' class="form-check-input"'
                + (f' value="{formatted(value)}"' if value is not None else "")
                + f"{attrs_html(option['attrs'])}>\n        "
                + f'<label class="form-check-label" for="{shown(option["attrs"].get("id", ""))}">'
                + f'<span class="fw-semibold">{shown(option["label"])}</span>\n          '
                + details
                + "\n        </label>\n      </div>"
            )
    # Each part escaped above.
    return mark_safe("".join(parts))  # noqa: S308


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices read with one plain query: Django's iterator reads them through a
    server-side cursor on PostgreSQL (declared, fetched, closed: three statements for a
    handful of rows, ~1 ms of a step page)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        listed = self.field.listed
        for instance in listed() if listed is not None else self.queryset.all():
            yield self.choice(instance)


class ListedChoiceField(forms.ModelChoiceField):
    """A model choice among a few rows, shown as a list (the organisation's earlier files).
    `listed()`, when given, reads the rows the list shows (the queryset's, in its order, with
    what their labels need), the queryset still checks the choice."""

    iterator = ListedChoiceIterator

    def __init__(self, *args, listed=None, **kwargs):
        self.listed = listed
        super().__init__(*args, **kwargs)


class PickerChoiceField(forms.ModelChoiceField):
    """A model choice shown with a Picker; no empty option (a radio list cannot un-choose: the
    step offers another way, such as "let the AdN choose")."""

    def __init__(self, *, details, source=None, **kwargs):
        kwargs.setdefault("widget", Picker(details=details, source=source))
        super().__init__(queryset=kwargs.pop("queryset"), empty_label=None, **kwargs)


SEARCH_LABEL = _("Search")
