"""The applicants' and staff's API: every write goes through the same services as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from adn_portal.accounts.api import Idempotent, NotFoundUnless
from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.permissions import STAFF, has_role
from adn_portal.lib.api import (
    ETAG,
    EXISTING_LOCATION,
    IF_MATCH,
    LOCATION,
    CappedCursorPagination,
    JSONParser,
    error,
)
from adn_portal.lib.form_api import check_body, validated
from adn_portal.lib.numbers import whole_number
from adn_portal.lib.uploads import upload_refusal

from .. import conversation, eligibility, guards, selectors, services
from ..filters import QueueApiFilter
from ..forms.staff import CONFIRMATION_REQUIRED, AssignmentForm
from ..models import Application, Export, Side
from ..services import ApplicationError, DraftConflict, SubmissionRefused
from ..steps import step_by_slug
from ..workflow import Status
from . import serializers as s
from .step_bodies import step_body_check

EXPORT_TYPES = {
    Export.Format.CSV: "text/csv",
    Export.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# The routes that take an upload: multipart only (a file's documents), or JSON and multipart
# (a message, with its document at most), each body its own component in the schema.
UPLOAD_PARSERS = [MultiPartParser]
MESSAGE_PARSERS = [JSONParser, MultiPartParser]

# One message or document of a file. The route takes any text up to the next slash, read by
# whole_number: a value that is not an id is a 404, never a 500 nor another route.
MESSAGE_PATH = r"messages/(?P<message_id>[^/.]+)"
ATTACHMENT_PATH = r"attachments/(?P<attachment_id>[^/.]+)"
MESSAGE_ID = OpenApiParameter(
    "message_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The message's `id`."
)
ATTACHMENT_ID = OpenApiParameter(
    "attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The document's `id`."
)


def _refused(exc: ApplicationError):
    if isinstance(exc, SubmissionRefused):
        return Response(
            {
                "status": 422,
                "errors": [
                    {"field": c.rule, "code": "check_failed", "message": c.message}
                    for c in exc.checks
                    if not c.passed
                ],
            },
            status=422,
        )
    if isinstance(exc, DraftConflict):
        return error(str(exc), code="conflict", status_code=status.HTTP_409_CONFLICT)
    return error(str(exc), code="refused", status_code=status.HTTP_409_CONFLICT)


def _file_url(request, application: Application) -> str:
    return request.build_absolute_uri(reverse("api:application-detail", args=[application.pk]))


def _already_open(request, existing: Application) -> Response:
    response = error(
        _("The organisation already has an open file of this programme: %(file)s.")
        % {"file": existing.reference or f"#{existing.pk}"},
        code="already_open",
        field="call",
        status_code=status.HTTP_409_CONFLICT,
    )
    response["Location"] = _file_url(request, existing)
    return response


def _etag(application: Application) -> str:
    """The file's version as an entity tag: it changes with every save, as `version` does."""
    return f'"{application.pk}-{application.version}"'


def _with_etag(response: Response, application: Application) -> Response:
    response["ETag"] = _etag(application)
    return response


