"""What the demo calls' pages offer besides their texts (`manage.py seed_demo`): the documents
(regulations, a template, a budget model where the form asks for a budget) and the FAQ, each in
French, English and German, added through the services as a programme manager would."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook

from adn_portal.accounts.models import User
from adn_portal.lib.pdf import PDF_CONTENT_TYPE, render_pdf

from . import services
from .models import Call, CallDocument, FormSection, Programme

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A document: its kind, its title in each language and its content, a section per language.
REGULATIONS = {
    "kind": CallDocument.Kind.REGULATIONS,
    "title": {
        "fr": "Règlement de l'appel",
        "en": "Regulations of the call",
        "de": "Reglement des Aufrufs",
    },
    "file_name": "reglement-{slug}.pdf",
    "sections": {
        "fr": [
            "Qui peut introduire une demande : les organisations dont le siège d'exploitation est en Wallonie et qui relèvent des publics de l'appel.",
            "Comment : en ligne, sur ce portail, avant la date de clôture (heure de Bruxelles). Une demande introduite ne peut plus être modifiée, sauf à la demande de l'Agence du Numérique.",
            "Sélection : chaque demande recevable est évaluée selon les critères publiés sur la page de l'appel ; la décision est communiquée par écrit.",
        ],
        "en": [
            "Who may apply: organisations whose place of business is in Wallonia and who belong to the call's audiences.",
            "How: online, on this portal, before the closing date (Brussels time). A submitted application can no longer be changed, unless the Agence du Numérique asks for it.",
            "Selection: each admissible application is assessed against the criteria published on the call's page; the decision is sent in writing.",
        ],
        "de": [
            "Wer kann sich bewerben: Organisationen mit Betriebssitz in der Wallonie, die zu den Zielgruppen des Aufrufs gehören.",
            "Wie: online, auf diesem Portal, vor dem Einsendeschluss (Brüsseler Zeit). Ein eingereichter Antrag kann nicht mehr geändert werden, es sei denn, die Agence du Numérique verlangt es.",
            "Auswahl: Jeder zulässige Antrag wird nach den auf der Seite des Aufrufs veröffentlichten Kriterien bewertet; die Entscheidung wird schriftlich mitgeteilt.",
        ],
    },
}
TEMPLATES = {
    Programme.Code.START_IA: {
        "kind": CallDocument.Kind.TEMPLATE,
        "title": {
            "fr": "Modèle de plan d'action",
            "en": "Action plan template",
            "de": "Vorlage für den Aktionsplan",
        },
        "file_name": "modele-plan-action.pdf",
        "sections": {
            "fr": [
                "1. Vos activités et vos enjeux. 2. Les opportunités d'IA repérées avec l'expert. 3. Les actions prioritaires, leur coût et leur calendrier. 4. Les données nécessaires.",
            ],
            "en": [
                "1. Your activities and challenges. 2. The AI opportunities found with the expert. 3. The priority actions, their cost and their timetable. 4. The data needed.",
            ],
            "de": [
                "1. Ihre Tätigkeiten und Herausforderungen. 2. Die mit dem Experten gefundenen KI-Chancen. 3. Die vorrangigen Maßnahmen, ihre Kosten und ihr Zeitplan. 4. Die benötigten Daten.",
            ],
        },
    },
    "project": {
        "kind": CallDocument.Kind.TEMPLATE,
        "title": {
            "fr": "Modèle de description du projet",
            "en": "Project description template",
            "de": "Vorlage für die Projektbeschreibung",
        },
        "file_name": "modele-description-projet.pdf",
        "sections": {
            "fr": [
                "1. Le cas d'usage et ses bénéfices attendus. 2. Les données disponibles. 3. L'approche et le plan de travail. 4. L'équipe et le prestataire. 5. La feuille de route vers la production.",
            ],
            "en": [
                "1. The use case and its expected benefits. 2. The data available. 3. The approach and the work plan. 4. The team and the provider. 5. The roadmap to production.",
            ],
            "de": [
                "1. Der Anwendungsfall und sein erwarteter Nutzen. 2. Die verfügbaren Daten. 3. Der Ansatz und der Arbeitsplan. 4. Das Team und der Dienstleister. 5. Der Fahrplan zur Produktion.",
            ],
        },
    },
}
BUDGET_MODEL = {
    "kind": CallDocument.Kind.BUDGET_MODEL,
    "title": {"fr": "Modèle de budget", "en": "Budget model", "de": "Budgetvorlage"},
    "file_name": "modele-budget.xlsx",
}
# The budget model's rows: a cost line in each language.
BUDGET_LINES = [
    ("Personnel", "Staff", "Personal"),
    (
        "Sous-traitance (prestataire IA)",
        "Subcontracting (AI provider)",
        "Unteraufträge (KI-Dienstleister)",
    ),
    ("Matériel et logiciels", "Equipment and software", "Ausrüstung und Software"),
    ("Autres coûts", "Other costs", "Sonstige Kosten"),
]

# The FAQ: (question, answer) in each language, per programme.
FAQ = {
    Programme.Code.START_IA: [
        {
            "fr": (
                "Qui choisit l'expert ?",
                "Vous, parmi les sociétés reconnues de l'annuaire ; vous pouvez aussi laisser l'Agence du Numérique vous en proposer un.",
            ),
            "en": (
                "Who chooses the expert?",
                "You do, among the recognised companies of the directory; you may also let the Agence du Numérique propose one.",
            ),
            "de": (
                "Wer wählt den Experten?",
                "Sie, unter den anerkannten Unternehmen des Verzeichnisses; Sie können auch die Agence du Numérique einen vorschlagen lassen.",
            ),
        },
        {
            "fr": (
                "Combien coûte l'accompagnement ?",
                "La Région finance une part des jours d'expertise (le taux figure sur cette page) ; vous payez le solde directement à l'expert.",
            ),
            "en": (
                "How much does the support cost?",
                "The Region funds a share of the expert days (the rate is on this page); you pay the rest directly to the expert.",
            ),
            "de": (
                "Was kostet die Begleitung?",
                "Die Region finanziert einen Teil der Expertentage (der Satz steht auf dieser Seite); den Rest zahlen Sie direkt an den Experten.",
            ),
        },
    ],
    "project": [
        {
            "fr": (
                "Faut-il avoir suivi un Start IA ?",
                "Ce n'est pas obligatoire, mais un plan d'action Start IA aide à décrire le cas d'usage et il peut être joint à la demande.",
            ),
            "en": (
                "Must we have done a Start IA?",
                "It is not required, but a Start IA action plan helps describe the use case and may be attached to the application.",
            ),
            "de": (
                "Müssen wir ein Start IA absolviert haben?",
                "Das ist nicht Pflicht, aber ein Start-IA-Aktionsplan hilft, den Anwendungsfall zu beschreiben, und kann dem Antrag beigefügt werden.",
            ),
        },
        {
            "fr": (
                "Quels coûts sont éligibles ?",
                "Le personnel affecté au projet, la sous-traitance au prestataire IA, le matériel et les logiciels propres au projet : utilisez le modèle de budget de cette page.",
            ),
            "en": (
                "Which costs are eligible?",
                "Staff working on the project, subcontracting to the AI provider, equipment and software specific to the project: use the budget model on this page.",
            ),
            "de": (
                "Welche Kosten sind förderfähig?",
                "Das dem Projekt zugewiesene Personal, Unteraufträge an den KI-Dienstleister, projektspezifische Ausrüstung und Software: Verwenden Sie die Budgetvorlage auf dieser Seite.",
            ),
        },
    ],
}
FAQ_COMMON = {
    "fr": (
        "Puis-je enregistrer ma demande et la terminer plus tard ?",
        "Oui : chaque étape est enregistrée pendant que vous écrivez, et vous ou vos collègues la reprenez quand vous voulez, depuis n'importe quel appareil.",
    ),
    "en": (
        "Can I save my application and finish it later?",
        "Yes: each step is saved as you write, and you or your colleagues pick it up whenever you want, from any device.",
    ),
    "de": (
        "Kann ich meinen Antrag speichern und später abschließen?",
        "Ja: Jeder Schritt wird beim Schreiben gespeichert, und Sie oder Ihre Kollegen setzen ihn fort, wann Sie möchten, von jedem Gerät aus.",
    ),
}


def _kind(call: Call) -> str:
    """Start IA asks for an action plan; the other programmes describe a project."""
    return call.programme.code if call.programme.code == Programme.Code.START_IA else "project"


def _pdf(document: dict, call: Call) -> bytes:
    # The letterhead in French, the portal's first language; a section per language after it.
    with translation.override("fr"):
        return render_pdf(
            "programs/pdf/demo_document.html",
            {
                "title": document["title"]["fr"],
                "call": call,
                "sections": [
                    {"language": language, "title": document["title"][language], "paragraphs": p}
                    for language, p in document["sections"].items()
                ],
            },
        )


def _budget_model() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet.append(["Poste / Item / Posten", "FR", "EN", "DE", "EUR"])
    for fr, en, de in BUDGET_LINES:
        sheet.append(["", fr, en, de, 0])
    last = len(BUDGET_LINES) + 1
    sheet.append(["Total", "Total", "Total", "Gesamt", f"=SUM(E2:E{last})"])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _documents(call: Call) -> list[tuple[dict, bytes, str]]:
    """(document, content, content type) for the call's page; the PDFs rendered once per
    programme kind and reused (WeasyPrint takes a moment per page)."""
    template = TEMPLATES[_kind(call)]
    documents = [
        (REGULATIONS, _pdf(REGULATIONS, call), PDF_CONTENT_TYPE),
        (template, _pdf(template, call), PDF_CONTENT_TYPE),
    ]
    if FormSection.BUDGET in call.form_sections:
        documents.append((BUDGET_MODEL, _budget_model(), XLSX_CONTENT_TYPE))
    return documents


@transaction.atomic
def seed_call_pages(*, calls: list[Call], by: User) -> int:
    """The documents and FAQ of each call that has none yet (safe to run again: a call whose
    page staff already filled is left alone). Returns how many documents were added."""
    added = 0
    for call in calls:
        if not call.documents.exists():
            for position, (document, content, content_type) in enumerate(_documents(call), 1):
                services.call_document_add(
                    call=call,
                    upload=SimpleUploadedFile(
                        document["file_name"].format(slug=call.slug), content, content_type
                    ),
                    kind=document["kind"],
                    title_fr=document["title"]["fr"],
                    title_en=document["title"]["en"],
                    title_de=document["title"]["de"],
                    position=position,
                    by=by,
                )
                added += 1
        if not call.questions.exists():
            entries = [*FAQ[_kind(call)], FAQ_COMMON]
            services.call_questions_save(
                call=call,
                entries=[
                    {
                        "position": position,
                        **{f"question_{lang}": entry[lang][0] for lang in ("fr", "en", "de")},
                        **{f"answer_{lang}": entry[lang][1] for lang in ("fr", "en", "de")},
                    }
                    for position, entry in enumerate(entries, 1)
                ],
                by=by,
            )
    return added
