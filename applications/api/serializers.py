from collections.abc import Mapping

from django.urls import reverse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from adn_portal.lib.api import reject_unknown_fields
from adn_portal.lib.form_api import UNKNOWN_FIELD, FormBody, FormSerializer, validated
from companies.models import Organisation
from programs.models import Call

from .. import conversation
from ..forms.applicant import AnswerForm, AttachmentForm, WithdrawForm
from ..forms.conversation import MessageForm
from ..forms.staff import (
    AssignmentForm,
    ConflictDeclarationForm,
    ExportForm,
    InformationRequestForm,
    NoteForm,
    ReviewForm,
    TransitionForm,
)
from ..models import (
    ApplicantMessage,
    Application,
    ApplicationEvent,
    Assignment,
    Attachment,
    Export,
    MessageAttachment,
    Recommendation,
    Review,
    Score,
)
from ..progress import progress
from ..steps import DeclarationsForm
from ..workflow import Status


class ApplicationSerializer(serializers.ModelSerializer):
    call = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    next_step = serializers.SerializerMethodField(
        help_text="A draft's first step still to do (its slug, as in `steps/{step}/`); null "
        "when every step is done (submit next) or the file is no longer a draft."
    )
    next_action = serializers.CharField(
        source="next_step", read_only=True, help_text="What happens next, in words."
    )
    completed_steps = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The slugs of the steps saved complete.",
    )
    form_version = serializers.IntegerField(
        source="form_version.number",
        read_only=True,
        help_text="The version of the call's application form the file answers (a submitted "
        "file keeps its own; GET /api/v1/calls/{slug}/form/ publishes the current one).",
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "call",
            "programme",
            "organisation",
            "status",
            "next_step",
            "next_action",
            "data",
            "completed_steps",
            "form_version",
            "version",
            "title",
            "amount_requested",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_next_step(self, application) -> str | None:
        if application.status != Status.DRAFT:
            return None
        step = progress(application).first_to_do
        return step.slug if step else None


class EligibilityCheckSerializer(serializers.Serializer):
    """One eligibility check, in the caller's language (stored as run at submission)."""

    rule = serializers.CharField(
        help_text="The rule checked: one of the call's `eligibility_rules`, or `deadline` "
        "(the call is open) or `complete` (every step done)."
    )
    passed = serializers.BooleanField()
    message = serializers.CharField()
    fix = serializers.CharField(allow_blank=True, required=False, help_text="How to put it right.")
    fix_url = serializers.CharField(allow_blank=True, required=False)


class ReviewerSerializer(serializers.Serializer):
    """A reviewer the file may be assigned to (its programme's, without a conflict of interest
    with its organisation): `id` is what `assignment/` takes."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


@reject_unknown_fields
class ApplicationCreateSerializer(serializers.Serializer):
    call = serializers.SlugRelatedField(slug_field="slug", queryset=Call.objects.published())
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())


@reject_unknown_fields
class StepSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The draft's version you edited (conflict detection)."
    )
    data = serializers.DictField(help_text="The step's fields, as on the page.")
    complete = serializers.BooleanField(
        default=True, help_text="False: save what is there without checking it."
    )


class DeclarationsSerializer(FormSerializer):
    """The declarations of the review page, sent with the submission (checked by its form)."""

    form_class = DeclarationsForm

    gdpr_consent = serializers.BooleanField(
        help_text="I agree that the AdN processes these data to handle the application (GDPR)."
    )
    sworn_statement = serializers.BooleanField(
        help_text="I declare on my honour that the information given is true and complete."
    )


class AnswerSerializer(FormSerializer):
    form_class = AnswerForm

    answer = serializers.CharField()


class WithdrawSerializer(FormSerializer):
    form_class = WithdrawForm

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "version",
        ]
        read_only_fields = fields


class AttachmentUploadSerializer(FormSerializer):
    form_class = AttachmentForm

    file = serializers.FileField()
    kind = serializers.ChoiceField(
        choices=Attachment.Kind.choices[:2], default=Attachment.Kind.ANNEX
    )


class TimelineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationEvent
        fields = ["kind", "from_status", "to_status", "at", "comment"]


class MessageDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    """A message of the file's conversation, oldest first, as the caller's side reads it
    (context: `application`, `side`, `last_read`)."""

    author = serializers.SerializerMethodField()
    new = serializers.SerializerMethodField(help_text="Not read by the caller before this call.")
    attachments = MessageDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ApplicantMessage
        fields = [
            "id",
            "kind",
            "author_side",
            "author",
            "subject",
            "body",
            "created_at",
            "due_date",
            "answered_at",
            "attachments",
            "new",
        ]
        read_only_fields = fields

    def get_author(self, message) -> str:
        return conversation.author_label(message, self.context["application"], self.context["side"])

    def get_new(self, message) -> bool:
        return message.pk > self.context["last_read"] and (
            message.author_side != self.context["side"]
        )


class MessageWriteSerializer(FormSerializer):
    """The pages' message form: a text, and one document (multipart/form-data) at most."""

    form_class = MessageForm

    body = serializers.CharField(max_length=5000)
    file = serializers.FileField(required=False)


class MessageTextSerializer(FormSerializer):
    """A message without a document, as JSON (the pages' message form)."""

    form_class = MessageForm

    body = serializers.CharField(max_length=5000)


# --- staff -------------------------------------------------------------------------------------


class QueueSerializer(serializers.ModelSerializer):
    call = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    province = serializers.CharField(source="organisation.province", read_only=True)
    reviewer = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "call",
            "programme",
            "organisation",
            "province",
            "status",
            "submitted_at",
            "reviewer",
            "amount_requested",
        ]
        read_only_fields = fields

    def get_reviewer(self, application) -> str | None:
        name = " ".join(
            filter(
                None,
                [
                    getattr(application, "reviewer_first_name", None),
                    getattr(application, "reviewer_last_name", None),
                ],
            )
        )
        return name or None


class StaffEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    def get_by(self, event) -> str | None:
        return str(event.by) if event.by_id else None

    class Meta:
        model = ApplicationEvent
        fields = ["kind", "from_status", "to_status", "by", "at", "comment", "visible_to_applicant"]


class ScoreSerializer(serializers.ModelSerializer):
    reviewer = serializers.StringRelatedField()

    class Meta:
        model = Score
        fields = ["criterion", "reviewer", "value", "comment"]


class ReviewReadSerializer(serializers.ModelSerializer):
    """A review of the file: its reviewer, the review form's version it answered, whether it
    is submitted (locked), its scores, recommendation and comments."""

    reviewer = serializers.StringRelatedField()
    scores = ScoreSerializer(source="score_list", many=True, read_only=True)
    # Declared: a read-only model field loses allow_blank, and a draft has no recommendation
    # yet (the schema must allow "").
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "reviewer",
            "form_version",
            "status",
            "submitted_at",
            "recommendation",
            "comment_for_applicant",
            "internal_comment",
            "scores",
        ]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer = serializers.StringRelatedField()

    class Meta:
        model = Assignment
        fields = ["reviewer", "assigned_at", "ended_at"]


class ExpertApplicationSerializer(QueueSerializer):
    """A file as its chosen expert company sees it."""

    class Meta(QueueSerializer.Meta):
        fields = [
            "id",
            "reference",
            "call",
            "programme",
            "organisation",
            "province",
            "status",
            "submitted_at",
        ]
        read_only_fields = fields


class StaffApplicationDetailSerializer(QueueSerializer):
    timeline = StaffEventSerializer(many=True, read_only=True)
    scores = serializers.SerializerMethodField()
    reviews = ReviewReadSerializer(source="review_list", many=True, read_only=True)
    assignments = AssignmentSerializer(source="assignment_history", many=True, read_only=True)
    eligibility = EligibilityCheckSerializer(many=True, read_only=True)

    class Meta(QueueSerializer.Meta):
        fields = [
            *QueueSerializer.Meta.fields,
            "data",
            "eligibility",
            "timeline",
            "scores",
            "reviews",
            "assignments",
        ]
        read_only_fields = fields

    def get_scores(self, application) -> list[dict]:
        """Every score of the reviews (as before reviews had their own list)."""
        return ScoreSerializer(
            [score for review in application.review_list for score in review.score_list],
            many=True,
        ).data


