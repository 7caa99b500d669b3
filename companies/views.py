import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from adn_portal.accounts.permissions import MANAGERS, has_role, role_required
from adn_portal.lib.null_characters import posted_text
from adn_portal.lib.page_cache import serve as serve_page
from adn_portal.lib.pagination import page_with_total
from adn_portal.lib.spreadsheet import write_csv
from programs.models import Programme

from . import lifecycle, selectors, services, sme
from .forms import (
    FACET_LABELS,
    DirectoryForm,
    ExpertDecisionForm,
    ExpertProfileForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
    OwnershipClaimDecisionForm,
    OwnershipClaimForm,
    PublicControlForm,
    ReferenceFormSet,
    RelatedEnterpriseFormSet,
    related_enterprise_initial,
)
from .models import (
    ClaimStatus,
    Expert,
    JoinRequest,
    Language,
    Membership,
    RecognitionStatus,
    Sector,
    Speciality,
    known_codes,
)
from .services import CompanyError, InvitationLimitReached

PAGE_SIZE = 20
# Kinds are text choices: str() gives their value, the name a query string uses.
DIRECTORY_PARAMS = frozenset(
    map(str, [*DirectoryForm.base_fields, *selectors.FACET_CHOICES, "page"])
)
ACTIVE_ORGANISATION = "organisation_id"


def active_organisation(request):
    """The organisation the user acts for now (chosen in the session, else their first)."""
    organisations = selectors.organisations_of(request.user).order_by("name")
    chosen = request.session.get(ACTIVE_ORGANISATION)
    return (chosen and organisations.filter(pk=chosen).first()) or organisations.first()


# ---------------------------------------------------------------------------------------------
# Public directory


def expert_directory(request):
    """The public directory. Visitors get whole pages from the cache; every change to an
    expert or its recognition invalidates them (services.directory_changed)."""
    return serve_page(
        request,
        name="directory",
        version_key=services.DIRECTORY_VERSION_KEY,
        render=lambda extra: _render_directory(request, extra),
        params=DIRECTORY_PARAMS,
        extra=str(timezone.localdate()),
    )


def _render_directory(request, extra: dict):
    form = DirectoryForm(request.GET or None)
    query = form.to_query() if request.GET else DirectoryForm({}).to_query()
    params = request.GET.copy()
    params.pop("page", None)
    experts, facets = selectors.directory(query, today=timezone.localdate())
    context = {
        "form": form,
        "query": query,
        "querystring": params.urlencode(),
        "page": page_with_total(experts, request.GET.get("page"), PAGE_SIZE),
        "facets": [(kind, FACET_LABELS[kind], options) for kind, options in facets.items()],
        **extra,
    }
    context["body"] = render_to_string("companies/partials/directory_body.html", context)
    return render(request, "companies/directory.html", context)


EXPORT_FIELDS = [
    "name",
    "enterprise_number",
    "municipality",
    "postcode",
    "province",
    "specialities",
    "sectors",
    "languages",
    "programmes",
    "website",
    "public_email",
    "public_phone",
    "recognised_from",
    "recognised_until",
    "files_delivered",
    "url",
]


def _export_row(request, expert: Expert) -> dict:
    organisation = expert.organisation
    return {
        "name": organisation.name,
        "enterprise_number": organisation.enterprise_number_display,
        "municipality": organisation.municipality,
        "postcode": organisation.postcode,
        "province": organisation.province,
        "specialities": known_codes(expert.specialities, Speciality),
        "sectors": known_codes(expert.sectors, Sector),
        "languages": known_codes(expert.languages, Language),
        "programmes": known_codes(expert.programmes, Programme.Code),
        "website": organisation.website,
        "public_email": expert.public_email,
        "public_phone": expert.public_phone,
        "recognised_from": expert.recognised_from.isoformat(),
        "recognised_until": expert.recognised_until.isoformat(),
        "files_delivered": expert.files_delivered,
        "url": request.build_absolute_uri(expert.get_absolute_url()),
    }


