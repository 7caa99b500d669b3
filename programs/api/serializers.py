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
    label = serializers.CharField(read_only=True)

    class Meta:
        model = ScoringCriterion
        fields = ["id", "label", "weight"]


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
            "criteria",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=CallStatus.choices))
    def get_status(self, call: Call) -> str:
        return call.status_at(self.context.get("now") or timezone.now())
