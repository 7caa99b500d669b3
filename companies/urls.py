from django.urls import path, re_path

from . import views

app_name = "companies"

urlpatterns = [
    path("experts/", views.expert_directory, name="expert_directory"),
    re_path(r"^experts/export\.(?P<fmt>csv|json)$", views.experts_export, name="experts_export"),
    path("experts/candidature/", views.expert_apply, name="expert_apply"),
    path("experts/mon-profil/", views.expert_profile, name="expert_profile"),
    path("experts/<slug:slug>/", views.expert_detail, name="expert_detail"),
    path("experts/<slug:slug>/logo/", views.expert_logo, name="expert_logo"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/rejoindre/", views.organisation_join, name="organisation_join"),
    path("organisations/revendiquer/", views.organisation_claim, name="organisation_claim"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<int:pk>/entreprises-liees/",
        views.organisation_structure,
        name="organisation_structure",
    ),
    path(
        "organisations/<int:pk>/activer/", views.organisation_activate, name="organisation_activate"
    ),
    path("organisations/<int:pk>/inviter/", views.organisation_invite, name="organisation_invite"),
    path(
        "organisations/<int:pk>/membres/<int:membership_pk>/retirer/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<int:pk>/demandes/<int:request_pk>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("espace-adn/experts/", views.staff_expert_list, name="staff_expert_list"),
    path("espace-adn/experts/<int:pk>/", views.staff_expert_detail, name="staff_expert_detail"),
    path(
        "espace-adn/experts/<int:pk>/modification/",
        views.staff_profile_change_decide,
        name="staff_profile_change_decide",
    ),
    path(
        "espace-adn/experts/<int:pk>/modification/logo/",
        views.staff_profile_change_logo,
        name="staff_profile_change_logo",
    ),
    path("espace-adn/revendications/", views.staff_claim_list, name="staff_claim_list"),
    path(
        "espace-adn/revendications/<int:pk>/", views.staff_claim_detail, name="staff_claim_detail"
    ),
    path(
        "espace-adn/revendications/<int:pk>/document/",
        views.staff_claim_document,
        name="staff_claim_document",
    ),
]