class TransitionSerializer(FormSerializer):
    """The page's TransitionForm: `to` is one of the moves of the workflow this caller may make
    from the file's status (decisions need a programme manager; information is asked for at
    information-requests/)."""

    form_class = TransitionForm

    to = serializers.ChoiceField(
        choices=[c for c in Status.choices if c[0] not in (Status.DRAFT, Status.INFO_REQUESTED)]
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Refused if the file moved meanwhile."
    )
    confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A decision (selected, waitlisted, rejected, ineligible) is recorded only "
        "with true: without it, the answer is a 409 `confirmation_required` carrying the "
        "message the applicant will get (as the page shows it before its confirmation).",
    )


class InformationRequestSerializer(FormSerializer):
    form_class = InformationRequestForm

    message = serializers.CharField(help_text="What the applicant reads (and answers).")
    due_date = serializers.DateField(required=False, allow_null=True)


class AssignSerializer(FormSerializer):
    form_class = AssignmentForm

    reviewer = serializers.IntegerField(
        help_text="A reviewer of the file's programme without a conflict of interest with it."
    )


class ReviewWriteSerializer(serializers.Serializer):
    """The page's review form: each criterion's fields under its id (`score_<id>` is
    `scores.<id>.value` here), the recommendation, the two comments, and `submit` (the
    review is then complete and locked)."""

    scores = serializers.DictField(
        child=serializers.DictField(),
        help_text='{"<criterion id>": {"value": <on the criterion\'s scale>, "comment": "…"}}',
    )
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, required=False, allow_blank=True
    )
    comment_for_applicant = serializers.CharField(required=False, allow_blank=True)
    internal_comment = serializers.CharField(required=False, allow_blank=True)
    submit = serializers.BooleanField(required=False, default=False)

    PARTS = {"value": "score", "comment": "comment"}  # API name → the form's field prefix
    OTHERS = ("recommendation", "comment_for_applicant", "internal_comment", "submit")

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise ValidationError({"non_field_errors": ["Expected an object."]}, code="invalid")
        unknown = sorted(set(data) - {"scores", *self.OTHERS})
        if unknown:
            raise ValidationError({name: [UNKNOWN_FIELD] for name in unknown}, code="read_only")
        try:
            entries = serializers.DictField(child=serializers.DictField()).run_validation(
                data.get("scores", {})
            )
        except ValidationError as exc:
            raise ValidationError({"scores": exc.detail}) from exc
        criteria = self.context["form_kwargs"]["criteria"]
        flat = {name: data[name] for name in self.OTHERS if name in data}
        rename = {}
        for key in [*entries, *(str(c.pk) for c in criteria)]:
            for part in [*self.PARTS, *entries.get(key, {})]:
                # A part the form does not know keeps a name no field has: refused as unknown.
                name = f"{self.PARTS[part]}_{key}" if part in self.PARTS else f"{key}.{part}"
                rename[name] = f"scores.{key}.{part}"
                if part in entries.get(key, {}):
                    flat[name] = entries[key][part]
        self.form = ReviewForm(flat, criteria=criteria)
        validated(self.form, rename=rename)
        return self.form.review()


class DeclarationSerializer(FormSerializer):
    """The page's ConflictDeclarationForm: `no_conflict` opens the caller's review of the file;
    `conflict` declares a conflict of interest with its organisation (its files are then a 404
    for the caller)."""

    form_class = ConflictDeclarationForm

    answer = serializers.ChoiceField(choices=["no_conflict", "conflict"])
    reason = serializers.CharField(required=False, allow_blank=True)


class DecisionPreviewSerializer(serializers.Serializer):
    """The message the applicant gets with a decision, in their language."""

    decision = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()


class NoteSerializer(FormSerializer):
    form_class = NoteForm

    text = serializers.CharField()


class ExportSerializer(FormBody, serializers.ModelSerializer):
    form_class = ExportForm

    download = serializers.SerializerMethodField(
        help_text="Where to fetch the file once `state` is `ready` (null before)."
    )

    class Meta:
        model = Export
        fields = ["id", "format", "state", "rows", "created_at", "finished_at", "download"]
        read_only_fields = ["id", "state", "rows", "created_at", "finished_at", "download"]

    def get_download(self, export) -> str | None:
        if export.state != Export.State.READY:
            return None
        return reverse("api:staff-export-download", kwargs={"pk": export.pk})
