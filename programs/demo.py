"""Demo calls for `manage.py seed_demo`, dated relative to today so that some are always open."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import (
    Audience,
    Call,
    EligibilityRule,
    FormSection,
    PaidTo,
    Programme,
    ScoringCriterion,
)

COMMON_SECTIONS = [FormSection.ORGANISATION, FormSection.CONTACT]
START_CRITERIA = [
    (
        "Clarté des enjeux métier",
        "Clarity of the business challenges",
        "Klarheit der geschäftlichen Herausforderungen",
        "3",
    ),
    ("Disponibilité des données", "Availability of data", "Verfügbarkeit der Daten", "2"),
    (
        "Engagement de la direction",
        "Commitment of the management",
        "Engagement der Geschäftsleitung",
        "2",
    ),
]
TREMPLIN_CRITERIA = [
    ("Pertinence du cas d'usage", "Relevance of the use case", "Relevanz des Anwendungsfalls", "3"),
    (
        "Qualité de l'approche et du plan de travail",
        "Quality of the approach and work plan",
        "Qualität des Ansatzes und des Arbeitsplans",
        "3",
    ),
    ("Réalisme du budget", "Realism of the budget", "Realismus des Budgets", "2"),
    (
        "Feuille de route vers la production",
        "Roadmap to production",
        "Fahrplan zur Produktion",
        "2",
    ),
]


def demo_calls(now: datetime) -> list[dict]:
    day = timedelta(days=1)
    noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
    return [
        {
            "programme": Programme.Code.START_IA,
            "slug": "start-ia-entreprises",
            "title_fr": "Start IA — PME et start-ups",
            "title_en": "Start IA — SMEs and start-ups",
            "title_de": "Start IA — KMU und Start-ups",
            "summary_fr": "Cinq jours avec un expert IA reconnu pour trouver vos opportunités et repartir avec un plan d'action.",
            "summary_en": "Five days with a recognised AI expert to find your opportunities and leave with an action plan.",
            "summary_de": "Fünf Tage mit einem anerkannten KI-Experten, um Ihre Chancen zu finden und mit einem Aktionsplan abzuschließen.",
            "text_fr": "Vous choisissez un expert parmi les sociétés reconnues. Il passe cinq jours avec vos équipes : compréhension de vos activités, ateliers, analyse de vos données, puis un plan d'action priorisé.\n\nLes jours d'expertise sont financés par la Région wallonne.",
            "text_en": "You choose an expert among the recognised companies. They spend five days with your teams: understanding your activities, workshops, analysis of your data, then a prioritised action plan.\n\nThe expert days are funded by the Walloon Region.",
            "text_de": "Sie wählen einen Experten unter den anerkannten Unternehmen. Er verbringt fünf Tage mit Ihren Teams: Verständnis Ihrer Tätigkeiten, Workshops, Analyse Ihrer Daten, dann ein priorisierter Aktionsplan.\n\nDie Expertentage werden von der Wallonischen Region finanziert.",
            "audiences": [Audience.SME, Audience.STARTUP],
            "opens_at": noon - 30 * day,
            "closes_at": noon + 60 * day,
            "budget_envelope": Decimal("400000"),
            "funding_rate": Decimal("75"),
            "ceiling_per_file": Decimal("5000"),
            "expert_days": 5,
            "expert_day_rate": Decimal("1000"),
            "expert_required": True,
            "eligibility_rules": [
                EligibilityRule.WALLOON_SEAT,
                EligibilityRule.AUDIENCE_KIND,
                EligibilityRule.SME_SIZE,
                EligibilityRule.NO_OTHER_OPEN_FILE,
                EligibilityRule.EXPERT_RECOGNISED,
            ],
            "form_sections": [
                *COMMON_SECTIONS,
                FormSection.CHALLENGES,
                FormSection.DATA,
                FormSection.EXPERT,
            ],
            "criteria": START_CRITERIA,
        },
        {
            "programme": Programme.Code.START_IA,
            "slug": "start-ia-pouvoirs-publics",
            "title_fr": "Start IA — Pouvoirs publics locaux",
            "title_en": "Start IA — Local public bodies",
            "title_de": "Start IA — Lokale öffentliche Einrichtungen",
            "summary_fr": "Pour les communes, provinces, CPAS et intercommunales : identifier où l'IA peut améliorer le service au citoyen.",
            "summary_en": "For municipalities, provinces, CPAS and intercommunales: find where AI can improve the service to citizens.",
            "summary_de": "Für Gemeinden, Provinzen, ÖSHZ und Interkommunalen: herausfinden, wo KI den Bürgerservice verbessern kann.",
            "text_fr": "Appel permanent : déposez votre demande à tout moment. Un expert reconnu vous accompagne pendant cinq jours.",
            "text_en": "Rolling call: apply at any time. A recognised expert accompanies you for five days.",
            "text_de": "Laufender Aufruf: Bewerben Sie sich jederzeit. Ein anerkannter Experte begleitet Sie fünf Tage lang.",
            "audiences": [Audience.PUBLIC_BODY],
            "opens_at": noon - 90 * day,
            "closes_at": None,
            "budget_envelope": Decimal("150000"),
            "funding_rate": Decimal("100"),
            "ceiling_per_file": Decimal("5000"),
            "expert_days": 5,
            "expert_day_rate": Decimal("1000"),
            "expert_required": True,
            "eligibility_rules": [
                EligibilityRule.WALLOON_SEAT,
                EligibilityRule.AUDIENCE_KIND,
                EligibilityRule.NO_OTHER_OPEN_FILE,
            ],
            "form_sections": [*COMMON_SECTIONS, FormSection.CHALLENGES, FormSection.EXPERT],
            "criteria": START_CRITERIA,
        },
        {
            "programme": Programme.Code.START_IA,
            "slug": "start-ia-supply-industrie-4-0",
            "title_fr": "Start IA — Supply & Industrie 4.0",
            "title_en": "Start IA — Supply & Industry 4.0",
            "title_de": "Start IA — Supply & Industrie 4.0",
            "summary_fr": "Édition thématique pour les entreprises manufacturières et logistiques.",
            "summary_en": "Themed edition for manufacturing and logistics companies.",
            "summary_de": "Thematische Ausgabe für Fertigungs- und Logistikunternehmen.",
            "text_fr": "Une édition consacrée à la chaîne d'approvisionnement et à l'industrie 4.0.",
            "text_en": "An edition devoted to the supply chain and Industry 4.0.",
            "text_de": "Eine Ausgabe zu Lieferkette und Industrie 4.0.",
            "audiences": [Audience.SME],
            "opens_at": noon - 400 * day,
            "closes_at": noon - 250 * day,
            "budget_envelope": Decimal("200000"),
            "funding_rate": Decimal("75"),
            "ceiling_per_file": Decimal("5000"),
            "expert_days": 5,
            "expert_day_rate": Decimal("1000"),
            "expert_required": True,
            "eligibility_rules": [EligibilityRule.WALLOON_SEAT, EligibilityRule.SME_SIZE],
            "form_sections": [*COMMON_SECTIONS, FormSection.CHALLENGES, FormSection.EXPERT],
            "criteria": START_CRITERIA,
        },
        {
            "programme": Programme.Code.TREMPLIN_IA,
            "slug": "tremplin-ia-entreprises",
            "title_fr": "Tremplin IA — Entreprises",
            "title_en": "Tremplin IA — Companies",
            "title_de": "Tremplin IA — Unternehmen",
            "summary_fr": "Financez une preuve de concept ou un projet pilote avec un prestataire IA reconnu.",
            "summary_en": "Fund a proof of concept or a pilot project with a recognised AI provider.",
            "summary_de": "Finanzieren Sie einen Machbarkeitsnachweis oder ein Pilotprojekt mit einem anerkannten KI-Dienstleister.",
            "text_fr": "Votre projet s'appuie idéalement sur le plan d'action d'un Start IA. Décrivez le cas d'usage, les données, l'approche, le budget et la feuille de route vers la production.",
            "text_en": "Your project ideally builds on the action plan of a Start IA. Describe the use case, the data, the approach, the budget and the roadmap to production.",
            "text_de": "Ihr Projekt baut idealerweise auf dem Aktionsplan eines Start IA auf. Beschreiben Sie Anwendungsfall, Daten, Ansatz, Budget und Fahrplan zur Produktion.",
            "audiences": [Audience.SME, Audience.STARTUP, Audience.LARGE_COMPANY],
            "opens_at": noon - 20 * day,
            "closes_at": noon + 25 * day,
            "budget_envelope": Decimal("2000000"),
            "funding_rate": Decimal("50"),
            "ceiling_per_file": Decimal("100000"),
            "max_duration_months": 12,
            "expert_required": True,
            "eligibility_rules": [
                EligibilityRule.WALLOON_SEAT,
                EligibilityRule.AUDIENCE_KIND,
                EligibilityRule.NO_OTHER_OPEN_FILE,
                EligibilityRule.EXPERT_RECOGNISED,
            ],
            "form_sections": [
                *COMMON_SECTIONS,
                FormSection.PROJECT,
                FormSection.DATA,
                FormSection.EXPERT,
                FormSection.BUDGET,
                FormSection.ROADMAP,
                FormSection.ATTACHMENTS,
            ],
            "criteria": TREMPLIN_CRITERIA,
        },
        {
            "programme": Programme.Code.TREMPLIN_IA,
            "slug": "tremplin-ia-services-publics-2025",
            "title_fr": "Tremplin IA — Services publics 2025",
            "title_en": "Tremplin IA — Public services 2025",
            "title_de": "Tremplin IA — Öffentliche Dienste 2025",
            "summary_fr": "Projets pilotes d'IA au service des citoyens.",
            "summary_en": "AI pilot projects serving citizens.",
            "summary_de": "KI-Pilotprojekte im Dienst der Bürger.",
            "text_fr": "Édition clôturée.",
            "text_en": "Closed edition.",
            "text_de": "Abgeschlossene Ausgabe.",
            "audiences": [Audience.PUBLIC_BODY],
            "opens_at": noon - 330 * day,
            "closes_at": noon - 240 * day,
            "budget_envelope": Decimal("1000000"),
            "funding_rate": Decimal("80"),
            "ceiling_per_file": Decimal("80000"),
            "max_duration_months": 12,
            "expert_required": True,
            "eligibility_rules": [EligibilityRule.WALLOON_SEAT, EligibilityRule.AUDIENCE_KIND],
            "form_sections": [
                *COMMON_SECTIONS,
                FormSection.PROJECT,
                FormSection.BUDGET,
                FormSection.ROADMAP,
            ],
            "criteria": TREMPLIN_CRITERIA,
        },
        {
            "programme": Programme.Code.CAP_IA,
            "slug": "cap-ia-mise-en-production",
            "title_fr": "Cap IA — Mise en production",
            "title_en": "Cap IA — Into production",
            "title_de": "Cap IA — In Produktion",
            "summary_fr": "Passez de votre pilote IA à une solution en production ou sur le marché.",
            "summary_en": "Move from your AI pilot to a solution in production or on the market.",
            "summary_de": "Vom KI-Pilotprojekt zur Lösung in Produktion oder auf dem Markt.",
            "text_fr": "Présentez la solution, le marché visé, le plan de déploiement et le budget.",
            "text_en": "Present the solution, the target market, the deployment plan and the budget.",
            "text_de": "Stellen Sie Lösung, Zielmarkt, Einführungsplan und Budget vor.",
            "audiences": [Audience.SME, Audience.STARTUP],
            "opens_at": noon + 45 * day,
            "closes_at": noon + 150 * day,
            "budget_envelope": Decimal("3000000"),
            "funding_rate": Decimal("40"),
            "ceiling_per_file": Decimal("250000"),
            "max_duration_months": 18,
            "expert_required": False,
            "eligibility_rules": [
                EligibilityRule.WALLOON_SEAT,
                EligibilityRule.AUDIENCE_KIND,
                EligibilityRule.EARLIER_FILE_REQUIRED,
            ],
            "form_sections": [
                *COMMON_SECTIONS,
                FormSection.PROJECT,
                FormSection.BUDGET,
                FormSection.ROADMAP,
                FormSection.ATTACHMENTS,
            ],
            "criteria": TREMPLIN_CRITERIA,
        },
    ]


@transaction.atomic
def seed_calls(*, now: datetime) -> list[Call]:
    programmes = {p.code: p for p in Programme.objects.all()}
    calls = []
    for data in demo_calls(now):
        data = dict(data)
        criteria = data.pop("criteria")
        programme = programmes[data.pop("programme")]
        # The payment schedule (docs/domain.md, After selection): the expert company is paid
        # for Start IA; elsewhere a 30 % advance on signature and an interim report at 6 months.
        if programme.code == Programme.Code.START_IA:
            data.setdefault("paid_to", PaidTo.EXPERT)
        else:
            data.setdefault("advance_percent", Decimal("30"))
            data.setdefault("interim_report_months", 6)
        call, _created = Call.objects.update_or_create(
            slug=data.pop("slug"), defaults={**data, "programme": programme}
        )
        call.full_clean()
        for position, (fr, en, de, weight) in enumerate(criteria, start=1):
            ScoringCriterion.objects.update_or_create(
                call=call,
                position=position,
                defaults={
                    "label_fr": fr,
                    "label_en": en,
                    "label_de": de,
                    "weight": Decimal(weight),
                },
            )
        call.criteria.filter(position__gt=len(criteria)).delete()
        calls.append(call)
    return calls
