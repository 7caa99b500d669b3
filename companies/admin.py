"""The admin, for what the staff pages do not cover. Every change made here goes through a
service (what is derived from a row, the directory's rows and cached pages follow, and the
change is audited), or the page is read-only."""

from django import forms
from django.contrib import admin
from django.db import models
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.admin import ReadOnly
from programs.models import Programme

from . import register, services
from .forms.fields import EnterpriseNumberField, LogoField, NaceCodesField, validate_logo
from .identifiers import place_for_postcode
from .models import (
    Expert,
    ExpertReference,
    Language,
    Membership,
    Organisation,
    OwnershipClaim,
    RecognitionEvent,
    RelatedEnterprise,
    Sector,
    Speciality,
    kind_conflict_q,
)


class MembershipInline(admin.TabularInline):
    """Read-only: people join by invitation or by a request the owners accept, and ownership
    moves through an ownership claim (audited, both sides told), never by editing rows."""

    model = Membership
    extra = 0
    can_delete = False
    fields = readonly_fields = ["user", "role", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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


class OrganisationAdminForm(forms.ModelForm):
    """What the service derives from is checked as on the owners' form: the number, the
    postcode (its municipality and province), the NACE codes (the sector)."""

    enterprise_number = EnterpriseNumberField()
    nace_codes = NaceCodesField(label=_("NACE codes"), required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "enterprise_number",
            "kind",
            "street",
            "postcode",
            "nace_codes",
            "headcount",
            "turnover",
            "balance_sheet",
            "estimated_figures",
            "public_body_share",
            "public_body_exception",
            "website",
            "phone",
        ]

    def clean_postcode(self):
        return place_for_postcode(self.cleaned_data["postcode"]).postcode


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Saved through services.organisation_save_by_staff: the place, size class and sector
    follow the row, an expert company's directory rows and cached pages too, and the change is
    audited. Names stay one plain line here too (the model's validator); the AdN's reserved
    words are refused on the users' forms only: an administrator may set a legitimate one."""

    form = OrganisationAdminForm

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
    readonly_fields = [
        "municipality",
        "province",
        "sector",
        "size_class",
        "kind_and_size",
        "legal_form",
        "founded_on",
        "register_matched_on",
        "in_the_register",
    ]
    inlines = [MembershipInline, RelatedEnterpriseInline]

    @admin.display(description=_("kind and size"))
    def kind_and_size(self, obj: Organisation) -> str:
        return obj.kind_conflict or "✓"

    @admin.display(description=_("in the Crossroads Bank for Enterprises"))
    def in_the_register(self, obj: Organisation) -> str:
        """What the enterprise register says today (docs/domain.md, The enterprise register)."""
        if obj.pk is None:
            return "—"
        return render_to_string(
            "companies/partials/register_comparison.html",
            {"comparison": register.comparison(obj), "organisation": obj},
        )

    def save_model(self, request, obj, form, change):
        services.organisation_save_by_staff(
            organisation=obj, fields=form.changed_data, by=request.user
        )

    def delete_model(self, request, obj):
        services.organisation_delete(organisation=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for organisation in queryset:
            services.organisation_delete(organisation=organisation, by=request.user)


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


class ExpertAdminForm(forms.ModelForm):
    """The code lists as the company's form offers them: only today's choices."""

    specialities = forms.MultipleChoiceField(
        label=_("AI specialities"), choices=Speciality.choices, widget=forms.CheckboxSelectMultiple
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors served"), choices=Sector.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    programmes = forms.MultipleChoiceField(
        label=_("Programmes you can deliver"),
        choices=Programme.Code.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Expert
        fields = [
            "slug",
            "description_fr",
            "description_en",
            "description_de",
            "specialities",
            "sectors",
            "languages",
            "programmes",
            "team_size",
            "logo",
            "public_email",
            "public_phone",
            "files_delivered",
        ]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    """Staff correct a profile here, saved through services.expert_save_by_staff (the
    directory's rows and cached pages follow, the change is audited). Recognition decisions
    are taken on the staff pages (services.expert_transition); companies apply on their own
    pages; a recognition is never deleted (its history is kept)."""

    form = ExpertAdminForm

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

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        services.expert_save_by_staff(expert=obj, fields=form.changed_data, by=request.user)


@admin.register(OwnershipClaim)
class OwnershipClaimAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: claims are decided on the staff pages (/espace-adn/revendications/), which
    move the ownership, notify both sides and leave an audit record."""

    list_display = ["organisation", "claimant", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "organisation__enterprise_number", "claimant__email"]
    list_select_related = ["organisation", "claimant"]
