from django.urls import path

from .views import applicant, printouts, public, staff

app_name = "applications"

urlpatterns = [
    path("dossiers/", applicant.my_applications, name="my_applications"),
    path("compte/mes-donnees/", applicant.my_data, name="my_data"),
    path("compte/effacer/", applicant.erase_account, name="erase_account"),
    path("appels/<slug:call_slug>/demande/", applicant.start, name="start"),
    path("dossiers/<int:pk>/", applicant.detail, name="detail"),
    path("dossiers/<int:pk>/etapes/<slug:step>/", applicant.step, name="step"),
    path("dossiers/<int:pk>/introduire/", applicant.submit, name="submit"),
    path("dossiers/<int:pk>/retirer/", applicant.withdraw, name="withdraw"),
    path("dossiers/<int:pk>/supprimer/", applicant.delete_draft, name="delete_draft"),
    path("dossiers/<int:pk>/reponse/", applicant.answer, name="answer"),
    path("dossiers/<int:pk>/rapport/", applicant.report, name="report"),
    path("dossiers/<int:pk>/documents/", applicant.attachment_upload, name="attachment_upload"),
    path(
        "dossiers/<int:pk>/documents/<int:attachment_pk>/",
        applicant.attachment_download,
        name="attachment",
    ),
    path(
        "dossiers/<int:pk>/documents/<int:attachment_pk>/supprimer/",
        applicant.attachment_remove,
        name="attachment_remove",
    ),
    # "Which programme for me?", before any sign-up
    path("quel-programme/", public.programme_finder, name="programme_finder"),
    # The file's printouts (PDF): a submitted version, a decision letter
    path(
        "dossiers/<int:pk>/versions/<int:number>/pdf/",
        printouts.version_pdf,
        name="version_pdf",
    ),
    path(
        "dossiers/<int:pk>/decisions/<int:message_pk>/pdf/",
        printouts.decision_letter_pdf,
        name="decision_letter_pdf",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/versions/<int:number>/pdf/",
        printouts.staff_version_pdf,
        name="staff_version_pdf",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/decisions/<int:message_pk>/pdf/",
        printouts.staff_decision_letter_pdf,
        name="staff_decision_letter_pdf",
    ),
    # The AdN staff's interface (French paths, as users see them; "notes" are the scores)
    path("espace-adn/dossiers/", staff.queue, name="staff_queue"),
    path("espace-adn/dossiers/lot/", staff.queue_batch, name="staff_queue_batch"),
    path("espace-adn/dossiers/<int:pk>/", staff.application_detail, name="staff_application"),
    path(
        "espace-adn/dossiers/<int:pk>/statut/",
        staff.application_transition,
        name="staff_application_transition",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/decision/",
        staff.application_decide,
        name="staff_application_decide",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/demande-info/",
        staff.application_request_information,
        name="staff_application_request_information",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/notes/",
        staff.application_score,
        name="staff_application_score",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/note-interne/",
        staff.application_note,
        name="staff_application_note",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/attribution/",
        staff.application_assign,
        name="staff_application_assign",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/expert/",
        staff.application_assign_expert,
        name="staff_application_assign_expert",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/documents/<int:attachment_pk>/",
        staff.application_attachment,
        name="staff_application_attachment",
    ),
    path("espace-adn/exports/", staff.exports, name="staff_exports"),
    path("espace-adn/exports/nouveau/", staff.export_create, name="staff_export_create"),
    path(
        "espace-adn/exports/<int:export_pk>/",
        staff.export_download,
        name="staff_export_download",
    ),
]
