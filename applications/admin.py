from django.contrib import admin

from .models import Application, ApplicationEvent, ConflictOfInterest, MessageTemplate


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "kind",
        "from_status",
        "to_status",
        "by",
        "at",
        "comment",
        "visible_to_applicant",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: every change to a file goes through the services (audited)."""

    list_display = ["reference", "organisation", "call", "status", "submitted_at"]
    list_filter = ["status", "programme"]
    search_fields = ["reference", "organisation__name", "title"]
    list_select_related = ["organisation", "call"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "programme", "subject_fr"]
    list_filter = ["kind", "programme"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["reviewer", "organisation", "declared_at"]
    autocomplete_fields = ["reviewer", "organisation"]
