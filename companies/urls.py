from django.urls import path, re_path

from .views import owner, public, staff

app_name = "companies"

urlpatterns = [
    path("experts/", public.expert_directory, name="expert_directory"),
    re_path(r"^experts/export\.(?P<fmt>csv|json)$", public.experts_export, name="experts_export"),
    path("experts/candidature/", owner.expert_apply, name="expert_apply"),
    path("experts/mon-profil/", owner.expert_profile, name="expert_profile"),
    path("experts/<slug:slug>/", public.expert_detail, name="expert_detail"),
    path("experts/<slug:slug>/logo/", public.expert_logo, name="expert_logo"),
    path("organisations/", owner.organisation_list, name="organisation_list"),
    path("organisations/nouvelle/", owner.organisation_create, name="organisation_create"),
    path("organisations/rejoindre/", owner.organisation_join, name="organisation_join"),
    path("organisations/revendiquer/", owner.organisation_claim, name="organisation_claim"),
    path("organisations/<int:pk>/", owner.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/modifier/", owner.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<int:pk>/entreprises-liees/",
        owner.organisation_structure,
        name="organisation_structure",
    ),
    path(
        "organisations/<int:pk>/activer/", owner.organisation_activate, name="organisation_activate"
    ),
    path("organisations/<int:pk>/inviter/", owner.organisation_invite, name="organisation_invite"),
    path(
        "organisations/<int:pk>/membres/<int:membership_pk>/retirer/",
        owner.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<int:pk>/demandes/<int:request_pk>/",
        owner.join_request_decide,
        name="join_request_decide",
    ),
    path("invitations/<str:token>/", owner.invitation_accept, name="invitation_accept"),
    path("espace-adn/experts/", staff.staff_expert_list, name="staff_expert_list"),
    path("espace-adn/experts/<int:pk>/", staff.staff_expert_detail, name="staff_expert_detail"),
    path(
        "espace-adn/experts/<int:pk>/modification/",
        staff.staff_profile_change_decide,
        name="staff_profile_change_decide",
    ),
    path(
        "espace-adn/experts/<int:pk>/modification/logo/",
        staff.staff_profile_change_logo,
        name="staff_profile_change_logo",
    ),
    path("espace-adn/revendications/", staff.staff_claim_list, name="staff_claim_list"),
    path(
        "espace-adn/revendications/<int:pk>/", staff.staff_claim_detail, name="staff_claim_detail"
    ),
    path(
        "espace-adn/revendications/<int:pk>/document/",
        staff.staff_claim_document,
        name="staff_claim_document",
    ),
]
