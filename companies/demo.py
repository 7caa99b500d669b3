"""Demo expert companies for `manage.py seed_demo`: 66 recognised, a few expired or suspended.

Invented names, valid enterprise numbers, real postcodes over the five Walloon provinces.
A fixed random seed makes every run produce the same companies (and so stay idempotent)."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from adn_portal.accounts.models import User
from programs.models import Programme

from .identifiers import Province, _municipality_names, province_for_postcode
from .models import (
    Expert,
    ExpertReference,
    Language,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    RecognitionEvent,
    Sector,
    Speciality,
)
from .services.experts import _sync_facets
from .workflow import RecognitionAction, RecognitionStatus

LISTED = 66
NOT_LISTED = (
    [RecognitionStatus.EXPIRED] * 3
    + [RecognitionStatus.SUSPENDED] * 2
    + [RecognitionStatus.SUBMITTED] * 2
)

PREFIXES = [
    "Meuse",
    "Ardenne",
    "Sambre",
    "Hesbaye",
    "Condroz",
    "Famenne",
    "Lumen",
    "Quantix",
    "Cogni",
    "Sigma",
    "Axiom",
    "Orbis",
    "Pixel",
    "Nova",
    "Vesdre",
    "Ourthe",
    "Semois",
    "Lesse",
    "Dyle",
    "Haine",
    "Gaume",
    "Hautes-Fagnes",
    "Brabant",
    "Borinage",
]
SUFFIXES = [
    "Analytics",
    "AI Lab",
    "Data Works",
    "Insight",
    "Intelligence",
    "Vision",
    "Minds",
    "Logic",
]
LEGAL_FORMS = ["SRL", "SA", "SCRL", "SRL", "SRL"]

SPECIALITY_TEXT = {
    Speciality.COMPUTER_VISION: ("la vision par ordinateur", "computer vision", "Computer Vision"),
    Speciality.NLP_GENAI: (
        "le traitement du langage et l'IA générative",
        "language processing and generative AI",
        "Sprachverarbeitung und generative KI",
    ),
    Speciality.FORECASTING: (
        "la prévision et la maintenance prédictive",
        "forecasting and predictive maintenance",
        "Prognosen und vorausschauende Wartung",
    ),
    Speciality.OPTIMISATION: ("l'optimisation", "optimisation", "Optimierung"),
    Speciality.PROCESS_AUTOMATION: (
        "l'automatisation des processus",
        "process automation",
        "Prozessautomatisierung",
    ),
    Speciality.DATA_ENGINEERING: (
        "l'ingénierie des données",
        "data engineering",
        "Data Engineering",
    ),
    Speciality.RECOMMENDER: (
        "les systèmes de recommandation",
        "recommender systems",
        "Empfehlungssysteme",
    ),
    Speciality.STRATEGY: (
        "la stratégie et la gouvernance de l'IA",
        "AI strategy and governance",
        "KI-Strategie und Governance",
    ),
    Speciality.SPEECH: ("la reconnaissance vocale", "speech recognition", "Spracherkennung"),
    Speciality.ROBOTICS: (
        "la robotique et l'IA embarquée",
        "robotics and embedded AI",
        "Robotik und eingebettete KI",
    ),
}


def enterprise_number(rng: random.Random) -> str:
    base = rng.randrange(2_000_000, 9_999_999)  # 0 + seven digits: an 8-digit base
    first8 = f"0{base}"
    return first8 + f"{97 - int(first8) % 97:02d}"


def _walloon_postcodes() -> dict[Province, list[str]]:
    by_province: dict[Province, list[str]] = {}
    for postcode in sorted(_municipality_names()):
        province = province_for_postcode(postcode)
        if province != Province.OUTSIDE_WALLONIA:
            by_province.setdefault(province, []).append(postcode)
    return by_province


def _description(
    rng: random.Random, name: str, specialities: list[str], sectors: list[str]
) -> tuple[str, str, str]:
    fr = " et ".join(SPECIALITY_TEXT[s][0] for s in specialities)
    en = " and ".join(SPECIALITY_TEXT[s][1] for s in specialities)
    de = " und ".join(SPECIALITY_TEXT[s][2] for s in specialities)
    sector_fr = ", ".join(str(Sector(s).label).lower() for s in sectors)
    years = rng.randint(4, 18)
    return (
        f"{name} accompagne les PME et les pouvoirs publics wallons dans {fr}. "
        f"Depuis {years} ans, notre équipe conçoit des solutions concrètes, du diagnostic au passage en production, "
        f"notamment pour les secteurs suivants : {sector_fr}.",
        f"{name} helps Walloon SMEs and public bodies with {en}. For {years} years our team has built practical "
        f"solutions, from the first diagnosis to production.",
        f"{name} begleitet wallonische KMU und öffentliche Einrichtungen bei {de}. Seit {years} Jahren entwickelt "
        f"unser Team konkrete Lösungen, von der Diagnose bis zur Produktion.",
    )


@transaction.atomic
def seed_experts(*, today: date | None = None, approver: User | None = None) -> int:
    today = today or timezone.localdate()
    rng = random.Random(20260301)  # noqa: S311 — repeatable demo data, not secrets
    postcodes = _walloon_postcodes()
    provinces = (
        [Province.LIEGE] * 5
        + [Province.HAINAUT] * 4
        + [Province.NAMUR] * 3
        + [Province.BRABANT_WALLON] * 3
        + [Province.LUXEMBOURG] * 2
    )
    german_postcodes = [p for p in postcodes[Province.LIEGE] if 4700 <= int(p) <= 4799]
    names = rng.sample([f"{p} {s}" for p in PREFIXES for s in SUFFIXES], LISTED + len(NOT_LISTED))
    statuses = [RecognitionStatus.ACTIVE] * LISTED + NOT_LISTED

    for index, (name, status) in enumerate(zip(names, statuses, strict=True)):
        # Every sixth company sits in the German-speaking communes, so German-speaking experts exist.
        if index % 6 == 0:
            postcode = rng.choice(german_postcodes)
        else:
            postcode = rng.choice(postcodes[rng.choice(provinces)])
        specialities = rng.sample(Speciality.values, rng.randint(1, 3))
        if index % 6 == 0 and Speciality.COMPUTER_VISION not in specialities:
            specialities[0] = Speciality.COMPUTER_VISION
        sectors = rng.sample(Sector.values, rng.randint(2, 4))
        languages = [Language.FRENCH] + [
            lang for lang in (Language.ENGLISH, Language.DUTCH) if rng.random() < 0.5
        ]
        if 4700 <= int(postcode) <= 4799 or rng.random() < 0.1:
            languages.append(Language.GERMAN)
        programmes = [Programme.Code.START_IA] + [
            c for c in (Programme.Code.TREMPLIN_IA, Programme.Code.CAP_IA) if rng.random() < 0.6
        ]
        legal_name = f"{name} {rng.choice(LEGAL_FORMS)}"
        description_fr, description_en, description_de = _description(
            rng, name, specialities, sectors
        )

        organisation, _created = Organisation.objects.update_or_create(
            enterprise_number=enterprise_number(rng),
            defaults={
                "name": legal_name,
                "kind": OrganisationKind.SME if index % 9 else OrganisationKind.STARTUP,
                "street": f"Rue de l'Innovation {rng.randint(1, 180)}",
                "postcode": postcode,
                "municipality": _municipality_names()[postcode],
                "province": province_for_postcode(postcode),
                "headcount": rng.randint(3, 80),
                "turnover": rng.randint(200, 9000) * 1000,
                "size_class": "",
                "website": f"https://www.{name.lower().replace(' ', '-')}.be",
            },
        )
        start = today - timedelta(days=rng.randint(30, 1000))
        if status == RecognitionStatus.EXPIRED:
            start = today - timedelta(days=3 * 365 + rng.randint(10, 200))
        until = start.replace(year=start.year + 3) - timedelta(days=1)
        recognised = status != RecognitionStatus.SUBMITTED
        expert, _created = Expert.objects.update_or_create(
            organisation=organisation,
            defaults={
                "slug": name.lower().replace(" ", "-"),
                "status": status,
                "recognised_from": start if recognised else None,
                "recognised_until": until if recognised else None,
                "description_fr": description_fr,
                "description_en": description_en,
                "description_de": description_de,
                "specialities": specialities,
                "sectors": sectors,
                "languages": languages,
                "programmes": programmes,
                "team_size": rng.randint(2, 25),
                "public_email": f"contact@{name.lower().replace(' ', '-')}.be",
                "public_phone": f"+32 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "files_delivered": rng.randint(0, 25) if recognised else 0,
            },
        )
        _sync_facets(expert)
        # Below, no draw from `rng`: the sequence must not depend on what already exists.
        if not expert.references.exists():
            ExpertReference.objects.bulk_create(
                ExpertReference(
                    expert=expert,
                    client=f"Client {n} ({kind})",
                    summary="Diagnostic IA et preuve de concept.",
                    year=today.year - n,
                )
                for n, kind in ((1, "PME"), (2, "commune"), (3, "intercommunale"))
            )
        if not expert.events.exists():
            RecognitionEvent.objects.create(
                expert=expert,
                action=RecognitionAction.APPLIED,
                to_status=RecognitionStatus.SUBMITTED,
            )
            if recognised:
                RecognitionEvent.objects.create(
                    expert=expert,
                    action=RecognitionAction.APPROVED,
                    from_status=RecognitionStatus.SUBMITTED,
                    to_status=RecognitionStatus.ACTIVE,
                    by=approver,
                    comment="Reconnaissance (données de démonstration).",
                )
    return LISTED


@transaction.atomic
def seed_expert_account(*, user: User) -> Expert:
    """The demo expert account owns the first demo company."""
    expert = (
        Expert.objects.filter(status=RecognitionStatus.ACTIVE)
        .order_by("organisation__enterprise_number")
        .first()
    )
    Membership.objects.get_or_create(
        user=user, organisation=expert.organisation, defaults={"role": MemberRole.OWNER}
    )
    return expert
