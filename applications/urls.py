from django.urls import path

from . import staff_views, views

app_name = "applications"

urlpatterns = [
    path("dossiers/", views.my_files, name="my_files"),
    path("compte/mes-donnees/", views.my_data, name="my_data"),
    path("compte/effacer/", views.erase_account, name="erase_account"),
    path("appels/<slug:call_slug>/demande/", views.start, name="start"),
    path("dossiers/<int:pk>/", views.detail, name="detail"),
    path("dossiers/<int:pk>/etapes/<slug:step>/", views.step, name="step"),
    path("dossiers/<int:pk>/introduire/", views.submit, name="submit"),
    path("dossiers/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("dossiers/<int:pk>/supprimer/", views.delete_draft, name="delete_draft"),
    path("dossiers/<int:pk>/reponse/", views.answer, name="answer"),
    path("dossiers/<int:pk>/rapport/", views.report, name="report"),
    path("dossiers/<int:pk>/documents/", views.attachment_upload, name="attachment_upload"),
    path(
        "dossiers/<int:pk>/documents/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "dossiers/<int:pk>/documents/<int:attachment_pk>/supprimer/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    # The AdN staff's interface
    path("espace-adn/dossiers/", staff_views.queue, name="staff_queue"),
    path("espace-adn/dossiers/lot/", staff_views.queue_batch, name="staff_queue_batch"),
    path("espace-adn/dossiers/<int:pk>/", staff_views.file, name="staff_file"),
    path(
        "espace-adn/dossiers/<int:pk>/statut/", staff_views.file_transition, name="staff_transition"
    ),
    path("espace-adn/dossiers/<int:pk>/decision/", staff_views.file_decide, name="staff_decide"),
    path(
        "espace-adn/dossiers/<int:pk>/demande-info/",
        staff_views.file_request_information,
        name="staff_request_information",
    ),
    path("espace-adn/dossiers/<int:pk>/notes/", staff_views.file_score, name="staff_score"),
    path("espace-adn/dossiers/<int:pk>/note-interne/", staff_views.file_note, name="staff_note"),
    path("espace-adn/dossiers/<int:pk>/attribution/", staff_views.file_assign, name="staff_assign"),
    path(
        "espace-adn/dossiers/<int:pk>/expert/",
        staff_views.file_assign_expert,
        name="staff_assign_expert",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/documents/<int:attachment_pk>/",
        staff_views.file_attachment,
        name="staff_attachment",
    ),
    path("espace-adn/exports/", staff_views.exports, name="staff_exports"),
    path("espace-adn/exports/nouveau/", staff_views.export_create, name="staff_export_create"),
    path(
        "espace-adn/exports/<int:export_pk>/",
        staff_views.export_download,
        name="staff_export_download",
    ),
]
