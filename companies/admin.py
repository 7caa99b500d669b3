from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import sme
from .forms import LogoField, validate_logo
from .models import (
    Expert,
    ExpertReference,
    Membership,
    Organisation,
    OwnershipClaim,
    RecognitionEvent,
    RelatedEnterprise,
    kind_conflict_q,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class RelatedEnterpriseInline(admin.TabularInline):
    """Read-only: owners declare them (their pages or the API), which recomputes the class."""

    model = RelatedEnterprise
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "name",
        "enterprise_number",
        "foreign",
        "relation",
        "share",
        "headcount",
        "turnover",
        "balance_sheet",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class KindConflictFilter(admin.SimpleListFilter):
    title = _("kind and size")
    parameter_name = "kind_conflict"

    def lookups(self, request, model_admin):
        return [("yes", _("Kind and size disagree"))]

    def queryset(self, request, queryset):
        return queryset.filter(kind_conflict_q()) if self.value() == "yes" else queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Names stay one plain line here too (the model's validator); the AdN's reserved words
    are refused on the users' forms only: an administrator may set a legitimate one here."""

    list_display = [
        "name",
        "enterprise_number",
        "kind",
        "municipality",
        "province",
        "size_class",
        "kind_and_size",
    ]
    list_filter = ["kind", "province", "size_class", KindConflictFilter]
    search_fields = ["name", "enterprise_number"]
    readonly_fields = ["municipality", "province", "size_class", "kind_and_size"]
    inlines = [MembershipInline, RelatedEnterpriseInline]

    @admin.display(description=_("kind and size"))
    def kind_and_size(self, obj: Organisation) -> str:
        return obj.kind_conflict or "✓"

    def save_model(self, request, obj, form, change):
        # Figures changed here move the class as they do on the owners' pages.
        obj.size_class = sme.size_class_of(obj) or ""
        super().save_model(request, obj, form, change)


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
    # The pages' logo checks: pixel dimensions from the header, size, format.
    formfield_overrides = {
        models.ImageField: {"form_class": LogoField, "validators": [validate_logo]}
    }


@admin.register(OwnershipClaim)
class OwnershipClaimAdmin(admin.ModelAdmin):
    """Read-only: claims are decided on the staff pages (/espace-adn/revendications/), which
    move the ownership, notify both sides and leave an audit record."""

    list_display = ["organisation", "claimant", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "organisation__enterprise_number", "claimant__email"]
    list_select_related = ["organisation", "claimant"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