def experts_export(request, fmt: str):
    """Open data: the directory (with the same filters) as CSV or JSON."""
    query = DirectoryForm(request.GET).to_query()
    experts, _facets = selectors.directory(query, today=timezone.localdate())
    rows = [_export_row(request, expert) for expert in experts]
    if fmt == "json":
        response = HttpResponse(
            json.dumps({"count": len(rows), "experts": rows}, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_csv(
            response,
            EXPORT_FIELDS,
            (
                ["|".join(v) if isinstance(v, list) else v for v in (row[k] for k in EXPORT_FIELDS)]
                for row in rows
            ),
        )
    response["Content-Disposition"] = f'attachment; filename="experts-ia-wallonie.{fmt}"'
    return response


def expert_detail(request, slug: str):
    expert = selectors.expert_public(slug=slug, today=timezone.localdate())
    return render(request, "companies/expert_detail.html", {"expert": expert})


def expert_logo(request, slug: str):
    expert = get_object_or_404(Expert, slug=slug)
    visible = expert.is_listed_on(timezone.localdate()) or (
        request.user.is_authenticated
        and (
            has_role(request.user, *MANAGERS)
            or services.is_member(request.user, expert.organisation)
        )
    )
    if not visible or not expert.logo:
        raise Http404
    response = FileResponse(expert.logo.open("rb"), content_type=_logo_type(expert.logo.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _logo_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
    }.get(extension, "application/octet-stream")


# ---------------------------------------------------------------------------------------------
# Organisations and their members


@login_required
def organisation_list(request):
    return render(
        request,
        "companies/organisation_list.html",
        {
            "memberships": selectors.memberships_of(request.user),
            "active": active_organisation(request),
        },
    )


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                organisation=form.save(commit=False), by=request.user
            )
        except (CompanyError, ValidationError) as error:
            form.add_error(
                None, error.messages[0] if isinstance(error, ValidationError) else str(error)
            )
        else:
            request.session[ACTIVE_ORGANISATION] = organisation.pk
            messages.success(request, _("Your organisation is registered."))
            return redirect(organisation)
    duplicate = form.has_error("enterprise_number", "duplicate")
    return render(
        request, "companies/organisation_form.html", {"form": form, "duplicate": duplicate}
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    return _organisation_page(request, organisation)


def _organisation_page(request, organisation, *, invitation_form=None, status: int = 200):
    owner = services.is_owner(request.user, organisation)
    return render(
        request,
        "companies/organisation_detail.html",
        {
            "organisation": organisation,
            "is_owner": owner,
            "members": selectors.organisation_members(organisation),
            "join_requests": selectors.pending_join_requests(organisation) if owner else [],
            "invitation_form": (invitation_form or InvitationForm()) if owner else None,
        },
        status=status,
    )


@login_required
def organisation_edit(request, pk: int):
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    if not services.is_owner(request.user, organisation):
        raise Http404
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        change = services.organisation_update(organisation=form.save(commit=False), by=request.user)
        messages.success(request, _("The details are saved."))
        if change is not None:
            messages.info(request, PENDING_IDENTITY_MESSAGE)
        return redirect(organisation)
    return render(
        request, "companies/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def organisation_structure(request, pk: int):
    """The SME definition beyond the organisation itself: public bodies' share, partner and
    linked enterprises (companies/sme.py). Owners only, like the organisation's details."""
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    if not services.is_owner(request.user, organisation):
        raise Http404
    data = request.POST if request.method == "POST" else None
    public_form = PublicControlForm(
        data,
        initial={
            "public_body_share": organisation.public_body_share,
            "public_body_exception": organisation.public_body_exception,
        },
    )
    formset = RelatedEnterpriseFormSet(
        data,
        prefix="related",
        initial=[related_enterprise_initial(row) for row in organisation.related_enterprises.all()],
    )
    if data is not None and public_form.is_valid() and formset.is_valid():
        try:
            organisation = services.organisation_declare_structure(
                organisation=organisation,
                public_body_share=public_form.cleaned_data["public_body_share"],
                public_body_exception=public_form.cleaned_data["public_body_exception"],
                related=formset.declared_rows(),
                by=request.user,
            )
        except ValidationError as error:
            _show_structure_errors(error, public_form, formset)
        else:
            messages.success(request, _("The partner and linked enterprises are saved."))
            return redirect(organisation)
    counted = sme.counted_figures(sme.own_figures(organisation), sme.related_of(organisation))
    return render(
        request,
        "companies/organisation_structure.html",
        {
            "organisation": organisation,
            "public_form": public_form,
            "formset": formset,
            "counted": counted,
        },
    )


def _show_structure_errors(error: ValidationError, public_form, formset) -> None:
    """The service's refusals on the whole declaration, beside the fields they are about."""
    for field, errors in error.error_dict.items():
        if field in public_form.fields:
            public_form.add_error(field, errors)
        else:
            formset.non_form_errors().extend(errors)


@login_required
@require_POST
def organisation_activate(request, pk: int):
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    request.session[ACTIVE_ORGANISATION] = organisation.pk
    messages.success(request, _("You now act for %(name)s.") % {"name": organisation.name})
    return redirect("companies:organisation_list")


@login_required
@require_POST
def organisation_invite(request, pk: int):
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    if not services.is_owner(request.user, organisation):
        raise Http404
    form = InvitationForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.organisation_invite(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except CompanyError as error:
            form.add_error("email", str(error))
            status = 429 if isinstance(error, InvitationLimitReached) else 200
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
            return redirect(organisation)
    # The error next to the field, on the organisation's page.
    return _organisation_page(request, organisation, invitation_form=form, status=status)


@login_required
@require_POST
def membership_remove(request, pk: int, membership_pk: int):
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except CompanyError as error:
        messages.error(request, str(error))
    return redirect(organisation)


@login_required
@require_POST
def join_request_decide(request, pk: int, request_pk: int):
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    join_request = get_object_or_404(JoinRequest, pk=request_pk, organisation=organisation)
    try:
        services.join_request_decide(
            join_request=join_request, accept=request.POST.get("accept") == "1", by=request.user
        )
    except CompanyError as error:
        messages.error(request, str(error))
    return redirect(organisation)


@login_required
def organisation_join(request):
    form = JoinRequestForm(
        request.POST or None, initial={"enterprise_number": request.GET.get("numero", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(user=request.user, **form.cleaned_data)
        except CompanyError as error:
            form.add_error("enterprise_number", str(error))
        else:
            messages.success(request, _("Your request was sent to the organisation's owners."))
            return redirect("companies:organisation_list")
    return render(request, "companies/organisation_join.html", {"form": form})


@login_required
def organisation_claim(request):
    """The enterprise number is held by others: ask the AdN to give the organisation to its
    real representative."""
    form = OwnershipClaimForm(
        request.POST or None,
        request.FILES or None,
        initial={"enterprise_number": request.GET.get("numero", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ownership_claim_create(
                enterprise_number=form.cleaned_data["enterprise_number"],
                claimant=request.user,
                message=form.cleaned_data["message"],
                document=form.cleaned_data["document"],
            )
        except ValidationError as error:  # the document, checked by content
            form.add_error("document", error)
        except CompanyError as error:
            form.add_error("enterprise_number", str(error))
        else:
            messages.success(
                request,
                _("Your claim is sent. The AdN will check it and write to you."),
            )
            return redirect("companies:organisation_list")
    return render(request, "companies/organisation_claim.html", {"form": form})


@login_required
def invitation_accept(request, token: str):
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except CompanyError as error:
            messages.error(request, str(error))
            return redirect("companies:organisation_list")
        request.session[ACTIVE_ORGANISATION] = membership.organisation_id
        messages.success(
            request, _("Welcome to %(name)s.") % {"name": membership.organisation.name}
        )
        return redirect(membership.organisation)
    return render(request, "companies/invitation_accept.html", {"token": token})


# ---------------------------------------------------------------------------------------------
# Expert companies


PENDING_IDENTITY_MESSAGE = gettext_lazy(
    "Your changes to the public profile (name, website, logo, contact, description or "
    "specialities) will be published once the AdN accepts them."
)


@login_required
def expert_apply(request):
    organisation = active_organisation(request)
    if organisation is None:
        messages.info(request, _("Register your company first, then apply for recognition."))
        return redirect("companies:organisation_create")
    if hasattr(organisation, "expert"):
        return redirect("companies:expert_profile")
    form = ExpertProfileForm(request.POST or None, request.FILES or None)
    references = ReferenceFormSet(request.POST or None, prefix="ref")
    if request.method == "POST" and form.is_valid() and references.is_valid():
        expert = form.save(commit=False)
        expert.organisation = organisation
        try:
            services.expert_apply(
                expert=expert, references=[f.cleaned_data for f in references], by=request.user
            )
        except CompanyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Your application is sent. The AdN will review it and write to you.")
            )
            return redirect("companies:expert_profile")
    return render(
        request,
        "companies/expert_apply.html",
        {"form": form, "references": references, "organisation": organisation},
    )


@login_required
def expert_profile(request):
    expert = selectors.expert_of_member(user=request.user)
    if expert is None:
        return redirect("companies:expert_apply")
    pending = selectors.pending_profile_change(expert)
    form = ExpertProfileForm.for_expert(expert, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        answer_text = posted_text(request, "answer_text")  # checked before anything is saved
        try:
            change = services.expert_update_profile(
                expert=expert, data=form.changes(), by=request.user
            )
            if request.POST.get("answer") and expert.status == RecognitionStatus.INFO_REQUESTED:
                services.expert_transition(
                    expert=expert,
                    action=lifecycle.A.ANSWERED,
                    by=request.user,
                    comment=answer_text,
                )
        except CompanyError as error:
            form.add_error(None, str(error))
        else:
            if change:
                messages.info(request, PENDING_IDENTITY_MESSAGE)
            else:
                messages.success(request, _("Your profile is saved."))
            return redirect("companies:expert_profile")
    expert.refresh_from_db()
    return render(
        request,
        "companies/expert_profile.html",
        {
            "expert": expert,
            "form": form,
            "pending": pending,
            "events": expert.events.select_related("by")[:20],
        },
    )


# ---------------------------------------------------------------------------------------------
# Staff: recognition of expert companies


@role_required(*MANAGERS)
def staff_expert_list(request):
    status = request.GET.get("statut") or None
    if status not in RecognitionStatus.values:
        status = None
    experts = selectors.experts_for_staff(status=status)
    page = Paginator(experts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/staff_expert_list.html",
        {
            "page": page,
            "status": status,
            "counts": selectors.recognition_counts(),
            "statuses": RecognitionStatus.choices,
        },
    )


@role_required(*MANAGERS)
def staff_expert_detail(request, pk: int):
    expert = selectors.expert_for_staff(pk=pk)
    form = ExpertDecisionForm(request.POST or None, expert=expert)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "")
        try:
            services.expert_transition(
                expert=expert,
                action=action,
                by=request.user,
                comment=form.cleaned_data["comment"],
                valid_from=form.cleaned_data["valid_from"],
                years=form.cleaned_data["years"],
            )
        except CompanyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("companies:staff_expert_detail", pk=expert.pk)
    return render(
        request,
        "companies/staff_expert_detail.html",
        {
            "expert": expert,
            "form": form,
            "actions": [
                (a, lifecycle.BUTTON_LABELS[a]) for a in lifecycle.staff_actions_from(expert.status)
            ],
            "events": expert.events.select_related("by"),
            "pending": selectors.pending_profile_change(expert),
        },
    )


@role_required(*MANAGERS)
@require_POST
def staff_profile_change_decide(request, pk: int):
    expert = selectors.expert_for_staff(pk=pk)
    change = selectors.pending_profile_change(expert)
    if change is None:
        raise Http404
    services.expert_profile_change_decide(
        change=change,
        accept=request.POST.get("accept") == "1",
        by=request.user,
        comment=posted_text(request, "comment"),
    )
    messages.success(request, _("Decision recorded."))
    return redirect("companies:staff_expert_detail", pk=expert.pk)


@role_required(*MANAGERS)
def staff_profile_change_logo(request, pk: int):
    """The logo a company proposes, for staff to look at before it is public."""
    expert = selectors.expert_for_staff(pk=pk)
    change = selectors.pending_profile_change(expert)
    if change is None or not change.logo:
        raise Http404
    response = FileResponse(change.logo.open("rb"), content_type=_logo_type(change.logo.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Staff: ownership claims


@never_cache
@role_required(*MANAGERS)
def staff_claim_list(request):
    status = request.GET.get("statut")
    if status not in ClaimStatus.values:
        status = ClaimStatus.PENDING
    claims = selectors.ownership_claims_for_staff(status=status)
    return render(
        request,
        "companies/staff_claim_list.html",
        {
            "page": Paginator(claims, 50).get_page(request.GET.get("page")),
            "status": status,
            "statuses": ClaimStatus.choices,
        },
    )


@never_cache
@role_required(*MANAGERS)
def staff_claim_detail(request, pk: int):
    claim = selectors.ownership_claim_for_staff(pk=pk)
    form = OwnershipClaimDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ownership_claim_decide(
                claim=claim,
                grant=request.POST.get("grant") == "1",
                by=request.user,
                **form.cleaned_data,
            )
        except CompanyError as error:
            form.add_error("comment", str(error))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("companies:staff_claim_detail", pk=claim.pk)
    return render(
        request,
        "companies/staff_claim_detail.html",
        {"claim": claim, "form": form, "others": selectors.other_claims_on(claim)},
    )


@role_required(*MANAGERS)
def staff_claim_document(request, pk: int):
    claim = selectors.ownership_claim_for_staff(pk=pk)
    if not claim.document:
        raise Http404
    response = FileResponse(
        claim.document.open("rb"), as_attachment=True, filename=claim.document_name or "document"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
