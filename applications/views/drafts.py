"""The applicant's form: starting a file (and coming back to it after signing up, logging in or
registering the organisation), its steps, the drafts saved while typing, the review page that
submits it with the declarations, and choosing an expert from the directory."""

import json
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from adn_portal.lib.numbers import whole_number
from adn_portal.lib.redirects import safe_next
from companies import selectors as company_selectors
from companies.session import active_organisation
from programs.models import Call

from .. import eligibility, selectors, services, step_page, steps
from ..forms.applicant import AttachmentForm, ChooseOrganisationForm
from ..models import Application
from ..progress import progress
from ..services import ApplicationError, DraftConflict, SubmissionRefused
from ..workflow import Status
from .shared import or_404

# What the person asked for before an interruption (signing up, logging in, registering the
# organisation): {"call": slug, "known": ids of their organisations then, "since": timestamp}.
APPLY_INTENT = "apply_intent"


def _step_url(application: Application, step) -> str:
    if step is None:
        return reverse("applications:review", args=[application.pk])
    return reverse("applications:step", args=[application.pk, step.slug])


def resume_url(application: Application) -> str:
    """Where "Continue the application" leads: the first step still to do, else the review."""
    return _step_url(application, progress(application).first_to_do)


# ---------------------------------------------------------------------------------------------
# Starting a file


def start(request, call_slug: str):
    """POST: apply to the call (from its page). A visitor is sent to sign up or log in first,
    and a person without an organisation to register it; each comes back here (GET) and the
    file starts, on the first step still to do. A GET without that pending request only leads
    to the call's page: a link alone never starts a file."""
    call = get_object_or_404(Call.objects.published().with_programme(), slug=call_slug)
    here = reverse("applications:start", args=[call.slug])
    if not request.user.is_authenticated:
        if request.method != "POST":
            return redirect_to_login(here)
        request.session[APPLY_INTENT] = {"call": call.slug}
        entrance = "account_login" if request.POST.get("account") == "login" else "account_signup"
        return redirect(f"{reverse(entrance)}?{urlencode({'next': here})}")
    intent = request.session.get(APPLY_INTENT)
    if not isinstance(intent, dict) or intent.get("call") != call.slug:
        intent = None
    if request.method != "POST" and intent is None:
        return redirect(call)
    organisation = active_organisation(request)
    if organisation is None:
        request.session[APPLY_INTENT] = {
            "call": call.slug,
            "known": [],
            "since": timezone.now().timestamp(),
        }
        messages.info(
            request,
            _("First register the organisation you apply for: your application comes next."),
        )
        return redirect(f"{reverse('companies:organisation_create')}?{urlencode({'next': here})}")
    request.session.pop(APPLY_INTENT, None)
    registered_now = _registered_on_the_way(request.user, organisation, intent)
    try:
        application = services.application_start(
            call=call,
            organisation=organisation,
            by=request.user,
            organisation_confirmed=registered_now,
        )
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect(call)
    if application.call_id != call.pk or not application.is_draft:
        messages.info(
            request, _("Your organisation already has an open file in this programme: here it is.")
        )
        return redirect(application)
    if registered_now:
        messages.success(
            request,
            _(
                "Your organisation is registered and its details are in your application: you will see them again before you submit."
            ),
        )
    return redirect(resume_url(application))


def _registered_on_the_way(user, organisation, intent: dict | None) -> bool:
    """The organisation was registered by this person after they asked to apply, in between."""
    if not intent or not isinstance(intent.get("known"), list) or "since" not in intent:
        return False
    return (
        organisation.pk not in intent["known"]
        and organisation.created_at.timestamp() >= intent["since"]
        and company_selectors.is_owner(user, organisation)
    )


# ---------------------------------------------------------------------------------------------
# The steps


def _step_context(request, application: Application, current) -> dict:
    state = progress(application)
    index = next(i for i, s in enumerate(state.states) if s.step.slug == current.slug)
    following = state.states[index + 1].step if index + 1 < len(state.states) else None
    return {
        "application": application,
        "progress": state,
        "step": current,
        "step_number": index + 1,
        "previous_step": state.states[index - 1].step if index else None,
        "next_step": following,
        "is_last": following is None,
        "review_url": reverse("applications:review", args=[application.pk]),
        "return_to": safe_next(request, ""),
    }


def _editable_step(request, pk: int, slug: str):
    application = or_404(step_page.member_step_application(user=request.user, pk=pk))
    current = steps.step_by_slug(application, slug)
    if current is None:
        raise Http404
    return application, current


