"""What the matching knows of the domain's words: the sectors of each NACE section, the
German-speaking communes, and the terms that call for each speciality."""

from companies.models import Sector, Speciality

# The SME's NACE section → the sectors experts say they serve (companies.models.Sector).
SECTORS_OF_NACE = {
    "A": Sector.AGRIFOOD,
    "B": Sector.ENERGY,
    "C": Sector.MANUFACTURING,
    "D": Sector.ENERGY,
    "E": Sector.ENERGY,
    "F": Sector.CONSTRUCTION,
    "G": Sector.RETAIL,
    "H": Sector.LOGISTICS,
    "I": Sector.TOURISM,
    "J": Sector.ICT,
    "K": Sector.FINANCE,
    "L": Sector.CONSTRUCTION,
    "M": Sector.SERVICES,
    "N": Sector.SERVICES,
    "O": Sector.PUBLIC,
    "P": Sector.PUBLIC,
    "Q": Sector.HEALTH,
    "R": Sector.TOURISM,
    "S": Sector.SERVICES,
}
# The German-speaking Community's communes (Eupen, Kelmis, Lontzen, Raeren, Bütgenbach,
# Büllingen, Amel, Sankt Vith, Burg-Reuland): an SME there works in German.
GERMAN_SPEAKING_POSTCODES = range(4700, 4800)

# What, in a text of needs, calls for each speciality: terms ("|" between them) in the three
# languages of the portal, each under its text search configuration. Matched by PostgreSQL's
# stemming ("inspections" finds "inspection"); every word of a term must appear.
SPECIALITY_TERMS: dict[str, dict[str, str]] = {
    Speciality.COMPUTER_VISION: {
        "french": "vision | image | caméra | photo | vidéo | inspection | défaut visuel | contrôle qualité | reconnaissance d'objets | comptage",
        "english": "vision | image | camera | photo | video | inspection | visual defect | quality control | object detection",
        "german": "Bild | Kamera | Foto | Video | Inspektion | Qualitätskontrolle | Sichtprüfung | Objekterkennung",
    },
    Speciality.NLP_GENAI: {
        "french": "texte | document | courriel | chatbot | assistant virtuel | traduction | résumé | IA générative | langage naturel | question des clients",
        "english": "text | document | email | chatbot | virtual assistant | translation | summary | generative AI | natural language | customer question",
        "german": "Text | Dokument | E-Mail | Chatbot | Übersetzung | Zusammenfassung | generative KI | Kundenanfrage",
    },
    Speciality.FORECASTING: {
        "french": "prévision | prévoir | demande | maintenance prédictive | panne | anticiper | stock | ventes",
        "english": "forecast | predict | demand | predictive maintenance | breakdown | failure | stock | sales",
        "german": "Prognose | vorhersagen | Nachfrage | vorausschauende Wartung | Ausfall | Lagerbestand | Absatz",
    },
    Speciality.OPTIMISATION: {
        "french": "optimisation | optimiser | planification | planning | tournée | ordonnancement | horaire | logistique",
        "english": "optimisation | optimization | optimise | scheduling | planning | routing | logistics",
        "german": "Optimierung | optimieren | Planung | Tourenplanung | Logistik",
    },
    Speciality.PROCESS_AUTOMATION: {
        "french": "automatiser | automatisation | tâche répétitive | encodage | facture | processus | administratif | saisie",
        "english": "automate | automation | repetitive task | invoice | process | data entry | paperwork",
        "german": "automatisieren | Automatisierung | Rechnung | Prozess | Dateneingabe",
    },
    Speciality.DATA_ENGINEERING: {
        "french": "base de données | ERP | tableau de bord | entrepôt de données | qualité des données | intégration | Excel",
        "english": "database | ERP | dashboard | data warehouse | data quality | integration | spreadsheet",
        "german": "Datenbank | ERP | Dashboard | Datenqualität | Integration",
    },
    Speciality.RECOMMENDER: {
        "french": "recommandation | recommander | personnalisation | personnaliser | suggestion | panier",
        "english": "recommendation | recommend | personalisation | personalization | suggestion | basket",
        "german": "Empfehlung | empfehlen | Personalisierung | Warenkorb",
    },
    Speciality.STRATEGY: {
        "french": "stratégie | feuille de route | gouvernance | RGPD | AI Act | éthique | priorité",
        "english": "strategy | roadmap | governance | GDPR | AI Act | ethics | priority",
        "german": "Strategie | Fahrplan | Governance | DSGVO | Ethik | Priorität",
    },
    Speciality.SPEECH: {
        "french": "voix | vocal | parole | audio | téléphone | transcription",
        "english": "voice | speech | audio | phone | transcription",
        "german": "Stimme | Spracherkennung | Audio | Telefon | Transkription",
    },
    Speciality.ROBOTICS: {
        "french": "robot | robotique | bras robotisé | capteur | embarqué | drone",
        "english": "robot | robotics | robotic arm | sensor | embedded | drone",
        "german": "Roboter | Robotik | Sensor | eingebettet | Drohne",
    },
}


def speciality_terms() -> list[tuple[str, str, str]]:
    """(speciality, text search configuration, term) for every term of the table."""
    return [
        (speciality, config, term.strip())
        for speciality, by_config in SPECIALITY_TERMS.items()
        for config, terms in by_config.items()
        for term in terms.split("|")
    ]
