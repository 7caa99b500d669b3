from django.db import migrations

SIGN = {
    "fr": "\n\nSuivez votre dossier : {{ url }}\n\nL'équipe du Portail ADN — Agence du Numérique",
    "en": "\n\nFollow your file: {{ url }}\n\nThe ADN Portal team — Agence du Numérique",
    "de": "\n\nVerfolgen Sie Ihren Antrag: {{ url }}\n\nDas Team des ADN-Portals — Agence du Numérique",
}
COMMENT = "{% if comment %}\n\n{{ comment }}{% endif %}"

TEMPLATES = {
    "selected": (
        ("{{ reference }} : votre projet est retenu", "Bonjour,\n\nBonne nouvelle : la demande {{ reference }} de {{ organisation }} à l'appel « {{ call }} » est retenue. L'AdN vous contacte pour la convention."),
        ("{{ reference }}: your project is selected", "Hello,\n\nGood news: the application {{ reference }} of {{ organisation }} to the call “{{ call }}” is selected. The AdN will contact you about the agreement."),
        ("{{ reference }}: Ihr Projekt wurde ausgewählt", "Guten Tag,\n\nGute Nachricht: Der Antrag {{ reference }} von {{ organisation }} zum Aufruf „{{ call }}“ wurde ausgewählt. Die AdN kontaktiert Sie wegen der Vereinbarung."),
    ),
    "rejected": (
        ("{{ reference }} : décision sur votre demande", "Bonjour,\n\nAprès évaluation, la demande {{ reference }} de {{ organisation }} à l'appel « {{ call }} » n'a pas été retenue."),
        ("{{ reference }}: decision on your application", "Hello,\n\nAfter assessment, the application {{ reference }} of {{ organisation }} to the call “{{ call }}” was not selected."),
        ("{{ reference }}: Entscheidung zu Ihrem Antrag", "Guten Tag,\n\nNach der Bewertung wurde der Antrag {{ reference }} von {{ organisation }} zum Aufruf „{{ call }}“ nicht ausgewählt."),
    ),
    "waitlisted": (
        ("{{ reference }} : votre demande est sur liste d'attente", "Bonjour,\n\nLa demande {{ reference }} de {{ organisation }} est de qualité mais le budget de l'appel « {{ call }} » est limité : elle est placée sur liste d'attente."),
        ("{{ reference }}: your application is on the waiting list", "Hello,\n\nThe application {{ reference }} of {{ organisation }} is of good quality but the budget of the call “{{ call }}” is limited: it is on the waiting list."),
        ("{{ reference }}: Ihr Antrag steht auf der Warteliste", "Guten Tag,\n\nDer Antrag {{ reference }} von {{ organisation }} ist gut, aber das Budget des Aufrufs „{{ call }}“ ist begrenzt: Er steht auf der Warteliste."),
    ),
    "ineligible": (
        ("{{ reference }} : votre demande n'est pas éligible", "Bonjour,\n\nLa demande {{ reference }} de {{ organisation }} ne remplit pas les conditions de l'appel « {{ call }} »."),
        ("{{ reference }}: your application is not eligible", "Hello,\n\nThe application {{ reference }} of {{ organisation }} does not meet the conditions of the call “{{ call }}”."),
        ("{{ reference }}: Ihr Antrag ist nicht förderfähig", "Guten Tag,\n\nDer Antrag {{ reference }} von {{ organisation }} erfüllt die Bedingungen des Aufrufs „{{ call }}“ nicht."),
    ),
    "report_sent_back": (
        ("{{ reference }} : votre rapport final est à compléter", "Bonjour,\n\nL'AdN vous renvoie le rapport final du dossier {{ reference }} : merci de le compléter."),
        ("{{ reference }}: please complete your final report", "Hello,\n\nThe AdN sends back the final report of the file {{ reference }}: please complete it."),
        ("{{ reference }}: Bitte ergänzen Sie Ihren Abschlussbericht", "Guten Tag,\n\nDie AdN schickt Ihnen den Abschlussbericht des Antrags {{ reference }} zurück: Bitte ergänzen Sie ihn."),
    ),
}


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("applications", "MessageTemplate")
    for kind, ((sfr, bfr), (sen, ben), (sde, bde)) in TEMPLATES.items():
        MessageTemplate.objects.update_or_create(
            kind=kind, programme=None,
            defaults={
                "subject_fr": sfr, "subject_en": sen, "subject_de": sde,
                "body_fr": bfr + COMMENT + SIGN["fr"], "body_en": ben + COMMENT + SIGN["en"], "body_de": bde + COMMENT + SIGN["de"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_application_granted_amount_and_more")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
