"""{% step_progress %}: where a draft stands, above each step page and the review page: how many
steps are done and left (in words, and as a progress bar that names the same figures), then
each step with its state, and the review page last. `step`: the current step, or nothing on
the review page (`on_review`).

Written in Python rather than as a template: a loop over the steps in the template engine
cost ~1 ms of every step page (issue 23). It writes what
applications/partials/progress.html wrote (tests/applications/test_step_progress.py
compares them)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from ..progress import DONE, OPTIONAL

register = template.Library()

CURRENT = mark_safe(' aria-current="step"')  # a constant


def _summary(progress) -> str:
    done, counted, left = progress.done, progress.counted, progress.left
    steps_done = ngettext(
        "%(done)s of %(counter)s step done", "%(done)s of %(counter)s steps done", counted
    ) % {"done": done, "counter": counted}
    still = (
        ngettext("%(counter)s left", "%(counter)s left", left) % {"counter": left}
        if left
        else gettext("ready for the review")
    )
    return format_html(
        '<p class="small mb-1" id="progress-summary">{} · {}</p>'
        '<progress class="step-progress-bar mb-2" value="{}" max="{}"'
        ' aria-labelledby="progress-summary"></progress>',
        steps_done,
        still,
        done,
        counted or 1,
    )


def _state_words(state: str) -> str:
    if state == DONE:
        return format_html(
            '<span aria-hidden="true">✔</span><span class="visually-hidden">({})</span>',
            gettext("complete"),
        )
    words = gettext("optional") if state == OPTIONAL else gettext("to do")
    return format_html('<span class="visually-hidden">({})</span>', words)


def _step_item(state, current_slug) -> tuple:
    current = state.step.slug == current_slug
    if current:
        kind = "btn-primary"
    elif state.state == DONE:
        kind = "btn-outline-success"
    else:
        kind = "btn-outline-secondary"
    return (
        state.url,
        kind,
        CURRENT if current else "",
        state.number,
        state.step.title,
        _state_words(state.state),
    )


@register.simple_tag
def step_progress(application, progress, step=None, on_review=False) -> str:
    items = format_html_join(
        "",
        '<li><a href="{}" class="btn btn-sm {}"{}>{}. {} {}</a></li>',
        (_step_item(state, getattr(step, "slug", None)) for state in progress.states),
    )
    review = ""
    if application.is_draft:
        review = format_html(
            '<li><a href="{}" class="btn btn-sm {}"{}>{}</a></li>',
            reverse("applications:review", args=[application.pk]),
            "btn-primary" if on_review else "btn-outline-secondary",
            CURRENT if on_review else "",
            gettext("Review and submit"),
        )
    return format_html(
        '<nav aria-labelledby="progress-title" class="my-3 step-progress-nav">'
        '<h2 id="progress-title" class="visually-hidden">{}</h2>{}'
        '<ol class="step-progress list-unstyled d-flex flex-wrap gap-2 mb-0">{}{}</ol></nav>',
        gettext("Steps of the application"),
        _summary(progress) if application.is_draft else "",
        items,
        review,
    )
