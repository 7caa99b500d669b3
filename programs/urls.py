from django.urls import path

from .views import public, staff

app_name = "programs"

urlpatterns = [
    path("", public.home, name="home"),
    path("programmes/<slug:slug>/", public.programme_detail, name="programme_detail"),
    path("appels/<slug:slug>/", public.call_detail, name="call_detail"),
    path(
        "appels/<slug:slug>/documents/<int:document_pk>/",
        public.call_document,
        name="call_document",
    ),
    # The staff's pages of calls: documents, FAQ and contact
    path("espace-adn/appels/", staff.calls, name="staff_calls"),
    path("espace-adn/appels/<slug:slug>/", staff.call_content, name="staff_call_content"),
    path(
        "espace-adn/appels/<slug:slug>/documents/",
        staff.call_document_add,
        name="staff_call_document_add",
    ),
    path(
        "espace-adn/appels/<slug:slug>/documents/<int:document_pk>/supprimer/",
        staff.call_document_remove,
        name="staff_call_document_remove",
    ),
    path("espace-adn/appels/<slug:slug>/faq/", staff.call_questions, name="staff_call_questions"),
    path("espace-adn/appels/<slug:slug>/contact/", staff.call_contact, name="staff_call_contact"),
    path(
        "espace-adn/appels/<slug:slug>/evaluation/",
        staff.call_review_form,
        name="staff_call_review_form",
    ),
    path(
        "espace-adn/appels/<slug:slug>/evaluation/copie/",
        staff.call_review_form_copy,
        name="staff_call_review_form_copy",
    ),
]
