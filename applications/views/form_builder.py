"""The staff's builder of a call's application form (docs/domain.md, Application forms): the
steps in order (added, moved, removed), each step's questions, a preview as an applicant sees
it, and a copy of another call's form. Programme managers of the call's programme (and
administrators), after the second factor; every save goes through
`services.forms.application_form_save`, which makes the next version once a file answering
the current one is submitted."""

import copy

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from adn_portal.accounts.permissions import MANAGERS, role_required
from programs import selectors as program_selectors
from programs.application_forms.versions import call_form_version
from programs.models import Call, FormVersion

from ..forms.form_builder import (
    FormCopyForm,
    QuestionFormSet,
    StepTitleForm,
    question_entries,
    question_initial,
    step_entry,
)
from ..models import Application
from ..services.forms import FormRefused, application_form_save, form_version_frozen
from ..steps import version_steps


def _call(request, slug: str) -> Call:
    call = program_selectors.call_managed(user=request.user, slug=slug)
    if call is None:
        raise Http404
    return call


def _saved(request, call: Call, before: FormVersion, version: FormVersion) -> None:
    if version.number != before.number:
        text = _(
            "The application form of %(call)s is saved as version %(version)s: the files "
            "already submitted keep the version they answered."
        )
    else:
        text = _("The application form of %(call)s is saved (version %(version)s).")
    messages.success(request, text % {"call": call.title, "version": version.number})


def _save(request, call: Call, definition: dict) -> bool:
    before = call_form_version(call=call)
    try:
        version = application_form_save(call=call, definition=definition, by=request.user)
    except FormRefused as refused:
        for problem in refused.problems:
            messages.error(request, problem)
        return False
    _saved(request, call, before, version)
    return True


def _page(request, call: Call, *, status: int = 200, **forms):
    version = call_form_version(call=call)
    context = {
        "call": call,
        "version": version,
        "frozen": form_version_frozen(version),
        "versions": FormVersion.objects.filter(call=call).order_by("-number"),
        "steps": version.form.steps,
        "step_form": StepTitleForm(),
        "copy_form": FormCopyForm(calls=_other_calls(request, call)),
    } | forms
    return render(request, "applications/staff/form_builder.html", context, status=status)


def _other_calls(request, call: Call):
    return program_selectors.calls_managed(request.user).exclude(pk=call.pk)


@role_required(*MANAGERS)
def form_builder(request, slug: str):
    """The call's form: its steps, in order. Posts: add a step (`add`), move one (`up`,
    `down`), remove one (`remove`), or copy another call's form (`copy`)."""
    call = _call(request, slug)
    if request.method != "POST":
        return _page(request, call)
    definition = copy.deepcopy(call_form_version(call=call).definition)
    steps = definition.setdefault("steps", [])
    action = request.POST.get("action", "")
    if action == "add":
        form = StepTitleForm(request.POST)
        if not form.is_valid():
            return _page(request, call, status=400, step_form=form)
        steps.append(step_entry(form, []))
    elif action == "copy":
        form = FormCopyForm(request.POST, calls=_other_calls(request, call))
        if not form.is_valid():
            return _page(request, call, status=400, copy_form=form)
        definition = copy.deepcopy(call_form_version(call=form.cleaned_data["source"]).definition)
    elif action in ("up", "down", "remove"):
        slugs = [step.get("slug") for step in steps]
        if request.POST.get("step") not in slugs:
            return _page(request, call, status=400)
        index = slugs.index(request.POST["step"])
        if action == "remove":
            steps.pop(index)
        else:
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(steps):
                steps[index], steps[other] = steps[other], steps[index]
    else:
        return _page(request, call, status=400)
    if not _save(request, call, definition):
        return _page(request, call, status=400)
    return redirect("applications:staff_form_builder", slug=call.slug)


def _step_of(definition: dict, slug: str) -> tuple[int, dict]:
    for index, step in enumerate(definition.get("steps", [])):
        if step.get("slug") == slug:
            return index, step
    raise Http404


@role_required(*MANAGERS)
def form_builder_step(request, slug: str, step: str):
    """One step: its title and section, and its questions (added, changed, reordered,
    removed)."""
    call = _call(request, slug)
    definition = copy.deepcopy(call_form_version(call=call).definition)
    index, entry = _step_of(definition, step)
    saved = {"saved_names": frozenset(q.get("name") for q in entry.get("questions", []))}
    if request.method == "POST":
        title_form = StepTitleForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="questions", form_kwargs=saved)
        if title_form.is_valid() and formset.is_valid():
            definition["steps"][index] = step_entry(title_form, question_entries(formset))
            if _save(request, call, definition):
                return redirect(
                    "applications:staff_form_builder_step",
                    slug=call.slug,
                    step=title_form.cleaned_data["slug"],
                )
        status = 400
    else:
        title = entry.get("title") or {}
        title_form = StepTitleForm(
            initial={
                "slug": entry.get("slug"),
                "section": entry.get("section", ""),
                **{f"title_{code}": text for code, text in title.items()},
            }
        )
        formset = QuestionFormSet(
            initial=[question_initial(q) for q in entry.get("questions", [])],
            prefix="questions",
            form_kwargs=saved,
        )
        status = 200
    return render(
        request,
        "applications/staff/form_builder_step.html",
        {"call": call, "entry": entry, "title_form": title_form, "formset": formset},
        status=status,
    )


@role_required(*MANAGERS)
def form_builder_preview(request, slug: str):
    """The call's current form as an applicant sees it, step after step, unsaved: nothing
    is posted anywhere."""
    call = _call(request, slug)
    version = call_form_version(call=call)
    # A file of nobody, answering this version: its questions' choices come from the call.
    sample = Application(call=call, programme=call.programme, form_version=version)
    previews = []
    for step in version_steps(version):
        if step.is_documents:
            previews.append((step, None))
            continue
        previews.append((step, step.form_class(application=sample)))
    return render(
        request,
        "applications/staff/form_builder_preview.html",
        {
            "call": call,
            "version": version,
            "previews": previews,
            "sections": set(call.form_sections),
        },
    )
