from django.contrib import admin

from .models import Expert, ExpertReference, Membership, Organisation, RecognitionEvent


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "enterprise_number", "kind", "municipality", "province", "size_class"]
    list_filter = ["kind", "province", "size_class"]
    search_fields = ["name", "enterprise_number"]
    readonly_fields = ["municipality", "province", "size_class"]
    inlines = [MembershipInline]


class ReferenceInline(admin.TabularInline):
    model = ExpertReference
    extra = 0


class EventInline(admin.TabularInline):
    model = RecognitionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "by", "at", "comment"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    """Read-mostly: recognition decisions go through the staff pages (they are audited)."""

    list_display = [
        "organisation",
        "status",
        "recognised_from",
        "recognised_until",
        "files_delivered",
    ]
    list_filter = ["status"]
    search_fields = ["organisation__name", "organisation__enterprise_number"]
    readonly_fields = ["status", "recognised_from", "recognised_until", "organisation"]
    list_select_related = ["organisation"]
    inlines = [ReferenceInline, EventInline]
