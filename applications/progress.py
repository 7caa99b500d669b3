"""Where a draft stands: which steps are done and which are left, and the step to open when
the applicant comes back ("Continue the application" opens the first one still to do)."""

from dataclasses import dataclass

from django.urls import reverse

from .eligibility import documents_required, missing_documents
from .models import Application
from .steps import Step, steps_for

DONE, TO_DO, OPTIONAL = "done", "to_do", "optional"


@dataclass(frozen=True)
class StepState:
    step: Step
    number: int
    state: str  # DONE, TO_DO, or OPTIONAL (documents no rule of the programme asks for)
    application_pk: int

    @property
    def url(self) -> str:
        """The step's page (a `{% url %}` in the template costs three times as much)."""
        return reverse("applications:step", args=[self.application_pk, self.step.slug])


@dataclass(frozen=True)
class Progress:
    states: list[StepState]
    first_to_do: Step | None  # None: every step is done, the review page comes next

    @property
    def done(self) -> int:
        return sum(1 for s in self.states if s.state == DONE)

    @property
    def counted(self) -> int:
        return sum(1 for s in self.states if s.state != OPTIONAL)

    @property
    def left(self) -> int:
        return self.counted - self.done


def _state(application: Application, step: Step) -> str:
    if not step.is_documents:
        return DONE if step.slug in application.completed_steps else TO_DO
    if not documents_required(application):
        return OPTIONAL
    return TO_DO if missing_documents(application) else DONE


def progress(application: Application) -> Progress:
    states = [
        StepState(step, number, _state(application, step), application.pk)
        for number, step in enumerate(steps_for(application), start=1)
    ]
    first = next((s.step for s in states if s.state == TO_DO), None)
    return Progress(states=states, first_to_do=first)
