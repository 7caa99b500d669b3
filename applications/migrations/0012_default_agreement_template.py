from django.db import migrations

TITLE = {
    "fr": "Convention de soutien — {{ programme }}",
    "en": "Support agreement — {{ programme }}",
    "de": "Fördervereinbarung — {{ programme }}",
}
BODY = {
    "fr": (
        "Article 1 — Objet. L'Agence du Numérique, pour la Région wallonne, soutient le projet "
        "« {{ title }} » de {{ organisation }} (numéro d'entreprise {{ enterprise_number }}), "
        "retenu à l'appel « {{ call }} » sous la référence {{ reference }}.\n\n"
        "Article 2 — Montant. Le soutien s'élève à {{ amount }} EUR au plus, soit {{ funding_rate }} % "
        "des coûts éligibles, dans la limite du plafond de l'appel.\n\n"
        "Article 3 — Durée. Le projet se déroule du {{ starts_on }} au {{ ends_on }}.\n\n"
        "Article 4 — Paiements. Les paiements suivent l'échéancier ci-dessus, sur demande "
        "accompagnée des factures et états de frais, après vérification par l'AdN.\n\n"
        "Article 5 — Suivi. Le bénéficiaire remet les rapports prévus et répond à l'enquête de "
        "résultats à la fin du projet et douze mois plus tard."
    ),
    "en": (
        "Article 1 — Purpose. The Agence du Numérique, for the Walloon Region, supports the project "
        "“{{ title }}” of {{ organisation }} (enterprise number {{ enterprise_number }}), selected in "
        "the call “{{ call }}” under the reference {{ reference }}.\n\n"
        "Article 2 — Amount. The support amounts to {{ amount }} EUR at most, that is {{ funding_rate }} % "
        "of the eligible costs, within the call's ceiling.\n\n"
        "Article 3 — Duration. The project runs from {{ starts_on }} to {{ ends_on }}.\n\n"
        "Article 4 — Payments. Payments follow the schedule above, on request with the invoices "
        "and expense statements, once checked by the AdN.\n\n"
        "Article 5 — Follow-up. The beneficiary hands in the reports foreseen and answers the outcome "
        "survey at the end of the project and twelve months later."
    ),
    "de": (
        "Artikel 1 — Gegenstand. Die Agence du Numérique unterstützt für die Wallonische Region das "
        "Projekt „{{ title }}“ von {{ organisation }} (Unternehmensnummer {{ enterprise_number }}), "
        "ausgewählt im Aufruf „{{ call }}“ unter dem Aktenzeichen {{ reference }}.\n\n"
        "Artikel 2 — Betrag. Die Förderung beträgt höchstens {{ amount }} EUR, d. h. {{ funding_rate }} % "
        "der förderfähigen Kosten, im Rahmen der Obergrenze des Aufrufs.\n\n"
        "Artikel 3 — Laufzeit. Das Projekt läuft vom {{ starts_on }} bis zum {{ ends_on }}.\n\n"
        "Artikel 4 — Zahlungen. Die Zahlungen folgen dem obigen Zahlungsplan, auf Antrag mit den "
        "Rechnungen und Kostenaufstellungen, nach Prüfung durch die AdN.\n\n"
        "Artikel 5 — Begleitung. Der Begünstigte reicht die vorgesehenen Berichte ein und beantwortet "
        "die Ergebnisumfrage am Ende des Projekts und zwölf Monate später."
    ),
}


def create(apps, schema_editor):
    AgreementTemplate = apps.get_model("applications", "AgreementTemplate")
    if not AgreementTemplate.objects.filter(programme__isnull=True).exists():
        AgreementTemplate.objects.create(
            programme=None,
            **{f"title_{code}": text for code, text in TITLE.items()},
            **{f"body_{code}": text for code, text in BODY.items()},
        )


class Migration(migrations.Migration):
    dependencies = [("applications", "0011_after_selection")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
