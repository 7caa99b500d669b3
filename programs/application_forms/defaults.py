"""The programmes' default application forms: what every call of a programme asks unless its
staff write another form. Version 1 of each call made before forms were data holds these
(migration programs 0008), and so does each new call (`programs.services.call_form`).

Labels are English msgids marked for the catalogue (gettext_noop): a default form reads in the
reader's language like the rest of the portal. Staff's forms carry their three languages."""

import copy

from django.utils.translation import gettext_noop as _

from .definition import Kind, Role

START, TREMPLIN, CAP = "START", "TREMPLIN", "CAP"  # programs.models.Programme.Code


def _t(english: str) -> dict:
    return {"en": english}


ORGANISATION = {
    "slug": "organisation",
    "title": _t(_("Organisation")),
    "questions": [
        {"name": "facts", "kind": Kind.ORGANISATION_FACTS, "required": False},
        {
            "name": "confirmed",
            "kind": Kind.CHECKBOX,
            "label": _t(_("These details are correct and up to date")),
            "help": _t(
                _("They come from your organisation's profile: change them there if needed.")
            ),
        },
    ],
}

CONTACT = {
    "slug": "contact",
    "title": _t(_("Contact person")),
    "questions": [
        {
            "name": "contact_name",
            "kind": Kind.SHORT_TEXT,
            "label": _t(_("Contact person")),
            "max_length": 150,
            "role": Role.PERSONAL,
        },
        {
            "name": "contact_function",
            "kind": Kind.SHORT_TEXT,
            "label": _t(_("Function")),
            "max_length": 150,
            "role": Role.PERSONAL,
        },
        {
            "name": "contact_email",
            "kind": Kind.EMAIL,
            "label": _t(_("E-mail")),
            "role": Role.PERSONAL,
        },
        {
            "name": "contact_phone",
            "kind": Kind.SHORT_TEXT,
            "label": _t(_("Phone")),
            "max_length": 32,
            "role": Role.PERSONAL,
        },
    ],
}


def _documents(required_kinds: list[str]) -> dict:
    return {
        "slug": "documents",
        "title": _t(_("Documents")),
        "section": "attachments",
        "questions": [
            {"name": "documents", "kind": Kind.DOCUMENTS, "required_kinds": required_kinds}
        ],
    }


def _long(name: str, label: str, **more) -> dict:
    return {"name": name, "kind": Kind.LONG_TEXT, "label": _t(label), "limit": "long", **more}


NEEDS = {
    "slug": "needs",
    "title": _t(_("Your needs")),
    "section": "challenges",
    "questions": [
        _long("activity", _("Your activity"), role=Role.NEEDS),
        _long(
            "challenges",
            _("Your challenges"),
            help=_t(_("What would you like to improve?")),
            role=Role.NEEDS,
        ),
        _long("available_data", _("Data you have")),
        {
            "name": "maturity",
            "kind": Kind.CHOICE,
            "label": _t(_("Your AI maturity")),
            "choices": [
                {"value": "none", "label": _t(_("We have not used AI yet"))},
                {"value": "exploring", "label": _t(_("We are exploring"))},
                {"value": "first_projects", "label": _t(_("We ran first projects"))},
                {"value": "advanced", "label": _t(_("AI is part of our operations"))},
            ],
        },
        _long("expected_benefits", _("Expected benefits"), role=Role.NEEDS),
    ],
}

EXPERT = {
    "slug": "expert",
    "title": _t(_("Expert")),
    "section": "expert",
    "questions": [
        {
            "name": "expert",
            "kind": Kind.EXPERT,
            "label": _t(_("Preferred recognised expert")),
            "help": _t(_("Search by name, speciality, province or language.")),
            "required": False,
            "role": Role.EXPERT,
        },
        {
            "name": "let_adn_choose",
            "kind": Kind.CHECKBOX,
            "label": _t(_("Let the AdN choose an expert for me")),
            "required": False,
            "role": Role.LET_ADN_CHOOSE,
        },
        {
            "name": "availability",
            "kind": Kind.LONG_TEXT,
            "label": _t(_("Your availability for the 5 days")),
            "limit": "brief",
        },
    ],
}

