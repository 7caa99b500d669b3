from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .models import ApplicantMessage, Application, ApplicationEvent, Attachment


def files_of_organisation(organisation) -> QuerySet[Application]:
    """ "My files": the organisation's files with what each row shows, in one query."""
    return (
        Application.objects.filter(organisation=organisation)
        .select_related("call__programme")
        .order_by("-created_at")
    )


def file_for_member(*, user, pk: int) -> Application:
    """Any file of the user's organisations; another organisation's file is a 404."""
    return get_object_or_404(
        Application.objects.for_member(user).select_related(
            "call__programme", "organisation", "programme", "expert__organisation"
        ),
        pk=pk,
    )


def file_page(*, user, pk: int) -> Application:
    """The file page's data in a fixed number of queries, whatever its history's length."""
    application = get_object_or_404(
        Application.objects.for_member(user)
        .select_related("call__programme", "organisation", "expert__organisation", "programme")
        .annotate(version_count=Count("versions", distinct=True))
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(visible_to_applicant=True)
                .select_related("by")
                .order_by("-at", "-pk"),
                to_attr="timeline",
            ),
            Prefetch(
                "messages",
                queryset=ApplicantMessage.objects.order_by("-created_at"),
                to_attr="message_list",
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("version").order_by("uploaded_at"),
                to_attr="documents",
            ),
        ),
        pk=pk,
    )
    return application


def attachment_for_member(*, user, pk: int, attachment_pk: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.filter(application__in=Application.objects.for_member(user)),
        pk=attachment_pk,
        application_id=pk,
    )
