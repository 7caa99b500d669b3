from django.urls import path

from .views import (
    applicant,
    drafts,
    expert,
    follow_up,
    form_builder,
    printouts,
    public,
    staff,
    staff_follow_up,
)

app_name = "applications"

urlpatterns = [
    path("dossiers/", applicant.my_applications, name="my_applications"),
    path("compte/mes-donnees/", applicant.my_data, name="my_data"),
    path("compte/effacer/", applicant.erase_account, name="erase_account"),
    path("appels/<slug:call_slug>/demande/", drafts.start, name="start"),
    path("dossiers/<int:pk>/", applicant.detail, name="detail"),
    path("dossiers/<int:pk>/etapes/<slug:step>/", drafts.step, name="step"),
    path("dossiers/<int:pk>/etapes/<slug:step>/brouillon/", drafts.autosave, name="step_autosave"),
    path("dossiers/<int:pk>/relecture/", drafts.review, name="review"),
    path("dossiers/<int:pk>/introduire/", drafts.submit, name="submit"),
    path("experts/<slug:slug>/choisir/", drafts.choose_expert, name="choose_expert"),
    path("dossiers/<int:pk>/retirer/", applicant.withdraw, name="withdraw"),
    path("dossiers/<int:pk>/supprimer/", applicant.delete_draft, name="delete_draft"),
    path("dossiers/<int:pk>/reponse/", applicant.answer, name="answer"),
    path("dossiers/<int:pk>/messages/", applicant.message_send, name="message_send"),
    path(
        "dossiers/<int:pk>/messages/documents/<int:attachment_pk>/",
        applicant.message_attachment,
        name="message_attachment",
    ),
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
        "espace-adn/dossiers/<int:pk>/messages/",
        staff.conversation_page,
        name="staff_conversation",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/messages/documents/<int:attachment_pk>/",
        staff.message_attachment,
        name="staff_message_attachment",
    ),
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
        "espace-adn/dossiers/<int:pk>/conflit-d-interets/",
        staff.application_declaration,
        name="staff_application_declaration",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/evaluations/",
        staff.application_reviews,
        name="staff_application_reviews",
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
    # The expert company of a Start IA file: its files and their conversations
    path("espace-expert/dossiers/", expert.expert_applications, name="expert_applications"),
    path(
        "espace-expert/dossiers/<int:pk>/messages/",
        expert.expert_conversation,
        name="expert_conversation",
    ),
    path(
        "espace-expert/dossiers/<int:pk>/messages/documents/<int:attachment_pk>/",
        expert.expert_message_attachment,
        name="expert_message_attachment",
    ),
]

# After selection (docs/domain.md, After selection): the agreement, the payments, the follow-up.
urlpatterns += [
    path(
        "dossiers/<int:pk>/convention/<int:agreement_pk>/",
        follow_up.agreement_download,
        name="agreement",
    ),
    path(
        "dossiers/<int:pk>/convention/<int:agreement_pk>/signee/",
        follow_up.agreement_sign,
        name="agreement_sign",
    ),
    path(
        "dossiers/<int:pk>/documents-suivi/<int:document_pk>/",
        follow_up.document_download,
        name="follow_up_document",
    ),
    path(
        "dossiers/<int:pk>/jalons/<int:milestone_pk>/",
        follow_up.milestone_report,
        name="milestone_report",
    ),
    path(
        "dossiers/<int:pk>/diagnostic/confirmer/",
        follow_up.diagnostic_confirm,
        name="diagnostic_confirm",
    ),
    path(
        "dossiers/<int:pk>/enquete-de-suivi/", follow_up.follow_up_survey, name="follow_up_survey"
    ),
    path(
        "dossiers/<int:pk>/paiements/nouveau/",
        follow_up.payment_request_create,
        name="payment_request_create",
    ),
    path(
        "dossiers/<int:pk>/paiements/<int:request_pk>/",
        follow_up.payment_request_detail,
        name="payment_request",
    ),
    path(
        "dossiers/<int:pk>/paiements/<int:request_pk>/pieces/",
        follow_up.payment_line_add,
        name="payment_line_add",
    ),
    path(
        "dossiers/<int:pk>/paiements/<int:request_pk>/introduire/",
        follow_up.payment_request_submit,
        name="payment_request_submit",
    ),
    path(
        "espace-expert/dossiers/<int:pk>/suivi/",
        follow_up.expert_follow_up,
        name="expert_follow_up",
    ),
    path(
        "espace-expert/dossiers/<int:pk>/suivi/diagnostic/",
        follow_up.expert_diagnostic_save,
        name="expert_diagnostic_save",
    ),
    path(
        "espace-expert/dossiers/<int:pk>/suivi/documents/<int:document_pk>/",
        follow_up.expert_document_download,
        name="expert_follow_up_document",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/convention/<int:agreement_pk>/",
        staff_follow_up.agreement_download,
        name="staff_agreement",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/convention/<int:agreement_pk>/contresignee/",
        staff_follow_up.agreement_countersign,
        name="staff_agreement_countersign",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/convention/<int:agreement_pk>/signatures/",
        staff_follow_up.agreement_signatures,
        name="staff_agreement_signatures",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/avenant/",
        staff_follow_up.agreement_amend,
        name="staff_agreement_amend",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/documents-suivi/<int:document_pk>/",
        staff_follow_up.document_download,
        name="staff_follow_up_document",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/diagnostic/",
        staff_follow_up.diagnostic_decide,
        name="staff_diagnostic_decide",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/paiements/<int:request_pk>/",
        staff_follow_up.payment_request_detail,
        name="staff_payment_request",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/paiements/<int:request_pk>/verification/",
        staff_follow_up.payment_request_check,
        name="staff_payment_request_check",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/paiements/<int:request_pk>/decision/",
        staff_follow_up.payment_request_decide,
        name="staff_payment_request_decide",
    ),
    path(
        "espace-adn/dossiers/<int:pk>/paiements/<int:request_pk>/paiement/",
        staff_follow_up.payment_record,
        name="staff_payment_record",
    ),
    path("espace-adn/paiements/", staff_follow_up.accounting, name="staff_accounting"),
]

# A call's application form, built by its programme's managers (docs/domain.md, Application
# forms): under the call's staff pages (programs/urls.py).
urlpatterns += [
    path(
        "espace-adn/appels/<slug:slug>/formulaire/",
        form_builder.form_builder,
        name="staff_form_builder",
    ),
    path(
        "espace-adn/appels/<slug:slug>/formulaire/apercu/",
        form_builder.form_builder_preview,
        name="staff_form_builder_preview",
    ),
    path(
        "espace-adn/appels/<slug:slug>/formulaire/etapes/<slug:step>/",
        form_builder.form_builder_step,
        name="staff_form_builder_step",
    ),
]
