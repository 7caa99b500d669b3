from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent
from adn_portal.lib.admin import CheckedPrefill, ReadOnly

from . import services
from .models import (
    AgreementTemplate,
    Application,
    ApplicationEvent,
    ConflictOfInterest,
    MessageTemplate,
)


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
class ApplicationAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: every change to a file goes through the services (audited)."""

    list_display = ["reference", "organisation", "call", "status", "submitted_at"]
    list_filter = ["status", "programme"]
    search_fields = ["reference", "organisation__name", "title"]
    list_select_related = ["organisation", "call"]
    inlines = [EventInline]

    def get_queryset(self, request):
        # A declared conflict of interest hides the organisation's files here as on the pages.
        return (
            super()
            .get_queryset(request)
            .exclude(organisation__conflicts_of_interest__reviewer=request.user)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:  # shown, not refused or redirected
            audit(AuditEvent.Action.FILE_VIEWED, request=request, application=int(object_id))
        return response


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Edited here, the admin being their editor: texts that no rule or side effect hangs on (the
    decision service reads them when it writes to the applicant)."""

    list_display = ["kind", "programme", "subject_fr"]
    list_filter = ["kind", "programme"]


AGREEMENT_TEXTS = ["title_fr", "title_en", "title_de", "body_fr", "body_en", "body_de"]


class AgreementTemplateForm(forms.ModelForm):
    """Each text must be a template that renders: a broken one would stop every agreement of
    the programme from being drafted as a PDF."""

    class Meta:
        model = AgreementTemplate
        fields = ["programme", *AGREEMENT_TEXTS]

    def clean(self):
        cleaned = super().clean()
        for name in AGREEMENT_TEXTS:
            try:
                Template(cleaned.get(name) or "")
            except TemplateSyntaxError as error:
                self.add_error(
                    name, ValidationError(_("This text is not a valid template: %s") % error)
                )
        return cleaned


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    """The agreements' text per programme (or for every programme), in three languages, edited
    here like the decisions' message templates: an agreement drafted afterwards reads it when
    its PDF is first rendered; the PDFs already rendered keep their text."""

    form = AgreementTemplateForm
    list_display = ["__str__", "title_fr"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(CheckedPrefill, admin.ModelAdmin):
    """Declared and taken back through the services (the reviewer's files of the organisation
    go back to the pool); a declaration is not edited: take it back and declare it again."""

    list_display = ["reviewer", "organisation", "declared_at"]
    autocomplete_fields = ["reviewer", "organisation"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        declared = services.conflict_declare(
            reviewer=obj.reviewer, organisation=obj.organisation, reason=obj.reason
        )
        obj.pk, obj.declared_at = declared.pk, declared.declared_at

    def delete_model(self, request, obj):
        services.conflicts_withdraw(conflicts=[obj])

    def delete_queryset(self, request, queryset):
        services.conflicts_withdraw(conflicts=list(queryset))