PROJECT = {
    "slug": "project",
    "title": _t(_("Project")),
    "section": "project",
    "questions": [
        {
            "name": "title",
            "kind": Kind.SHORT_TEXT,
            "label": _t(_("Project title")),
            "max_length": 200,
            "role": Role.PROJECT_TITLE,
        },
        _long("use_case", _("Use case")),
        {
            "name": "earlier_application",
            "kind": Kind.EARLIER_FILE,
            "label": _t(_("Earlier Start IA file")),
            "help": _t(_("If your project builds on a Start IA action plan.")),
            "programme": START,
            "required": False,
            "role": Role.EARLIER_FILE,
        },
        _long("objectives", _("Objectives and indicators (KPIs)")),
    ],
}

DATA = {
    "slug": "data",
    "title": _t(_("Data and approach")),
    "section": "data",
    "questions": [
        _long("data_sources", _("Data sources")),
        _long("approach", _("Technical approach")),
    ],
}

PROVIDER = {
    "slug": "provider",
    "title": _t(_("Provider")),
    "section": "expert",
    "questions": [
        {
            "name": "expert",
            "kind": Kind.EXPERT,
            "label": _t(_("Recognised AI provider")),
            "help": _t(_("Attach the provider's quote in the documents step.")),
            "role": Role.EXPERT,
        },
        _long("work_plan", _("Work plan")),
        {
            "name": "duration_months",
            "kind": Kind.NUMBER,
            "label": _t(_("Duration (months)")),
            "integer": True,
            "min": 1,
            "role": Role.DURATION_MONTHS,
        },
    ],
}


def _cost(name: str, label: str) -> dict:
    return {"name": name, "kind": Kind.AMOUNT, "label": _t(label), "role": Role.BUDGET_COST}


BUDGET = {
    "slug": "budget",
    "title": _t(_("Budget")),
    "section": "budget",
    "questions": [
        _cost("cost_personnel", _("Internal staff (EUR)")),
        _cost("cost_provider", _("AI provider (EUR)")),
        _cost("cost_equipment", _("Equipment and software (EUR)")),
        _cost("cost_other", _("Other costs (EUR)")),
        {
            "name": "amount_requested",
            "kind": Kind.AMOUNT,
            "label": _t(_("Amount requested (EUR)")),
            "role": Role.AMOUNT_REQUESTED,
        },
    ],
}

ROADMAP = {
    "slug": "roadmap",
    "title": _t(_("Roadmap")),
    "section": "roadmap",
    "questions": [_long("roadmap", _("Roadmap to production"))],
}

SOLUTION = {
    "slug": "solution",
    "title": _t(_("Solution")),
    "section": "project",
    "questions": [
        _long("solution", _("The solution")),
        _long("target_market", _("Target market or users")),
        {
            "name": "earlier_application",
            "kind": Kind.EARLIER_FILE,
            "label": _t(_("Earlier Tremplin IA file")),
            "programme": TREMPLIN,
            "required": False,
            "role": Role.EARLIER_FILE,
        },
    ],
}

DEPLOYMENT = {
    "slug": "deployment",
    "title": _t(_("Deployment")),
    "section": "roadmap",
    "questions": [_long("deployment_plan", _("Deployment plan"))],
}

DEFAULT_FORMS: dict[str, dict] = {
    START: {"steps": [ORGANISATION, CONTACT, NEEDS, EXPERT, _documents([])]},
    TREMPLIN: {
        "steps": [
            ORGANISATION,
            CONTACT,
            PROJECT,
            DATA,
            PROVIDER,
            BUDGET,
            ROADMAP,
            _documents(["quote"]),
        ]
    },
    CAP: {"steps": [ORGANISATION, CONTACT, SOLUTION, DEPLOYMENT, BUDGET, _documents([])]},
}


def default_form(programme_code: str) -> dict:
    """A fresh copy of the programme's default definition (JSON)."""
    return copy.deepcopy(DEFAULT_FORMS[programme_code])