@login_required
def step(request, pk: int, step: str):
    application, current = _editable_step(request, pk, step)
    if application.status not in {Status.DRAFT, Status.INFO_REQUESTED}:
        return redirect(application)
    if current.is_documents:
        return documents_step_page(request, application, current, AttachmentForm())
    form = current.form_class(
        request.POST or None,
        application=application,
        initial=steps.initial(application, current),
    )
    _search_pickers(request, form)
    context = _step_context(request, application, current)
    # The experts proposed for the request go with the step's expert question, if any.
    context["expert_field"] = form[current.expert_name] if current.expert_name else None
    if request.method == "POST":
        try:
            if application.status == Status.INFO_REQUESTED:
                if form.is_valid():
                    services.application_update_answer_step(
                        application=application,
                        step=current,
                        cleaned=form.cleaned_data,
                        by=request.user,
                    )
                    messages.success(
                        request, _("Saved. Send your answer on the file page when you are done.")
                    )
                    return redirect("applications:answer", pk=application.pk)
            elif "save_draft" in request.POST or form.is_valid():
                _save(request, application, current, form)
                if "save_draft" in request.POST:
                    messages.success(
                        request,
                        _("Draft saved. You can come back to it at any time, from any device."),
                    )
                    # Back to this step, its way back kept (not the picker's search, nor
                    # whatever else the query string carried: Django refuses long addresses).
                    back = context["return_to"]
                    return redirect(
                        request.path + (f"?{urlencode({'next': back})}" if back else "")
                    )
                following = context["next_step"]
                return redirect(context["return_to"] or _step_url(application, following))
        except DraftConflict as conflict:
            return _conflict_page(request, application, current, form, context, str(conflict))
        except ApplicationError as error:
            messages.error(request, str(error))
            return redirect(application)
    context["form"] = form
    return render(request, "applications/step.html", context)


def _search_pickers(request, form) -> None:
    """A picker's search box and its pages (its own GET form, or the script) narrow its list."""
    for name, field in form.fields.items():
        if getattr(field.widget, "searchable", False):
            field.widget.search(
                request.GET.get(f"{name}_q", ""), page=request.GET.get(f"{name}_page")
            )


def _save(request, application: Application, current, form) -> Application:
    """Save a draft's step: complete when its form is valid, else as typed (incomplete)."""
    valid = form.is_valid()
    return services.application_save_step(
        application=application,
        step=current,
        cleaned=form.cleaned_data if valid else None,
        raw={name: request.POST.get(name, "") for name in form.fields},
        # Versions start at 1: a missing or junk one is refused as a stale form.
        version=whole_number(request.POST.get("version")) or 0,
        by=request.user,
    )


def _conflict(request, application: Application, current, form, message: str) -> dict:
    """What the person typed beside what is saved now, field by field where they differ."""
    application.refresh_from_db()
    saved_form = current.form_class(
        application=application, initial=steps.initial(application, current)
    )
    rows, saved_values = [], {}
    for name, field in form.fields.items():
        mine = field.widget.value_from_datadict(request.POST, {}, name)
        shown = field.prepare_value(saved_form[name].value())
        if isinstance(field, forms.BooleanField):
            mine, shown = field.to_python(mine), field.to_python(shown)
        saved_values[name] = shown if isinstance(shown, bool) else str(shown or "")
        if _comparable(mine) == _comparable(shown):
            continue
        complete = current.slug in application.completed_steps
        stored = application.step_data(current.slug).get(name)
        rows.append(
            {
                "name": name,
                "label": field.label,
                "mine": steps.in_words(application, field, name, mine, typed=True),
                "saved": steps.in_words(application, field, name, stored, typed=not complete),
            }
        )
    return {
        "message": message,
        "rows": rows,
        "saved_values": saved_values,
        "saved_json": json.dumps(saved_values),
        "version": application.version,
        "discard_url": reverse("applications:step", args=[application.pk, current.slug]),
    }


