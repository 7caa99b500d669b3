from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.admin import CheckedPrefill

from .forms import CallAdminForm
from .models import Call, Programme, ProgrammeStaff, ScoringCriterion


class ProgrammeStaffInline(admin.TabularInline):
    model = ProgrammeStaff
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "previous"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProgrammeStaffInline]


class ScoringCriterionInline(admin.TabularInline):
    model = ScoringCriterion
    extra = 1
    fields = ["position", "label_fr", "label_en", "label_de", "weight"]


@admin.register(Call)
class CallAdmin(CheckedPrefill, admin.ModelAdmin):
    form = CallAdminForm
    inlines = [ScoringCriterionInline]
    list_display = [
        "title_fr",
        "programme",
        "opens_at",
        "closes_at",
        "is_published",
        "status_label",
    ]
    list_filter = ["programme", "is_published"]
    search_fields = ["title_fr", "title_en", "title_de", "slug"]
    date_hierarchy = "opens_at"
    prepopulated_fields = {"slug": ["title_fr"]}
    list_select_related = ["programme"]
    fieldsets = [
        (None, {"fields": ["programme", "slug", "is_published", "audiences"]}),
        (
            _("Texts"),
            {
                "fields": [
                    ("title_fr", "title_en", "title_de"),
                    ("summary_fr", "summary_en", "summary_de"),
                    "text_fr",
                    "text_en",
                    "text_de",
                ]
            },
        ),
        (_("Dates (Europe/Brussels)"), {"fields": ["opens_at", "closes_at"]}),
        (
            _("Funding"),
            {
                "fields": [
                    "budget_envelope",
                    "funding_rate",
                    "ceiling_per_file",
                    "max_duration_months",
                    "expert_days",
                    "expert_day_rate",
                    "expert_required",
                ]
            },
        ),
        (
            _("After selection"),
            {"fields": ["paid_to", "advance_percent", "interim_report_months"]},
        ),
        (
            _("Eligibility, form and scoring"),
            {"fields": ["eligibility_rules", "form_sections", "pass_mark"]},
        ),
    ]

    @admin.display(description=_("status"))
    def status_label(self, call: Call) -> str:
        return call.status.label
