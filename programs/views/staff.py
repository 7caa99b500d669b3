"""The staff's pages of calls: programme managers keep each call's documents, FAQ and contact
(administrators any call's)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from adn_portal.accounts.permissions import MANAGERS, role_required
from adn_portal.lib.uploads import upload_refusal

from .. import selectors, services
from ..forms import (
    CallContactForm,
    CallDocumentForm,
    CallQuestionFormSet,
    ReviewCriterionFormSet,
    ReviewFormCopyForm,
    question_entries,
)
from ..models import Call


def _call(request, slug: str) -> Call:
    call = selectors.call_managed(user=request.user, slug=slug)
    if call is None:
        raise Http404
    return call


@role_required(*MANAGERS)
def calls(request):
    return render(
        request, "programs/staff/calls.html", {"calls": selectors.calls_managed(request.user)}
    )


@role_required(*MANAGERS)
def call_content(request, slug: str):
    return _content_page(request, _call(request, slug))


def _content_page(request, call: Call, *, status: int = 200, **bound):
    questions = [
        {"id": q.pk, **{name: getattr(q, name) for name in services.QUESTION_FIELDS}}
        for q in call.question_list
    ]
    forms = {
        "document_form": CallDocumentForm(initial={"position": len(call.document_list)}),
        "question_formset": CallQuestionFormSet(initial=questions, prefix="faq"),
        "contact_form": CallContactForm(instance=call),
    } | bound
    return render(
        request, "programs/staff/call_content.html", {"call": call, **forms}, status=status
    )


@role_required(*MANAGERS)
@require_POST
def call_document_add(request, slug: str):
    call = _call(request, slug)
    form = CallDocumentForm(request.POST, request.FILES)
    refusal = upload_refusal(request)
    if refusal:
        form.add_error(None, refusal)
    elif form.is_valid():
        try:
            services.call_document_add(call=call, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("upload", error)
        else:
            messages.success(request, _("The document is on the call's page."))
            return redirect("programs:staff_call_content", slug=call.slug)
    return _content_page(request, call, status=400, document_form=form)


@role_required(*MANAGERS)
@require_POST
def call_document_remove(request, slug: str, document_pk: int):
    call = _call(request, slug)
    document = next((d for d in call.document_list if d.pk == document_pk), None)
    if document is None:
        raise Http404
    services.call_document_remove(document=document, by=request.user)
    messages.success(request, _("The document was removed from the call's page."))
    return redirect("programs:staff_call_content", slug=call.slug)


@role_required(*MANAGERS)
@require_POST
def call_questions(request, slug: str):
    call = _call(request, slug)
    formset = CallQuestionFormSet(request.POST, prefix="faq")
    if not formset.is_valid():
        return _content_page(request, call, status=400, question_formset=formset)
    services.call_questions_save(call=call, entries=question_entries(formset), by=request.user)
    messages.success(request, _("The questions and answers are saved."))
    return redirect("programs:staff_call_content", slug=call.slug)


@role_required(*MANAGERS)
@require_POST
def call_contact(request, slug: str):
    call = _call(request, slug)
    form = CallContactForm(request.POST, instance=Call(programme=call.programme))
    if not form.is_valid():
        return _content_page(request, call, status=400, contact_form=form)
    services.call_contact_update(
        call=call,
        email=form.cleaned_data["contact_email"],
        phone=form.cleaned_data["contact_phone"],
        by=request.user,
    )
    messages.success(request, _("The contact is saved."))
    return redirect("programs:staff_call_content", slug=call.slug)


# --- the call's review form (docs/domain.md, Reviews) ------------------------------------------


def _review_form_page(request, call: Call, *, status: int = 200, **bound):
    criteria = selectors.review_criteria(call)
    initial = [
        {"id": c.pk, **{name: getattr(c, name) for name in services.CRITERION_FIELDS}}
        for c in criteria
    ]
    forms = {
        "criteria_formset": ReviewCriterionFormSet(initial=initial, prefix="criteria"),
        "copy_form": ReviewFormCopyForm(
            calls=selectors.calls_managed(request.user).exclude(pk=call.pk)
        ),
    } | bound
    return render(
        request,
        "programs/staff/review_form.html",
        {"call": call, "criteria": criteria, **forms},
        status=status,
    )


@role_required(*MANAGERS)
def call_review_form(request, slug: str):
    """The call's review form: its criteria (scale, weight, guidance in three languages), kept
    by the programme's managers. Once a review answered it, a change makes the next version."""
    call = _call(request, slug)
    if request.method != "POST":
        return _review_form_page(request, call)
    formset = ReviewCriterionFormSet(request.POST, prefix="criteria")
    if not formset.is_valid():
        return _review_form_page(request, call, status=400, criteria_formset=formset)
    version = call.review_version
    services.review_criteria_save(call=call, entries=question_entries(formset), by=request.user)
    call.refresh_from_db(fields=["review_version"])
    if call.review_version != version:
        done = _(
            "The review form of %(call)s is saved as version %(version)s: the reviews already "
            "given keep the version they answered."
        )
    else:
        done = _("The review form of %(call)s is saved (version %(version)s).")
    messages.success(request, done % {"call": call.label, "version": call.review_version})
    return redirect("programs:staff_call_review_form", slug=call.slug)


@role_required(*MANAGERS)
@require_POST
def call_review_form_copy(request, slug: str):
    """Replace the call's review form by a copy of another call's."""
    call = _call(request, slug)
    form = ReviewFormCopyForm(
        request.POST, calls=selectors.calls_managed(request.user).exclude(pk=call.pk)
    )
    if not form.is_valid():
        return _review_form_page(request, call, status=400, copy_form=form)
    source = form.cleaned_data["source"]
    criteria = services.review_criteria_copy(call=call, source=source, by=request.user)
    messages.success(
        request,
        _("%(count)s criteria copied from %(source)s into the review form of %(call)s.")
        % {"count": len(criteria), "source": source.label, "call": call.label},
    )
    return redirect("programs:staff_call_review_form", slug=call.slug)
