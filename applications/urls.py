from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("dossiers/", views.my_files, name="my_files"),
    path("appels/<slug:call_slug>/demande/", views.start, name="start"),
    path("dossiers/<int:pk>/", views.detail, name="detail"),
    path("dossiers/<int:pk>/etapes/<slug:step>/", views.step, name="step"),
    path("dossiers/<int:pk>/introduire/", views.submit, name="submit"),
    path("dossiers/<int:pk>/retirer/", views.withdraw, name="withdraw"),
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
]