def _precondition_refusal(request, application: Application) -> Response | None:
    """`If-Match` (RFC 9110): the save goes ahead only if the file is still the one the caller
    read (its ETag, or `*`); otherwise 412, nothing read or stored."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" in tags or _etag(application) in tags:
        return None
    return _with_etag(
        error(
            _("The file changed since you read it: read it again (its ETag is in this answer)."),
            code="precondition_failed",
            field="If-Match",
            status_code=status.HTTP_412_PRECONDITION_FAILED,
        ),
        application,
    )


class MyApplicationViewSet(
    Idempotent,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The files of the caller's organisations. Another organisation's file is a 404."""

    serializer_class = s.ApplicationSerializer
    lookup_value_regex = r"\d+"

    queryset = Application.objects.none()  # for the schema; the real one is per caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return (
            Application.objects.for_member(self.request.user)
            .select_related("call", "programme", "form_version")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        request=s.ApplicationCreateSerializer,
        responses={
            201: s.ApplicationSerializer,
            409: OpenApiResponse(
                description="The organisation already has an open file of the programme "
                "(`already_open`: see Location), or a rule refused the start"
            ),
        },
        parameters=[LOCATION, EXISTING_LOCATION],
    )
    def create(self, request):
        """Start a draft. The organisation already has an open file of the call's programme
        (one at a time): 409 `already_open`, its address in `Location`."""
        serializer = s.ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = serializer.validated_data["organisation"]
        call = serializer.validated_data["call"]
        if not organisation.memberships.filter(user=request.user).exists():
            return error(
                _("You do not act for this organisation."),
                code="not_member",
                field="organisation",
                status_code=404,
            )
        existing = (
            Application.objects.open()
            .filter(organisation=organisation, programme=call.programme_id)
            .only("pk", "reference")
            .first()
        )
        if existing is not None:
            return _already_open(request, existing)
        try:
            application = services.application_start(
                call=call, organisation=organisation, by=request.user
            )
        except ApplicationError as exc:
            return _refused(exc)
        return Response(
            s.ApplicationSerializer(application).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": _file_url(request, application)},
        )

    @extend_schema(parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        application = self.get_object()
        return _with_etag(Response(s.ApplicationSerializer(application).data), application)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Delete a draft the organisation no longer wants, with its documents. A submitted
        file cannot be deleted (409): withdraw it."""
        try:
            services.application_delete_draft(application=self.get_object(), by=request.user)
        except ApplicationError as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.StepSerializer,
        responses=s.ApplicationSerializer,
        parameters=[IF_MATCH, ETAG],
    )
    @action(detail=True, methods=["put"], url_path=r"steps/(?P<step>[a-z_]+)")
    def step(self, request, pk=None, step=None):
        """Save one step of a draft. Send the version you edited: a colleague's newer save is a
        409 (or, with `If-Match` and the file's ETag, a 412 before anything is read). While the
        AdN asks for information, correct a step the same way (checked in full, like on the
        page; the version is not compared): the answer then sends it."""
        application = self.get_object()
        refusal = _precondition_refusal(request, application)
        if refusal is not None:
            return refusal
        current = step_by_slug(application, step)
        if current is None or current.is_documents:
            return error(_("No such step in this call's form."), code="not_found", status_code=404)
        payload = s.StepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # The page's own form, its errors named data.<field>; a partial save is not checked
        # but still takes only the form's fields, each as a page could send it.
        form = current.form_class(payload.validated_data["data"], application=application)
        answering = application.status == Status.INFO_REQUESTED
        complete = payload.validated_data["complete"] or answering
        rename = {name: f"data.{name}" for name in [*form.fields, *form.data]}
        step_body_check(
            current, payload.validated_data["data"], form, complete=complete, rename=rename
        )
        if complete:
            validated(form, rename=rename)
        else:
            check_body(form, rename=rename)
        raw = {name: payload.validated_data["data"].get(name, "") for name in form.fields}
        try:
            if answering:
                application = services.application_update_answer_step(
                    application=application,
                    step=current,
                    cleaned=form.cleaned_data,
                    by=request.user,
                )
            else:
                application = services.application_save_step(
                    application=application,
                    step=current,
                    cleaned=form.cleaned_data if complete else None,
                    raw=raw,
                    version=payload.validated_data["version"],
                    by=request.user,
                )
        except ApplicationError as exc:
            return _refused(exc)
        return _with_etag(Response(s.ApplicationSerializer(application).data), application)

    @extend_schema(request=s.DeclarationsSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit with the declarations of the review page (both true): stored together or
        refused together. A declaration missing or false is a 400 naming it; every check runs,
        and refused checks come back as errors (422); either way the draft stays as it was."""
        application = self.get_object()
        payload = s.DeclarationsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            application = services.application_submit(
                application=application, by=request.user, declarations=payload.validated_data
            )
        except ApplicationError as exc:
            return _refused(exc)
        return Response(s.ApplicationSerializer(application).data)

    @extend_schema(responses=s.EligibilityCheckSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def checks(self, request, pk=None):
        """The eligibility checks as they stand now, in plain words."""
        return Response(
            [c.as_dict() for c in eligibility.run_checks(self.get_object(), now=timezone.now())]
        )

    @extend_schema(request=s.WithdrawSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a submitted file (a draft is deleted: DELETE the file)."""
        application = self.get_object()
        payload = s.WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            application = services.application_withdraw(
                application=application,
                by=request.user,
                reason=payload.validated_data["reason"],
            )
        except ApplicationError as exc:
            return _refused(exc)
        return Response(s.ApplicationSerializer(application).data)

    @extend_schema(request=s.AnswerSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        application = self.get_object()
        payload = s.AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            application = services.application_answer_information_request(
                application=application,
                by=request.user,
                answer=payload.validated_data["answer"],
            )
        except ApplicationError as exc:
            return _refused(exc)
        return Response(s.ApplicationSerializer(application).data)

    @extend_schema(responses=s.TimelineSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        """What the applicant sees of the file's history (no internal notes, scores or names)."""
        events = self.get_object().events.filter(visible_to_applicant=True).order_by("-at", "-pk")
        return Response(s.TimelineSerializer(events, many=True).data)

    @extend_schema(responses=s.MessageSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, parser_classes=MESSAGE_PARSERS)
    def messages(self, request, pk=None):
        """The file's conversation with the AdN, oldest first: its letters (acknowledgement,
        requests for information, decisions), your answers, and what either side wrote.
        Reading it marks it read, as the file's page does."""
        return _conversation(request, self.get_object(), Side.APPLICANT)

    @extend_schema(
        request={
            "application/json": s.MessageTextSerializer,
            "multipart/form-data": s.MessageWriteSerializer,
        },
        responses={201: s.MessageSerializer},
        parameters=[LOCATION],
    )
    @messages.mapping.post
    def write_message(self, request, pk=None):
        """Write to the AdN (while the file is open), with one document at most."""
        return _write(request, self.get_object(), Side.APPLICANT, "api:application-message")

    @extend_schema(responses=s.MessageSerializer, parameters=[MESSAGE_ID])
    @action(detail=True, methods=["get"], url_path=MESSAGE_PATH)
    def message(self, request, pk=None, message_id=None):
        """One message of the file's conversation, as the list shows it (`Location` of a
        message you wrote). Reading it alone does not mark the conversation read."""
        return _one_message(request, self.get_object(), Side.APPLICANT, message_id)

    @extend_schema(responses=s.AttachmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, parser_classes=UPLOAD_PARSERS)
    def attachments(self, request, pk=None):
        """The file's documents."""
        return Response(
            s.AttachmentSerializer(
                self.get_object().attachments.order_by("uploaded_at"), many=True
            ).data
        )

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
        parameters=[LOCATION],
    )
    @attachments.mapping.post
    def add_attachment(self, request, pk=None):
        """Add a document, checked by content: PDF, DOCX, XLSX, ODT, PNG, JPEG. A file over
        the size limit is refused (413) before it is read whole."""
        application = self.get_object()
        data = request.data  # the size limit is checked while the body is parsed
        refusal = upload_refusal(request)
        if refusal:
            return error(refusal, code="too_large", field="file", status_code=413)
        payload = s.AttachmentUploadSerializer(data=data)
        payload.is_valid(raise_exception=True)
        try:
            attachment = services.attachment_add(
                application=application,
                upload=payload.validated_data["file"],
                kind=payload.validated_data["kind"],
                by=request.user,
            )
        except DjangoValidationError as exc:
            return error(exc.messages[0], code=exc.code or "invalid", field="file")
        except ApplicationError as exc:
            return _refused(exc)
        return Response(
            s.AttachmentSerializer(attachment).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": _item_url(request, "api:application-attachment", attachment)},
        )

    @extend_schema(responses=s.AttachmentSerializer, parameters=[ATTACHMENT_ID])
    @action(detail=True, methods=["get"], url_path=ATTACHMENT_PATH)
    def attachment(self, request, pk=None, attachment_id=None):
        """One of the file's documents, as the list shows it (`Location` of a document you
        added)."""
        number = whole_number(attachment_id)  # any text reaches here: not a number is a 404
        attachment = number and self.get_object().attachments.filter(pk=number).first()
        if not attachment:
            raise Http404
        return Response(s.AttachmentSerializer(attachment).data)


# --- a file's conversation, for each side -----------------------------------------------------


def _conversation(request, application: Application, side: str) -> Response:
    messages = conversation.thread(application, side)
    last = conversation.last_read(user=request.user, application=application)
    context = {"application": application, "side": side, "last_read": last}
    data = s.MessageSerializer(messages, many=True, context=context).data
    if messages:
        services.conversation_read(
            application=application, user=request.user, up_to=messages[-1].pk, last=last
        )
    return Response(data)


def _item_url(request, route: str, item) -> str:
    """The address of one message or document of a file (the `Location` of its creation)."""
    kwargs = {"pk": item.application_id}
    kwargs["message_id" if route.endswith("-message") else "attachment_id"] = item.pk
    return request.build_absolute_uri(reverse(route, kwargs=kwargs))


def _one_message(request, application: Application, side: str, message_id) -> Response:
    number = whole_number(message_id)  # any text reaches here: not a number is a 404
    message = number and conversation.message(application, side, number)
    if not message:
        raise Http404
    last = conversation.last_read(user=request.user, application=application)
    context = {"application": application, "side": side, "last_read": last}
    return Response(s.MessageSerializer(message, context=context).data)


def _write(request, application: Application, side: str, route: str) -> Response:
    data = request.data  # the size limit is checked while the body is parsed
    refusal = upload_refusal(request)
    if refusal:
        return error(refusal, code="too_large", field="file", status_code=413)
    payload = s.MessageWriteSerializer(data=data)
    payload.is_valid(raise_exception=True)
    try:
        message = services.message_post(
            application=application,
            by=request.user,
            side=side,
            body=payload.validated_data["body"],
            upload=payload.validated_data.get("file"),
        )
    except DjangoValidationError as exc:
        return error(exc.messages[0], code=exc.code or "invalid", field="file")
    except ApplicationError as exc:
        return _refused(exc)
    context = {"application": application, "side": side, "last_read": message.pk}
    return Response(
        s.MessageSerializer(message, context=context).data,
        status=status.HTTP_201_CREATED,
        headers={"Location": _item_url(request, route, message)},
    )


# --- staff ------------------------------------------------------------------------------------


class IsStaff(NotFoundUnless):
    def check(self, request) -> bool:
        return has_role(request.user, *STAFF)


class QueuePagination(CappedCursorPagination):
    ordering = ("-submitted_at", "-id")


class StaffApplicationViewSet(Idempotent, viewsets.ReadOnlyModelViewSet):
    """The staff queue with the page's filters (programme, call, status, province, kind,
    reviewer, mine, overdue, q; an unknown value is a 400) and sorts (`ordering`), and each
    file in full. Outside the user's programmes: 404."""

    permission_classes = [IsStaff]
    pagination_class = QueuePagination
    lookup_value_regex = r"\d+"
    filterset_class = QueueApiFilter

    def get_serializer_class(self):
        return (
            s.StaffApplicationDetailSerializer if self.action == "retrieve" else s.QueueSerializer
        )

    queryset = Application.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return selectors.staff_applications(self.request.user)

    def get_object(self):
        # The route takes any run of digits: one too long for an id is a 404, not a 500.
        pk = whole_number(self.kwargs["pk"])
        application = pk and selectors.staff_application(user=self.request.user, pk=pk)
        if not application:
            raise Http404
        return application

    def retrieve(self, request, *args, **kwargs):
        """The file in full. A reviewer reads it once they have said they have no conflict of
        interest with its organisation (`declaration/`): before, 409 `declaration_required`."""
        application = self.get_object()
        if guards.needs_declaration(request.user, application):
            return error(
                _("Confirm first that you have no conflict of interest with this organisation."),
                code="declaration_required",
                status_code=status.HTTP_409_CONFLICT,
            )
        audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
        return Response(self.get_serializer(application).data)

    @extend_schema(request=s.TransitionSerializer, responses=s.QueueSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Move the file: decisions (selected, waitlisted, rejected, ineligible) need a manager;
        the applicant is told with the templated message."""
        application = self.get_object()
        payload = s.TransitionSerializer(data=request.data, context=self._form_kwargs(application))
        payload.is_valid(raise_exception=True)
        form = payload.form
        if form.needs_confirmation():
            return self._confirmation_required(application, form)
        try:
            application = services.application_staff_transition(
                application=application,
                to=form.target(),
                by=request.user,
                comment=form.cleaned_data["comment"],
                expected_status=form.expected(),
            )
        except ApplicationError as exc:
            return _refused(exc)
        return self._queue_row(application)

    @extend_schema(
        request=s.InformationRequestSerializer,
        responses=s.QueueSerializer,
    )
    @action(detail=True, methods=["post"], url_path="information-requests")
    def information_requests(self, request, pk=None):
        """Ask the applicant for information: the file goes to "information requested" and the
        applicant gets the message (by e-mail and on the file page)."""
        application = self.get_object()
        payload = s.InformationRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            application = services.application_request_information(
                application=application,
                by=request.user,
                actor=services.staff_actor(request.user),
                message=payload.validated_data["message"],
                due_date=payload.validated_data["due_date"],
            )
        except ApplicationError as exc:
            return _refused(exc)
        return self._queue_row(application)

    def _confirmation_required(self, application: Application, form) -> Response:
        """A decision without `confirmed`: nothing is decided; the answer carries the message
        the applicant will get, as the page shows it before its confirmation."""
        try:
            subject, body = services.application_decision_preview(
                application=application,
                decision=form.target(),
                by=self.request.user,
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as exc:
            return _refused(exc)
        response = error(
            str(CONFIRMATION_REQUIRED),
            code="confirmation_required",
            status_code=status.HTTP_409_CONFLICT,
        )
        response.data["preview"] = s.DecisionPreviewSerializer(
            {"decision": form.target().value, "subject": subject, "body": body}
        ).data
        return response

    def _form_kwargs(self, application: Application) -> dict:
        actor = services.staff_actor(self.request.user)
        return {"form_kwargs": {"application": application, "actor": actor}}

    def _queue_row(self, application: Application) -> Response:
        return Response(
            s.QueueSerializer(
                selectors.staff_applications(self.request.user).get(pk=application.pk)
            ).data
        )

    @extend_schema(responses=s.MessageSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        parser_classes=MESSAGE_PARSERS,
        filter_backends=[],
    )
    def messages(self, request, pk=None):
        """The file's conversation with the applicant (and the expert company of a Start IA
        file), oldest first; reading it marks it read, as its page does. Internal notes are
        not in it."""
        application = self.get_object()
        audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
        return _conversation(request, application, Side.ADN)

    @extend_schema(
        request={
            "application/json": s.MessageTextSerializer,
            "multipart/form-data": s.MessageWriteSerializer,
        },
        responses={201: s.MessageSerializer},
        parameters=[LOCATION],
    )
    @messages.mapping.post
    def write_message(self, request, pk=None):
        """Write to the applicant (while the file is open), with one document at most."""
        return _write(request, self.get_object(), Side.ADN, "api:staff-application-message")

    @extend_schema(responses=s.MessageSerializer, parameters=[MESSAGE_ID])
    @action(detail=True, methods=["get"], url_path=MESSAGE_PATH, filter_backends=[])
    def message(self, request, pk=None, message_id=None):
        """One message of the file's conversation, as the list shows it (`Location` of a
        message you wrote). Reading it alone does not mark the conversation read."""
        application = self.get_object()
        audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
        return _one_message(request, application, Side.ADN, message_id)

    @extend_schema(responses=s.ReviewerSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reviewers(self, request, pk=None):
        """The reviewers this file may be assigned to (`assignment/` takes their `id`): its
        programme's, without a conflict of interest with its organisation."""
        application = self.get_object()
        reviewers = AssignmentForm(application=application).fields["reviewer"].queryset
        return Response(
            s.ReviewerSerializer(reviewers.only("first_name", "last_name"), many=True).data
        )

    @extend_schema(request=s.AssignSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def assignment(self, request, pk=None):
        application = self.get_object()
        payload = s.AssignSerializer(
            data=request.data, context={"form_kwargs": {"application": application}}
        )
        payload.is_valid(raise_exception=True)
        try:
            services.application_assign(
                application=application,
                reviewer=payload.validated_data["reviewer"],
                by=request.user,
            )
        except ApplicationError as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.DeclarationSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def declaration(self, request, pk=None):
        """Before reviewing: `no_conflict` opens your review of the file; `conflict` declares a
        conflict of interest with its organisation (its files are a 404 for you from then)."""
        application = self.get_object()
        payload = s.DeclarationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        form = payload.form
        try:
            if form.declares_conflict:
                services.review_declare_conflict(
                    application=application,
                    reviewer=request.user,
                    reason=form.cleaned_data["reason"],
                )
            else:
                services.review_open(application=application, reviewer=request.user)
        except ApplicationError as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ReviewWriteSerializer, responses=s.ReviewReadSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        """Save your review (after the declaration): a draft, or with `submit` the complete
        review, which is then locked (409 `refused` for any later change)."""
        application = self.get_object()
        # Without the declaration, the service refuses (409): nothing to review yet.
        summary = selectors.review_summary(application, reviewer=request.user)
        payload = s.ReviewWriteSerializer(
            data=request.data, context={"form_kwargs": {"criteria": summary["my_criteria"]}}
        )
        payload.is_valid(raise_exception=True)
        try:
            review = services.review_save(
                application=application, reviewer=request.user, **payload.validated_data
            )
        except ApplicationError as exc:
            return _refused(exc)
        review = next(
            r
            for r in selectors.file_reviews(user=request.user, pk=application.pk).review_list
            if r.pk == review.pk
        )
        return Response(s.ReviewReadSerializer(review).data)

    @extend_schema(request=s.NoteSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        application = self.get_object()
        payload = s.NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.application_add_note(
                application=application, by=request.user, text=payload.validated_data["text"]
            )
        except ApplicationError as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportViewSet(
    Idempotent,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Queue exports (CSV or XLSX) of the queue, built by a worker; the query string's filters
    (the queue's) apply. Read the export until its `state` is `ready`, then fetch `download`."""

    permission_classes = [IsStaff]
    serializer_class = s.ExportSerializer
    lookup_value_regex = r"\d+"
    filter_backends = []  # the query string is the export's, stored for the worker

    queryset = Export.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Export.objects.none()
        return Export.objects.filter(requested_by=self.request.user)

    def get_object(self):
        pk = whole_number(self.kwargs["pk"])  # any run of digits reaches here: too long is a 404
        export = pk and self.get_queryset().filter(pk=pk).first()
        if not export:
            raise Http404
        return export

    @extend_schema(parameters=[LOCATION])
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response["Location"] = request.build_absolute_uri(
            reverse("api:staff-export-detail", args=[response.data["id"]])
        )
        return response

    def perform_create(self, serializer):
        export = services.export_request(
            by=self.request.user,
            query=dict(self.request.query_params.lists()),
            format=serializer.validated_data["format"],
        )
        serializer.instance = export

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The export's file, once `ready` (before: 404), as the export page serves it."""
        export = self.get_object()
        if export.state != Export.State.READY:
            raise Http404
        audit(
            AuditEvent.Action.EXPORT_DOWNLOADED, request=request, export=export.pk, rows=export.rows
        )
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"dossiers-{export.pk}.{export.format}",
            content_type=EXPORT_TYPES[export.format],
        )


class ExpertApplicationViewSet(Idempotent, viewsets.ReadOnlyModelViewSet):
    """Files in which the caller's expert company was chosen (submitted ones only); the
    conversation of each Start IA one with the organisation and the AdN."""

    serializer_class = s.ExpertApplicationSerializer
    lookup_value_regex = r"\d+"

    queryset = Application.objects.none()

    def get_queryset(self):
        from companies.selectors import expert_of_member

        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        expert = expert_of_member(user=self.request.user)
        if expert is None:
            return Application.objects.none()
        return (
            Application.objects.filter(expert=expert, submitted_at__isnull=False)
            .select_related("call", "programme", "organisation")
            .order_by("-submitted_at", "-pk")
        )

    def _conversation_file(self, pk) -> Application:
        number = whole_number(pk)  # any run of digits reaches here: too long is a 404
        application = number and conversation.expert_application(user=self.request.user, pk=number)
        if not application:
            raise Http404
        return application

    @extend_schema(responses=s.MessageSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, parser_classes=MESSAGE_PARSERS)
    def messages(self, request, pk=None):
        """The file's conversation (Start IA files), oldest first: the messages of the
        organisation, the AdN and your company (not the AdN's letters to the organisation).
        Reading it marks it read."""
        return _conversation(request, self._conversation_file(pk), Side.EXPERT)

    @extend_schema(
        request={
            "application/json": s.MessageTextSerializer,
            "multipart/form-data": s.MessageWriteSerializer,
        },
        responses={201: s.MessageSerializer},
        parameters=[LOCATION],
    )
    @messages.mapping.post
    def write_message(self, request, pk=None):
        """Write in the file's conversation (while it is open), with one document at most."""
        return _write(
            request, self._conversation_file(pk), Side.EXPERT, "api:expert-application-message"
        )

    @extend_schema(responses=s.MessageSerializer, parameters=[MESSAGE_ID])
    @action(detail=True, methods=["get"], url_path=MESSAGE_PATH)
    def message(self, request, pk=None, message_id=None):
        """One message of the file's conversation, as the list shows it (`Location` of a
        message you wrote). Reading it alone does not mark the conversation read."""
        return _one_message(request, self._conversation_file(pk), Side.EXPERT, message_id)
