"""The API's shape of programmes and calls: read-only, public."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.models import (
    Audience,
    Call,
    CallStatus,
    EligibilityRule,
    FormSection,
    Programme,
    ScoringCriterion,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    tagline = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = Programme
        fields = ["code", "slug", "name", "tagline", "description"]


class CriterionSerializer(serializers.ModelSerializer):
    """A criterion of the call's current review form, as its public page shows it: scored on
    its scale (`scale_min` to `scale_max`), multiplied by its weight; label and guidance in
    the reader's language (French when not translated)."""

    label = serializers.CharField(read_only=True)
    guidance = serializers.CharField(
        read_only=True, help_text="Guidance for reviewers; empty when there is none."
    )
    scale_min = serializers.IntegerField(
        read_only=True, min_value=0, max_value=99, help_text="The lowest score."
    )
    scale_max = serializers.IntegerField(
        read_only=True, min_value=1, max_value=100, help_text="The highest score."
    )
    maximum = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        read_only=True,
        help_text="The most the criterion adds to a review's weighted total: "
        "`scale_max` times `weight`.",
    )

    class Meta:
        model = ScoringCriterion
        fields = ["id", "label", "guidance", "scale_min", "scale_max", "weight", "maximum"]


def _codes(choices) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices.choices), read_only=True
    )


class CallSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True)
    audiences = _codes(Audience)
    eligibility_rules = _codes(EligibilityRule)
    form_sections = _codes(FormSection)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField()
    review_form_version = serializers.IntegerField(
        source="review_version",
        read_only=True,
        min_value=1,
        help_text="The version of the review form whose criteria are listed in `criteria`.",
    )
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "slug",
            "programme",
            "title",
            "summary",
            "text",
            "audiences",
            "opens_at",
            "closes_at",
            "status",
            "budget_envelope",
            "funding_rate",
            "ceiling_per_file",
            "max_duration_months",
            "expert_days",
            "expert_required",
            "eligibility_rules",
            "form_sections",
            "pass_mark",
            "review_form_version",
            "criteria",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=CallStatus.choices))
    def get_status(self, call: Call) -> str:
        return call.status_at(self.context.get("now") or timezone.now())
