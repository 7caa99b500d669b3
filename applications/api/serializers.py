from rest_framework import serializers

from adn_portal.lib.api import reject_unknown_fields
from companies.models import Organisation
from programs.models import Call

from ..models import (
    ApplicantMessage,
    Application,
    ApplicationEvent,
    Assignment,
    Attachment,
    Export,
    Score,
)
from ..workflow import Status


class ApplicationSerializer(serializers.ModelSerializer):
    call = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    next_step = serializers.CharField(read_only=True)

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
            "data",
            "completed_steps",
            "version",
            "title",
            "amount_requested",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


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


@reject_unknown_fields
class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


@reject_unknown_fields
class WithdrawSerializer(serializers.Serializer):
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


@reject_unknown_fields
class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(
        choices=Attachment.Kind.choices[:2], default=Attachment.Kind.ANNEX
    )


class TimelineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationEvent
        fields = ["kind", "from_status", "to_status", "at", "comment"]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicantMessage
        fields = ["kind", "subject", "body", "created_at", "due_date", "answered_at"]


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


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer = serializers.StringRelatedField()

    class Meta:
        model = Assignment
        fields = ["reviewer", "assigned_at", "ended_at"]


class ExpertFileSerializer(QueueSerializer):
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


class StaffFileSerializer(QueueSerializer):
    timeline = StaffEventSerializer(many=True, read_only=True)
    scores = ScoreSerializer(source="score_list", many=True, read_only=True)
    assignments = AssignmentSerializer(source="assignment_history", many=True, read_only=True)
    eligibility = serializers.JSONField(read_only=True)

    class Meta(QueueSerializer.Meta):
        fields = [
            *QueueSerializer.Meta.fields,
            "data",
            "eligibility",
            "timeline",
            "scores",
            "assignments",
        ]
        read_only_fields = fields


@reject_unknown_fields
class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[c for c in Status.choices if c[0] != Status.DRAFT])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Refused if the file moved meanwhile."
    )


@reject_unknown_fields
class AssignSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField()


@reject_unknown_fields
class ScoresSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.DictField(),
        help_text='{"<criterion id>": {"value": 0-5, "comment": "…"}}',
    )


@reject_unknown_fields
class NoteSerializer(serializers.Serializer):
    text = serializers.CharField()


@reject_unknown_fields
class ExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Export
        fields = ["id", "format", "state", "rows", "created_at", "finished_at"]
        read_only_fields = ["id", "state", "rows", "created_at", "finished_at"]