def _comparable(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").strip()


def _conflict_page(request, application, current, form, context, message: str):
    """The step again with the person's own text in the form (saved if they save again: the
    form now carries the current version) and the saved text beside it (409)."""
    conflict = _conflict(request, application, current, form, message)
    context.update(application=application, form=form, conflict=conflict)
    return render(request, "applications/step.html", context, status=409)


def _json_csrf(view):
    """The page's CSRF check, answered in JSON: the draft script tells a stale page (after a
    log-in elsewhere the token changes) from a lost session, and keeps the typed text."""

    @csrf_exempt
    def wrapper(request, *args, **kwargs):
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return _json_refusal(
                request,
                403,
                "stale_page",
                _("This page is out of date. Your text is kept in this browser: reload the page."),
            )
        return view(request, *args, **kwargs)

    return wrapper


def _json_refusal(request, status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse(
        {"status": status, "code": code, "message": message, "login_url": _login_url(request)},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _login_url(request) -> str:
    """Log in, then back to the step's page (where the script puts the kept text back)."""
    step_url = reverse("applications:step", kwargs=request.resolver_match.kwargs)
    return f"{reverse('account_login')}?{urlencode({'next': step_url})}"


@require_POST
@_json_csrf
def autosave(request, pk: int, step: str):
    """The step's draft, saved by the page's script while the person types (the same save as
    the "Save the draft" button, with the same version check). JSON: 200 with the new
    version; 409 with the saved text beside theirs; 401 when the session is gone (the script
    keeps the text in the browser and asks them to log in again)."""
    if not request.user.is_authenticated:
        return _json_refusal(
            request,
            401,
            "session_expired",
            _(
                "Your session has ended. Your text is kept in this browser: log in again to save it."
            ),
        )
    application, current = _editable_step(request, pk, step)
    if current.is_documents or application.status != Status.DRAFT:
        return _json_refusal(
            request, 409, "not_a_draft", _("This application can no longer be changed here.")
        )
    form = current.form_class(request.POST, application=application)
    try:
        application = _save(request, application, current, form)
    except DraftConflict as conflict:
        context = _conflict(request, application, current, form, str(conflict))
        response = JsonResponse(
            {
                "status": 409,
                "code": "conflict",
                "message": str(conflict),
                "version": context["version"],
                "saved": context["saved_values"],
                "panel": render_to_string(
                    "applications/partials/conflict.html", {"conflict": context}, request
                ),
            },
            status=409,
        )
    except ApplicationError as error:
        return _json_refusal(request, 409, "refused", str(error))
    else:
        response = JsonResponse(
            {
                "version": application.version,
                "complete": current.slug in application.completed_steps,
                "message": _("Draft saved at %(time)s.")
                % {"time": time_format(timezone.localtime(), "H:i")},
            }
        )
    response["Cache-Control"] = "private, no-store"
    return response


def documents_step_page(request, application, documents, upload_form, *, status: int = 200):
    context = _step_context(request, application, documents) | {
        "upload_form": upload_form,
        "documents": step_page.documents(application),
        "documents_next": reverse("applications:step", args=[application.pk, documents.slug]),
    }
    return render(request, "applications/step.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# The review page, and the submission


def _review_page(request, application, form, *, checks=None, status: int = 200):
    checks = checks or eligibility.run_checks(application, now=timezone.now())
    review_url = reverse("applications:review", args=[application.pk])
    return render(
        request,
        "applications/review.html",
        {
            "application": application,
            "progress": progress(application),
            "answers": steps.answers(application),
            "documents": application.attachments.all(),
            "documents_step": next(
                (s for s in steps.steps_for(application) if s.is_documents), None
            ),
            "checks": checks,
            "blocked": not all(check.passed for check in checks),
            "form": form,
            "review_url": review_url,
            "return_query": urlencode({"next": review_url}),
        },
        status=status,
    )


@login_required
def review(request, pk: int):
    """Every answer, document and check of the draft on one page, each with a link to change
    it; the declarations and the button that submits."""
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    if not application.is_draft:
        return redirect(application)
    return _review_page(request, application, steps.DeclarationsForm())


@login_required
@require_POST
def submit(request, pk: int):
    """The review page's one action: the declarations and the submission, stored together or
    refused together (the declarations' errors beside them: 400; failed checks: 422)."""
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    form = steps.DeclarationsForm(request.POST)
    if not form.is_valid():
        if not application.is_draft:
            return redirect(application)
        return _review_page(request, application, form, status=400)
    try:
        application = services.application_submit(
            application=application, by=request.user, declarations=form.cleaned_data
        )
    except SubmissionRefused as refusal:
        messages.error(request, str(refusal))
        return _review_page(request, application, form, checks=refusal.checks, status=422)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect(application)
    messages.success(
        request,
        _("Your application is submitted. Its reference is %(reference)s.")
        % {"reference": application.reference},
    )
    return redirect(application)


# ---------------------------------------------------------------------------------------------
# Choosing an expert from the directory


@login_required
def choose_expert(request, slug: str):
    """ "Choose this expert for a Start IA application", from the expert's public page: the
    organisation's Start IA draft gets the expert (started if there is none). GET, or a
    person acting for several organisations: which organisation, confirmed by a POST."""
    expert = company_selectors.expert_public(slug=slug, today=timezone.localdate())
    if expert is None:
        raise Http404
    organisations = list(company_selectors.organisations_of(request.user).order_by("name"))
    if not organisations:
        messages.info(
            request,
            _("First register the organisation you apply for: you will then come back here."),
        )
        here = reverse("applications:choose_expert", args=[expert.slug])
        return redirect(f"{reverse('companies:organisation_create')}?{urlencode({'next': here})}")
    active = active_organisation(request)
    # The expert page's button posts no organisation: the choice is asked, not refused.
    answered = request.method == "POST" and "organisation" in request.POST
    form = ChooseOrganisationForm(
        request.POST if answered else None,
        organisations=organisations,
        initial={"organisation": active.pk if active else None},
    )
    direct = request.method == "POST" and len(organisations) == 1
    if direct or (answered and form.is_valid()):
        organisation = organisations[0] if direct else form.cleaned_data["organisation"]
        try:
            application = services.application_choose_expert(
                expert=expert, organisation=organisation, by=request.user
            )
        except ApplicationError as error:
            messages.error(request, str(error))
            return redirect(expert)
        messages.success(
            request,
            _("%(expert)s is chosen as your expert. Complete the other steps of your application.")
            % {"expert": expert.organisation.name},
        )
        return redirect(resume_url(application))
    status = 400 if form.is_bound else 200
    return render(
        request,
        "applications/choose_expert.html",
        {"expert": expert, "form": form},
        status=status,
    )
