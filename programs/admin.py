from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.admin import CheckedPrefill, ReadOnly

from . import selectors, services
from .application_forms import DefinitionError
from .application_forms.definition import text
from .forms import CallAdminForm, CallDocumentAdminForm
from .models import (
    Call,
    CallDocument,
    CallQuestion,
    FormVersion,
    Programme,
    ProgrammeStaff,
    ScoringCriterion,
)


class ProgrammeStaffInline(admin.TabularInline):
    model = ProgrammeStaff
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "previous"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProgrammeStaffInline]


class ScoringCriterionInline(ReadOnly, admin.TabularInline):
    """The review form's criteria, every version, read only: they are changed on the call's
    review form page in the staff area (programs.services.review_criteria_save), which keeps
    the versions reviews answered."""

    model = ScoringCriterion
    extra = 0
    fields = ["version", "position", "label_fr", "scale_min", "scale_max", "weight"]
    readonly_fields = fields
    verbose_name_plural = _("review form (changed on the call's review form page)")


class CallQuestionInline(admin.StackedInline):
    """The call's FAQ, saved through services.call_questions_save (CallAdmin.save_formset):
    by the programme's managers only, audited."""

    model = CallQuestion
    extra = 0
    fields = [
        "position",
        ("question_fr", "question_en", "question_de"),
        "answer_fr",
        "answer_en",
        "answer_de",
    ]

    def _manages(self, request, obj) -> bool:
        return obj is None or selectors.manages(request.user, obj.programme_id)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._manages(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages(request, obj)


@admin.register(Call)
class CallAdmin(CheckedPrefill, admin.ModelAdmin):
    form = CallAdminForm
    inlines = [ScoringCriterionInline, CallQuestionInline]
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

    def save_formset(self, request, form, formset, change):
        if formset.model is not CallQuestion:
            return super().save_formset(request, form, formset, change)
        entries = [
            {
                **f.cleaned_data,
                "id": f.cleaned_data["id"].pk if f.cleaned_data.get("id") else None,
                "delete": f.cleaned_data.get("DELETE", False),
            }
            for f in formset.forms
            if f.cleaned_data and (f.has_changed() or f.cleaned_data.get("DELETE"))
        ]
        services.call_questions_save(call=form.instance, entries=entries, by=request.user)


@admin.register(CallDocument)
class CallDocumentAdmin(admin.ModelAdmin):
    """Documents of calls' pages: added, changed and removed through the services (content
    checked like every upload, audited), by the programme's managers."""

    form = CallDocumentAdminForm
    list_display = ["title_fr", "call", "kind", "original_name", "size", "uploaded_at"]
    list_filter = ["kind", "call__programme"]
    search_fields = ["title_fr", "title_en", "title_de", "original_name", "call__title_fr"]
    list_select_related = ["call"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]

    def get_readonly_fields(self, request, obj=None):
        # A stored file stays with its call: replace it by removing it and adding another.
        return [*self.readonly_fields, "call"] if obj else self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["call", "kind", "title_fr", "title_en", "title_de", "position"]
        return [*fields, *self.readonly_fields] if obj else [*fields, "upload"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "call":
            kwargs["queryset"] = selectors.calls_managed(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _manages(self, request, obj) -> bool:
        return obj is None or selectors.manages(request.user, obj.call.programme_id)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        titles = {name: data[name] for name in services.TITLE_FIELDS}
        if change:
            services.call_document_update(
                document=obj,
                kind=data["kind"],
                position=data["position"],
                by=request.user,
                **titles,
            )
            return
        document = services.call_document_add(
            call=data["call"],
            upload=data["upload"],
            kind=data["kind"],
            position=data["position"],
            by=request.user,
            **titles,
        )
        # The admin goes on with `obj` (its change message, the redirect): the stored row.
        for field in CallDocument._meta.concrete_fields:
            setattr(obj, field.attname, getattr(document, field.attname))

    def delete_model(self, request, obj):
        services.call_document_remove(document=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for document in queryset.select_related("call"):
            services.call_document_remove(document=document, by=request.user)


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnly, admin.ModelAdmin):
    """The application forms' versions, read only: a version files answer is never changed (a
    submitted file is shown with its questions forever) nor deleted (the files point at it),
    and forms are made and changed in the staff area's builder
    (applications.services.forms.application_form_save, audited), which makes the next
    version once a file answering the current one is submitted."""

    list_display = ["call", "number", "created_by", "created_at", "files", "current"]
    list_filter = ["call__programme"]
    search_fields = ["call__title_fr", "call__slug"]
    list_select_related = ["call", "created_by"]
    fields = ["call", "number", "created_by", "created_at", "updated_at", "files", "summary"]
    readonly_fields = fields
    actions = None  # no "delete the selected versions"

    def get_queryset(self, request):
        latest = FormVersion.objects.filter(call=OuterRef("call")).order_by("-number")
        return (
            super()
            .get_queryset(request)
            .annotate(
                file_count=Count("applications"),
                latest=Subquery(latest.values("number")[:1]),
            )
        )

    @admin.display(description=_("files answering it"), ordering="file_count")
    def files(self, version: FormVersion) -> int:
        return version.file_count

    @admin.display(description=_("new files answer it"), boolean=True)
    def current(self, version: FormVersion) -> bool:
        return version.number == version.latest

    @admin.display(description=_("steps and questions"))
    def summary(self, version: FormVersion) -> str:
        try:
            steps = version.form.steps
        except DefinitionError as error:  # checked when saved: only a row written by hand
            return format_html("<p>{}</p>", error)
        return format_html_join(
            "",
            "<h3>{} <code>{}</code></h3><ol>{}</ol>",
            ((step.title_text, step.slug, self._questions(step.questions)) for step in steps),
        )

    def _questions(self, questions) -> str:
        return format_html_join(
            "",
            "<li>{} <code>{}</code> · {}{}{}{}{}</li>",
            (
                (
                    q.label_text or "—",
                    q.name,
                    q.kind.replace("_", " "),
                    self._parts(q),
                    format_html(" · {}", _("required") if q.required else _("optional")),
                    format_html(" · {}", _("role: %(role)s") % {"role": q.role}) if q.role else "",
                    format_html(
                        " · {}",
                        _("shown if %(question)s = %(answer)s")
                        % {"question": q.show_if["question"], "answer": q.show_if["equals"]},
                    )
                    if q.show_if
                    else "",
                )
                for q in questions
            ),
        )

    def _parts(self, question) -> str:
        """A table's columns, a choice's answers."""
        parts = [c.name for c in question.columns] or [
            text(label) or value for value, label in question.choices
        ]
        return format_html(" ({})", ", ".join(parts)) if parts else ""
