"""AdN staff's pages (programme managers and administrators): the recognition of expert
companies, the changes they propose to their public profile, and ownership claims."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from adn_portal.accounts.permissions import MANAGERS, role_required
from adn_portal.lib.null_characters import posted_text

from .. import register, selectors, services, workflow
from ..forms.staff import ExpertDecisionForm, OwnershipClaimDecisionForm
from ..models import ClaimStatus, Expert, OwnershipClaim
from ..services import CompanyError
from ..workflow import Actor, RecognitionStatus
from .public import logo_response


def _expert(pk: int) -> Expert:
    expert = selectors.expert_for_staff(pk=pk)
    if expert is None:
        raise Http404
    return expert


def _claim(pk: int) -> OwnershipClaim:
    claim = selectors.ownership_claim_for_staff(pk=pk)
    if claim is None:
        raise Http404
    return claim


# ---------------------------------------------------------------------------------------------
# Recognition of expert companies


@role_required(*MANAGERS)
def staff_expert_list(request):
    status = request.GET.get("status") or None
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
    expert = _expert(pk)
    form = ExpertDecisionForm(request.POST or None, expert=expert)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_transition(
                expert=expert,
                to=request.POST.get("to", ""),
                actor=Actor.STAFF,
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
            "moves": workflow.staff_moves(expert.status),
            "events": expert.events.select_related("by"),
            "pending": selectors.pending_profile_change(expert),
        },
    )


@role_required(*MANAGERS)
@require_POST
def staff_profile_change_decide(request, pk: int):
    expert = _expert(pk)
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
    change = selectors.pending_profile_change(_expert(pk))
    if change is None or not change.logo:
        raise Http404
    return logo_response(change.logo, cache_control="private, no-store")


# ---------------------------------------------------------------------------------------------
# Ownership claims


@never_cache
@role_required(*MANAGERS)
def staff_claim_list(request):
    status = request.GET.get("status")
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
    claim = _claim(pk)
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
        {
            "claim": claim,
            "form": form,
            "others": selectors.other_claims_on(claim),
            # What the register says of the number: who the organisation officially is.
            "comparison": register.comparison(claim.organisation),
        },
    )


@role_required(*MANAGERS)
def staff_claim_document(request, pk: int):
    claim = _claim(pk)
    if not claim.document:
        raise Http404
    response = FileResponse(
        claim.document.open("rb"), as_attachment=True, filename=claim.document_name or "document"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
