"""An application form as data (docs/domain.md, Application forms): steps, and in each step
questions of a few kinds, each with its labels in French, English and German, whether it is
required, when it is shown, and the role it plays for the rules.

A definition is plain JSON, kept per call and version (`programs.models.FormVersion`):

    {"steps": [
      {"slug": "budget", "title": {"fr": "Budget", "en": "Budget", "de": "Budget"},
       "section": "budget",                       # optional: the call's FormSection switch
       "questions": [
         {"name": "amount_requested", "kind": "amount", "role": "amount_requested",
          "label": {"en": "Amount requested (EUR)"}, "help": {...}, "required": true,
          "show_if": {"question": "needs_funding", "equals": true}}
       ]}
    ]}

A text given only in English (`{"en": "Project title"}`) is read through the portal's own
catalogue: the default forms' labels are the portal's msgids, translated like the code's.

Knows nothing of organisations or files: what a kind means for a page (a Django field), for
the rules (a role) and for the API (JSON Schema, `schema.py`) is read from here."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from adn_portal.lib.decimals import format_decimal
from adn_portal.lib.uploads import ALLOWED

LANGUAGES = ("fr", "en", "de")


class Kind:
    SHORT_TEXT = "short_text"
    EMAIL = "email"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    AMOUNT = "amount"
    PERCENTAGE = "percentage"
    DATE = "date"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CHECKBOX = "checkbox"  # a box to tick: required means it must be ticked
    YES_NO = "yes_no"  # answered yes or no: required means an answer is given
    DOCUMENTS = "documents"  # the file's documents (uploads): a step of their own
    TABLE = "table"  # rows of columns, the amount column totalled
    EXPERT = "expert"  # a recognised expert of the call's programme
    EARLIER_FILE = "earlier_file"  # an earlier file of the organisation, in a programme
    ORGANISATION_FACTS = "organisation_facts"  # read-only: the organisation's profile


KINDS = frozenset(v for k, v in vars(Kind).items() if k.isupper())
# Kinds that hold no answer of their own.
NOT_ANSWERS = frozenset({Kind.DOCUMENTS, Kind.ORGANISATION_FACTS})
TABLE_COLUMN_KINDS = frozenset({Kind.SHORT_TEXT, Kind.AMOUNT, Kind.NUMBER})


class Role:
    """The facts the rules, the envelope, the exports and the indicators read, whatever the
    form: a question declares which one it answers (one question per role and form, but
    budget costs, which add up)."""

    PROJECT_TITLE = "project_title"  # Application.title
    AMOUNT_REQUESTED = "amount_requested"  # Application.amount_requested, capped by the call
    BUDGET_COST = "budget_cost"  # summed into Application.total_budget
    TOTAL_BUDGET = "total_budget"  # a table (its total) or an amount: Application.total_budget
    EXPERT = "expert"  # Application.expert
    LET_ADN_CHOOSE = "let_adn_choose"  # Application.expert_chosen_by_adn
    DURATION_MONTHS = "duration_months"  # at most the call's maximum duration
    START_DATE = "start_date"
    END_DATE = "end_date"  # after the start date
    EARLIER_FILE = "earlier_file"  # Application.earlier_application
    NEEDS = "needs"  # text the expert matching reads (Start IA)
    PERSONAL = "personal"  # a person's details: erased with their account, after retention


ROLES = frozenset(v for k, v in vars(Role).items() if k.isupper())
ADDING_ROLES = frozenset({Role.BUDGET_COST, Role.NEEDS, Role.PERSONAL})
# Which kinds may play which role.
ROLE_KINDS = {
    Role.PROJECT_TITLE: {Kind.SHORT_TEXT},
    Role.AMOUNT_REQUESTED: {Kind.AMOUNT},
    Role.BUDGET_COST: {Kind.AMOUNT},
    Role.TOTAL_BUDGET: {Kind.AMOUNT, Kind.TABLE},
    Role.EXPERT: {Kind.EXPERT},
    Role.LET_ADN_CHOOSE: {Kind.CHECKBOX, Kind.YES_NO},
    Role.DURATION_MONTHS: {Kind.NUMBER},
    Role.START_DATE: {Kind.DATE},
    Role.END_DATE: {Kind.DATE},
    Role.EARLIER_FILE: {Kind.EARLIER_FILE},
    Role.NEEDS: {Kind.LONG_TEXT, Kind.SHORT_TEXT},
    Role.PERSONAL: {Kind.SHORT_TEXT, Kind.EMAIL, Kind.LONG_TEXT},
}

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SLUG = re.compile(r"^[a-z][a-z_]{0,29}$")
# Step slugs the pages and the stored data keep for themselves.
RESERVED_SLUGS = frozenset({"declarations", "anonymised"})


class DefinitionError(ValueError):
    """A definition that cannot be a form, with every problem found (its structure's in
    English, for the developers; its questions' settings in the reader's language, as the
    staff's builder shows them: `option_problems`)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def text(texts: dict | None, language: str | None = None) -> str:
    """A label in the reader's language: its own text, else the English one through the
    portal's catalogue (a default form's msgid), else the French one."""
    texts = texts or {}
    language = (language or get_language() or "fr")[:2]
    if texts.get(language):
        return texts[language]
    if texts.get("en"):
        return _(texts["en"])
    return texts.get("fr", "")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    label: dict


@dataclass(frozen=True)
class Question:
    name: str
    kind: str
    label: dict
    help: dict = field(default_factory=dict)
    required: bool = True
    role: str = ""
    show_if: dict | None = None  # {"question": name, "equals": value}
    # Kind settings: max_length, limit ("long", "brief" or a number of characters),
    # min/max/integer, choices [{"value", "label"}], programme (expert, earlier file),
    # columns and rows (table), types, max_size_mb, max_count, required_kinds (documents).
    options: dict = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.kind not in NOT_ANSWERS

    @property
    def label_text(self) -> str:
        return text(self.label)

    @property
    def help_text(self) -> str:
        return text(self.help)

    @property
    def choices(self) -> list[tuple[str, dict]]:
        return [(str(c["value"]), c.get("label") or {}) for c in self.options.get("choices", [])]

    @property
    def columns(self) -> list[Column]:
        return [
            Column(c["name"], c.get("kind", Kind.SHORT_TEXT), c.get("label") or {})
            for c in self.options.get("columns", [])
        ]

    def shown(self, answers: dict) -> bool:
        """Whether the question applies, given the step's answers (typed values: a choice's
        value, True/False, a list for a multiple choice)."""
        if not self.show_if:
            return True
        value, expected = answers.get(self.show_if["question"]), self.show_if["equals"]
        if isinstance(value, (list, tuple)):
            return expected in value or str(expected) in map(str, value)
        if isinstance(expected, bool) or isinstance(value, bool):
            return value is expected or (value is not None and str(value) == str(expected))
        return value is not None and str(value) == str(expected)


@dataclass(frozen=True)
class StepDefinition:
    slug: str
    title: dict
    questions: tuple[Question, ...]
    section: str = ""  # the call's FormSection that switches it on; "" always

    @property
    def title_text(self) -> str:
        return text(self.title)

    @property
    def is_documents(self) -> bool:
        return any(q.kind == Kind.DOCUMENTS for q in self.questions)

    @property
    def answers(self) -> list[Question]:
        return [q for q in self.questions if q.answered]

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


@dataclass(frozen=True)
class FormDefinition:
    steps: tuple[StepDefinition, ...]

    def step(self, slug: str) -> StepDefinition | None:
        return next((s for s in self.steps if s.slug == slug), None)

    def with_role(self, role: str) -> list[tuple[StepDefinition, Question]]:
        return [(s, q) for s in self.steps for q in s.questions if q.role == role]


def parse(data: Any) -> FormDefinition:
    """The definition read from JSON, or DefinitionError listing what is wrong."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise DefinitionError(["A form is an object with a list of steps."])
    steps, slugs, roles = [], set(), {}
    for number, raw_step in enumerate(data["steps"], start=1):
        if not isinstance(raw_step, dict):
            problems.append(f"Step {number} is not an object.")
            continue
        slug = raw_step.get("slug")
        if not isinstance(slug, str) or not SLUG.match(slug) or slug in RESERVED_SLUGS:
            problems.append(f"Step {number}: slug {slug!r} is not a short lowercase word.")
        elif slug in slugs:
            problems.append(f"Step {number}: slug {slug!r} is used twice.")
        slugs.add(slug)
        questions = [
            _question(raw, f"{slug}.{i}", problems)
            for i, raw in enumerate(raw_step.get("questions") or [], start=1)
        ]
        questions = [q for q in questions if q is not None]
        names = [q.name for q in questions]
        for name in {n for n in names if names.count(n) > 1}:
            problems.append(f"Step {slug}: question {name!r} is used twice.")
        for q in questions:
            if q.show_if and q.show_if["question"] not in names[: names.index(q.name)]:
                problems.append(
                    f"Question {slug}.{q.name} is shown after a question of its step above it."
                )
            if q.role and q.role not in ADDING_ROLES:
                if q.role in roles:
                    problems.append(f"Role {q.role!r} is played by two questions.")
                roles[q.role] = q
        if any(q.kind == Kind.DOCUMENTS for q in questions) and len(questions) > 1:
            problems.append(f"Step {slug}: the documents are a step of their own.")
        steps.append(
            StepDefinition(
                slug=str(slug),
                title=_texts(raw_step.get("title"), f"Step {slug}", problems),
                questions=tuple(questions),
                section=str(raw_step.get("section") or ""),
            )
        )
    if not steps:
        problems.append("A form has at least one step.")
    if problems:
        raise DefinitionError(problems)
    return FormDefinition(steps=tuple(steps))


def _texts(value: Any, where: str, problems: list[str], *, required: bool = True) -> dict:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not any(isinstance(value.get(k), str) for k in LANGUAGES):
        problems.append(f"{where}: a text in French, English or German is needed.")
        return {}
    return {k: value[k] for k in LANGUAGES if isinstance(value.get(k), str) and value[k]}


_QUESTION_KEYS = {"name", "kind", "label", "help", "required", "role", "show_if"}


def _question(raw: Any, where: str, problems: list[str]) -> Question | None:
    if not isinstance(raw, dict):
        problems.append(f"Question {where} is not an object.")
        return None
    name, kind, role = raw.get("name"), raw.get("kind"), raw.get("role") or ""
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(f"Question {where}: name {name!r} is not a short lowercase word.")
        return None
    where = f"Question {where.split('.')[0]}.{name}"
    if kind not in KINDS:
        problems.append(f"{where}: unknown kind {kind!r}.")
        return None
    if role and (role not in ROLES or kind not in ROLE_KINDS[role]):
        problems.append(f"{where}: a {kind} question cannot play the role {role!r}.")
    show_if = raw.get("show_if")
    if show_if is not None and not (
        isinstance(show_if, dict)
        and isinstance(show_if.get("question"), str)
        and "equals" in show_if
    ):
        problems.append(f"{where}: show_if names a question and the answer it equals.")
        show_if = None
    options = {k: v for k, v in raw.items() if k not in _QUESTION_KEYS}
    _check_options(kind, options, where, problems, role=role)
    return Question(
        name=name,
        kind=kind,
        label=_texts(raw.get("label"), where, problems, required=kind not in NOT_ANSWERS),
        help=_texts(raw.get("help"), where, problems, required=False),
        required=bool(raw.get("required", True)),
        role=role,
        show_if=show_if,
        options=options,
    )


def _check_options(
    kind: str, options: dict, where: str, problems: list[str], *, role: str = ""
) -> None:
    found = option_problems(kind, options, role=role)
    problems.extend(f"{where}: {message}" for message in found.values())


# The kinds' settings, and the bounds the builder's fields and `option_problems` share.
DOCUMENT_TYPES = tuple(ALLOWED)  # the types the portal reads from a file's content
PROGRAMMES = ("START", "TREMPLIN", "CAP")  # programs.models.Programme.Code
SHORT_TEXT_MAX = 1000
PROJECT_TITLE_MAX = 200  # Application.title's column
TEXT_LIMIT_MAX = 100_000
BOUND_MAX = 10**12  # a number box takes 14 digits, 2 of them after the point
ROWS_MAX = 50
CHOICE_VALUE_MAX = 100
DOCUMENT_SIZE_MAX_MB = 1000  # the portal's own limit (ATTACHMENT_MAX_BYTES) applies first
DOCUMENT_COUNT_MAX = 1000  # and its ATTACHMENT_MAX_COUNT


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _has_label(value: Any) -> bool:
    return isinstance(value, dict) and any(
        isinstance(value.get(k), str) and value[k] for k in LANGUAGES
    )


def option_problems(kind: str, options: dict, *, role: str = "") -> dict[str, str]:
    """What is wrong with a question's settings for its kind, by setting ({"max": "The
    maximum is below the minimum."}), in the reader's language: `parse` lists them, the
    staff's builder shows each next to its field."""
    found: dict[str, str] = {}
    max_length = options.get("max_length")
    highest = PROJECT_TITLE_MAX if role == Role.PROJECT_TITLE else SHORT_TEXT_MAX
    if max_length is not None and not _whole(max_length, 1, highest):
        found["max_length"] = _("A maximum length is a whole number from 1 to %(max)s.") % {
            "max": highest
        }
    limit = options.get("limit")
    if (
        "limit" in options
        and limit not in ("long", "brief")
        and not _whole(limit, 1, TEXT_LIMIT_MAX)
    ):
        found["limit"] = _(
            "A character limit is the long or brief one, or a whole number from 1 to %(max)s."
        ) % {"max": TEXT_LIMIT_MAX}
    if "integer" in options and not isinstance(options["integer"], bool):
        found["integer"] = _("Whole numbers only is yes or no.")
    _check_bounds(kind, options, found)
    if kind in (Kind.CHOICE, Kind.MULTIPLE_CHOICE) or "choices" in options:
        _check_choices(options.get("choices"), found)
    if kind == Kind.TABLE or "columns" in options:
        _check_columns(options.get("columns"), found)
    if "rows" in options and not _whole(options["rows"], 1, ROWS_MAX):
        found["rows"] = _("A table has 1 to %(max)s rows.") % {"max": ROWS_MAX}
    _check_documents(options, found)
    programme = options.get("programme")
    if (programme is not None or kind == Kind.EARLIER_FILE) and programme not in PROGRAMMES:
        found["programme"] = (
            _("An earlier file is one of a programme: choose it.")
            if kind == Kind.EARLIER_FILE and not programme
            else _("Choose one of the programmes.")
        )
    return found


def _check_bounds(kind: str, options: dict, found: dict[str, str]) -> None:
    low, high = -BOUND_MAX, BOUND_MAX
    if kind in (Kind.AMOUNT, Kind.PERCENTAGE):
        low = 0
    if kind == Kind.PERCENTAGE:
        high = 100
    for key in ("min", "max"):
        value = options.get(key)
        if value is not None and not (_number(value) and low <= value <= high):
            found[key] = _("A bound is a number from %(low)s to %(high)s.") % {
                "low": format_decimal(low, language=get_language()),
                "high": format_decimal(high, language=get_language()),
            }
    smallest, largest = options.get("min"), options.get("max")
    both = "min" not in found and "max" not in found and _number(smallest) and _number(largest)
    if both and largest < smallest:
        found["max"] = _("The maximum is below the minimum.")


def _check_choices(choices: Any, found: dict[str, str]) -> None:
    if not isinstance(choices, list) or not choices:
        found["choices"] = _("List at least one answer.")
        return
    values = [c.get("value") if isinstance(c, dict) else None for c in choices]
    if not all(
        isinstance(value, str) and 0 < len(value) <= CHOICE_VALUE_MAX and _has_label(c.get("label"))
        for value, c in zip(values, choices, strict=True)
    ):
        found["choices"] = _(
            "Each answer has a value (up to %(max)s characters) and a label in French, English "
            "or German."
        ) % {"max": CHOICE_VALUE_MAX}
    elif len(set(values)) < len(values):
        twice = next(v for v in values if values.count(v) > 1)
        found["choices"] = _("The value %(value)s is given to two answers.") % {"value": twice}


def _check_columns(columns: Any, found: dict[str, str]) -> None:
    if not isinstance(columns, list) or not columns:
        found["columns"] = _("List the table's columns.")
        return
    if not all(
        isinstance(c, dict)
        and isinstance(c.get("name"), str)
        and NAME.match(c["name"])
        and c.get("kind", Kind.SHORT_TEXT) in TABLE_COLUMN_KINDS
        and _has_label(c.get("label"))
        for c in columns
    ):
        found["columns"] = _(
            "Each column has a short name (lowercase letters, digits and _), a kind (text, "
            "number or amount) and a label in French, English or German."
        )
        return
    names = [c["name"] for c in columns]
    if len(set(names)) < len(names):
        twice = next(n for n in names if names.count(n) > 1)
        found["columns"] = _("The column %(name)s is named twice.") % {"name": twice}


def _check_documents(options: dict, found: dict[str, str]) -> None:
    types = options.get("types")
    if types is not None and not (
        isinstance(types, list) and all(t in DOCUMENT_TYPES for t in types)
    ):
        found["types"] = _("Choose among the types the portal accepts: %(types)s.") % {
            "types": ", ".join(DOCUMENT_TYPES)
        }
    size = options.get("max_size_mb")
    if size is not None and not (_number(size) and 0 < size <= DOCUMENT_SIZE_MAX_MB):
        found["max_size_mb"] = _("A maximum size is a number of MB above 0, up to %(max)s.") % {
            "max": DOCUMENT_SIZE_MAX_MB
        }
    count = options.get("max_count")
    if count is not None and not _whole(count, 1, DOCUMENT_COUNT_MAX):
        found["max_count"] = _(
            "A maximum number of documents is a whole number from 1 to %(max)s."
        ) % {"max": DOCUMENT_COUNT_MAX}
    kinds = options.get("required_kinds")
    if kinds is not None and not (
        isinstance(kinds, list) and all(isinstance(k, str) and NAME.match(k) for k in kinds)
    ):
        found["required_kinds"] = _("Each required document is a kind of document.")
