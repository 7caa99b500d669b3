from django.db import migrations

PROGRAMMES = [
    {
        "code": "START",
        "slug": "start-ia",
        "name": "Start IA",
        "position": 1,
        "tagline_fr": "5 jours avec un expert IA reconnu pour trouver vos opportunités et bâtir un plan d'action.",
        "tagline_en": "5 days with a recognised AI expert to find your opportunities and build an action plan.",
        "tagline_de": "5 Tage mit einem anerkannten KI-Experten, um Ihre Chancen zu finden und einen Aktionsplan zu erstellen.",
        "description_fr": (
            "Start IA est un accompagnement de 5 jours par un expert en intelligence artificielle "
            "reconnu par l'Agence du Numérique. Ensemble, vous identifiez des usages concrets de l'IA "
            "dans votre organisation et vous repartez avec un plan d'action. Les jours d'expertise "
            "sont financés par la Région wallonne. Des éditions existent pour les entreprises et pour "
            "les pouvoirs publics (communes, provinces), ainsi que des éditions thématiques."
        ),
        "description_en": (
            "Start IA is a 5-day accompaniment by an artificial intelligence expert recognised by the "
            "Agence du Numérique. Together you find concrete uses of AI in your organisation and leave "
            "with an action plan. The expert days are funded by the Walloon Region. Editions exist for "
            "companies and for public bodies (municipalities, provinces), as well as themed editions."
        ),
        "description_de": (
            "Start IA ist eine 5-tägige Begleitung durch einen von der Agence du Numérique anerkannten "
            "Experten für künstliche Intelligenz. Gemeinsam finden Sie konkrete KI-Anwendungen in Ihrer "
            "Organisation und erhalten einen Aktionsplan. Die Expertentage werden von der Wallonischen "
            "Region finanziert. Es gibt Ausgaben für Unternehmen und für öffentliche Einrichtungen "
            "(Gemeinden, Provinzen) sowie thematische Ausgaben."
        ),
    },
    {
        "code": "TREMPLIN",
        "slug": "tremplin-ia",
        "name": "Tremplin IA",
        "position": 2,
        "tagline_fr": "Une preuve de concept ou un projet pilote IA financé, et la feuille de route vers la production.",
        "tagline_en": "A funded AI proof of concept or pilot project, and the roadmap to production.",
        "tagline_de": "Ein finanzierter KI-Machbarkeitsnachweis oder ein Pilotprojekt und der Fahrplan zur Produktion.",
        "description_fr": (
            "Tremplin IA finance une preuve de concept ou un projet pilote mené avec un prestataire en "
            "IA, et la feuille de route pour passer en production. Les appels à projets ont une date "
            "limite ; le taux de financement, le plafond et la durée sont fixés par chaque appel. Des "
            "éditions existent pour les entreprises et pour les services publics."
        ),
        "description_en": (
            "Tremplin IA funds a proof of concept or a pilot project carried out with an AI provider, "
            "and the roadmap to production. Calls for projects have a deadline; the funding rate, "
            "ceiling and duration are set by each call. Editions exist for companies and for public "
            "services."
        ),
        "description_de": (
            "Tremplin IA finanziert einen Machbarkeitsnachweis oder ein Pilotprojekt mit einem "
            "KI-Dienstleister sowie den Fahrplan zur Produktion. Projektaufrufe haben eine Frist; "
            "Förderquote, Obergrenze und Dauer legt jeder Aufruf fest. Es gibt Ausgaben für "
            "Unternehmen und für öffentliche Dienste."
        ),
    },
    {
        "code": "CAP",
        "slug": "cap-ia",
        "name": "Cap IA",
        "position": 3,
        "tagline_fr": "Mettre votre projet d'IA en production ou sur le marché.",
        "tagline_en": "Take your AI project into production or to market.",
        "tagline_de": "Ihr KI-Projekt in Produktion oder auf den Markt bringen.",
        "description_fr": (
            "Cap IA accompagne la mise en production ou la mise sur le marché d'un projet d'intelligence "
            "artificielle, souvent après Start IA et Tremplin IA. Les conditions sont fixées par chaque "
            "appel."
        ),
        "description_en": (
            "Cap IA supports taking an artificial intelligence project into production or to market, "
            "often after Start IA and Tremplin IA. The conditions are set by each call."
        ),
        "description_de": (
            "Cap IA begleitet die Inbetriebnahme oder Markteinführung eines Projekts der künstlichen "
            "Intelligenz, oft nach Start IA und Tremplin IA. Die Bedingungen legt jeder Aufruf fest."
        ),
    },
]


def create_programmes(apps, schema_editor):
    Programme = apps.get_model("programs", "Programme")
    previous = None
    for data in PROGRAMMES:
        programme, _created = Programme.objects.update_or_create(
            code=data["code"], defaults={**data, "previous": previous}
        )
        previous = programme


def delete_programmes(apps, schema_editor):
    apps.get_model("programs", "Programme").objects.filter(
        code__in=[p["code"] for p in PROGRAMMES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(create_programmes, delete_programmes)]
