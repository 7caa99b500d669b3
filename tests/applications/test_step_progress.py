"""The steps' progress above a step page and the review page, written by {% step_progress %}
(applications/templatetags/step_progress.py) as its template wrote it: how many steps are done
and left, the progress bar naming the same figures, each step with its state in words for
screen readers, the current one marked `aria-current`; compared in French, English and German,
on a step and on the review page, with steps done and to do, and for a file that is no longer
a draft."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from applications.progress import progress
from applications.services import application_start
from applications.steps import steps_for
from applications.templatetags.step_progress import step_progress
from applications.workflow import Status

pytestmark = pytest.mark.django_db

# applications/partials/progress.html, the template the tag replaces.
PROGRESS = Template(
    """{% load i18n %}<nav aria-labelledby="progress-title" class="my-3 step-progress-nav">
  <h2 id="progress-title" class="visually-hidden">{% translate "Steps of the application" %}</h2>
  {% if application.is_draft %}
  <p class="small mb-1" id="progress-summary">
    {% blocktranslate count counter=progress.counted with done=progress.done %}{{ done }} of {{ counter }} step done{% plural %}{{ done }} of {{ counter }} steps done{% endblocktranslate %}
    ·
    {% if progress.left %}{% blocktranslate count counter=progress.left %}{{ counter }} left{% plural %}{{ counter }} left{% endblocktranslate %}{% else %}{% translate "ready for the review" %}{% endif %}
  </p>
  <progress class="step-progress-bar mb-2" value="{{ progress.done }}" max="{{ progress.counted|default:1 }}" aria-labelledby="progress-summary"></progress>
  {% endif %}
  <ol class="step-progress list-unstyled d-flex flex-wrap gap-2 mb-0">
    {% for s in progress.states %}
      <li>
        <a href="{% url 'applications:step' application.pk s.step.slug %}"
           class="btn btn-sm {% if s.step.slug == step.slug %}btn-primary{% elif s.state == 'done' %}btn-outline-success{% else %}btn-outline-secondary{% endif %}"
           {% if s.step.slug == step.slug %}aria-current="step"{% endif %}>
          {{ s.number }}. {{ s.step.title }}
          {% if s.state == "done" %}<span aria-hidden="true">✔</span><span class="visually-hidden">({% translate "complete" %})</span>
          {% elif s.state == "optional" %}<span class="visually-hidden">({% translate "optional" %})</span>
          {% else %}<span class="visually-hidden">({% translate "to do" %})</span>{% endif %}
        </a>
      </li>
    {% endfor %}
    {% if application.is_draft %}<li>
      <a href="{% url 'applications:review' application.pk %}"
         class="btn btn-sm {% if on_review %}btn-primary{% else %}btn-outline-secondary{% endif %}"
         {% if on_review %}aria-current="step"{% endif %}>{% translate "Review and submit" %}</a>
    </li>{% endif %}
  </ol>
</nav>"""
)


def _same_html(html: str) -> str:
    """Whitespace is the only difference allowed: inside tags, and around them."""
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _both(application, step=None, on_review=False) -> tuple[str, str]:
    state = progress(application)
    context = {"application": application, "progress": state, "step": step}
    if on_review:
        context["on_review"] = True
    expected = PROGRESS.render(Context(context))
    ours = step_progress(application, state, step, on_review=on_review)
    return _same_html(ours), _same_html(expected)


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_the_progress_is_written_as_its_template_wrote_it(applicant, start_call, language):
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    steps = [s for s in steps_for(draft) if not s.is_documents]
    with translation.override(language):
        for done in ([], [steps[0].slug], [s.slug for s in steps]):
            draft.completed_steps = done
            for step in steps:
                ours, expected = _both(draft, step)
                assert ours == expected, (done, step.slug)
                assert 'aria-current="step"' in ours
            ours, expected = _both(draft, on_review=True)
            assert ours == expected
            assert ours.count('aria-current="step"') == 1
        draft.status = Status.INFO_REQUESTED
        ours, expected = _both(draft, steps[1])
        assert ours == expected
        assert "progress-summary" not in ours
