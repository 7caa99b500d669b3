"""The pages of the people who act for an organisation: its details and SME declaration, its
members, invitations and requests to join, ownership claims they file, and their expert
company's application and profile. Another organisation's pages are a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from adn_portal.lib.null_characters import posted_text
from adn_portal.lib.redirects import safe_next

from .. import register, selectors, services, sme
from ..forms.owner import (
    ExpertProfileForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
    OwnershipClaimForm,
    PublicControlForm,
    ReferenceFormSet,
    RelatedEnterpriseFormSet,
    related_enterprise_initial,
)
from ..models import JoinRequest, Membership, Organisation
from ..services import CompanyError, InvitationLimitReached
from ..session import active_organisation, choose_organisation
from ..workflow import Actor, RecognitionStatus


def _organisation_of_member(request, pk: int) -> Organisation:
    organisation = selectors.organisation_for_member(user=request.user, pk=pk)
    if organisation is None:
        raise Http404
    return organisation


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
            choose_organisation(request, organisation.pk)
            messages.success(request, _("Your organisation is registered."))
            # Back to what asked for it (an application to start, an expert to choose).
            return redirect(safe_next(request, organisation.get_absolute_url()))
    duplicate = form.has_error("enterprise_number", "duplicate")
    return render(
        request,
        "companies/organisation_form.html",
        {"form": form, "duplicate": duplicate, "next": safe_next(request, "")},
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = _organisation_of_member(request, pk)
    return _organisation_page(request, organisation)


def _organisation_page(request, organisation, *, invitation_form=None, status: int = 200):
    owner = selectors.is_owner(request.user, organisation)
    return render(
        request,
        "companies/organisation_detail.html",
        {
            "organisation": organisation,
            "legal_form": register.legal_form_label(organisation.legal_form),
            "is_owner": owner,
            "members": selectors.organisation_members(organisation),
            "join_requests": selectors.pending_join_requests(organisation) if owner else [],
            "invitation_form": (invitation_form or InvitationForm()) if owner else None,
        },
        status=status,
    )


@login_required
def organisation_edit(request, pk: int):
    organisation = _organisation_of_member(request, pk)
    if not selectors.is_owner(request.user, organisation):
        raise Http404
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        change = services.organisation_update(organisation=form.save(commit=False), by=request.user)
        messages.success(request, _("The details are saved."))
        if change is not None:
            messages.info(request, PENDING_IDENTITY_MESSAGE)
        # Back to the page that sent them here (an application's check, its review).
        return redirect(safe_next(request, organisation.get_absolute_url()))
    return render(
        request,
        "companies/organisation_form.html",
        {"form": form, "organisation": organisation, "next": safe_next(request, "")},
    )


@login_required
def organisation_structure(request, pk: int):
    """The SME definition beyond the organisation itself: public bodies' share, partner and
    linked enterprises (companies/sme.py). Owners only, like the organisation's details."""
    organisation = _organisation_of_member(request, pk)
    if not selectors.is_owner(request.user, organisation):
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
            return redirect(safe_next(request, organisation.get_absolute_url()))
    counted = sme.counted_figures(sme.own_figures(organisation), sme.related_of(organisation))
    return render(
        request,
        "companies/organisation_structure.html",
        {
            "organisation": organisation,
            "public_form": public_form,
            "formset": formset,
            "counted": counted,
            "next": safe_next(request, ""),
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
    organisation = _organisation_of_member(request, pk)
    choose_organisation(request, organisation.pk)
    messages.success(request, _("You now act for %(name)s.") % {"name": organisation.name})
    return redirect("companies:organisation_list")


@login_required
@require_POST
def organisation_invite(request, pk: int):
    organisation = _organisation_of_member(request, pk)
    if not selectors.is_owner(request.user, organisation):
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
    organisation = _organisation_of_member(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except CompanyError as error:
        messages.error(request, str(error))
    return redirect(organisation)


@login_required
@require_POST
def join_request_decide(request, pk: int, request_pk: int):
    organisation = _organisation_of_member(request, pk)
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
        request.POST or None, initial={"enterprise_number": request.GET.get("number", "")}
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
        initial={"enterprise_number": request.GET.get("number", "")},
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
        choose_organisation(request, membership.organisation_id)
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
                    to=RecognitionStatus.SUBMITTED,
                    actor=Actor.COMPANY,
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
