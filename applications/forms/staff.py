"""The staff's forms. The API's staff endpoints validate their bodies with these same forms
(applications/api/serializers.py), so that a page and the API refuse the same things."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..models import Application, Export
from ..workflow import DECISIONS, Actor, Status


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (staff only)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class InformationRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need from the applicant?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    due_date = forms.DateField(
        label=_("Answer by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("The answer cannot be due before today."), code="past")
        return due


def workflow_moves(
    application: Application, actor: Actor, *, decisions: bool | None = None
) -> list[Status]:
    """The moves of the workflow table this actor may make from the file's status: all of them,
    or only the decisions (True) or only the others (False). An information request is not one
    of them: it carries a message, through its own form and service."""
    moves = [
        target
        for target in workflow.targets(Status(application.status), actor)
        if target != Status.INFO_REQUESTED
    ]
    if decisions is not None:
        moves = [target for target in moves if (target in DECISIONS) == decisions]
    return moves


class _MoveForm(forms.Form):
    """A move of one file, offered from its current status to this actor only. The page sends
    the status it showed: a file that moved meanwhile is refused, not moved from elsewhere."""

    move_field = "to"
    decisions: bool | None = None

    expected_status = forms.ChoiceField(
        choices=Status.choices,
        required=False,
        widget=forms.HiddenInput,
        help_text=_("Refused if the file moved meanwhile."),
    )

    def __init__(self, *args, application: Application, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        moves = workflow_moves(application, actor, decisions=self.decisions)
        self.fields[self.move_field].choices = [(s.value, s.label) for s in moves]
        self.initial.setdefault("expected_status", application.status)

    def clean_expected_status(self):
        expected = self.cleaned_data["expected_status"]
        if expected and expected != self.application.status:
            raise forms.ValidationError(
                _("This file changed in the meantime: reload the page."), code="changed"
            )
        return expected

    def target(self) -> Status:
        return Status(self.cleaned_data[self.move_field])

    def expected(self) -> Status | None:
        expected = self.cleaned_data.get("expected_status")
        return Status(expected) if expected else None


class TransitionForm(_MoveForm):
    """Any move of the workflow (a decision too: it then goes through the decision service)."""

    to = forms.ChoiceField(label=_("Next status"))
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["to", "comment", "expected_status"]


class DecisionForm(_MoveForm):
    move_field = "decision"
    decisions = True

    decision = forms.ChoiceField(label=_("Decision"))
    comment = forms.CharField(
        label=_("Message to the applicant (added to the template)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["decision", "comment", "expected_status"]


class AssignmentForm(forms.Form):
    """The file's responsible reviewer: a reviewer of its programme without a conflict of
    interest with its organisation (the service checks both again under its lock)."""

    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, application: Application, **kwargs):
        from ..services import reviewers_of

        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            reviewers_of(application.programme_id)
            .exclude(conflicts_of_interest__organisation_id=application.organisation_id)
            .order_by("last_name", "first_name", "pk")
        )


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=Export.Format.choices)


def score_form_class(criteria, existing: dict):
    """A form with one 0-5 field and a comment per criterion of the call's grid."""
    fields = {}
    for criterion in criteria:
        value, comment = existing.get(criterion.pk, (None, ""))
        fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
            label=f"{criterion.label} (×{criterion.weight.normalize()})",  # noqa: RUF001 — the times sign
            choices=[("", "—")] + [(str(n), str(n)) for n in range(6)],
            coerce=int,
            initial=value,
        )
        fields[f"comment_{criterion.pk}"] = forms.CharField(
            label=_("Comment"),
            required=False,
            initial=comment,
            widget=forms.Textarea(attrs={"rows": 1}),
        )
    return type("ScoreForm", (forms.Form,), fields)


def scores_of(form: forms.Form, criteria) -> dict[int, tuple[int, str]]:
    """A valid score form's data as the service takes it: {criterion id: (score, comment)}."""
    return {
        c.pk: (form.cleaned_data[f"score_{c.pk}"], form.cleaned_data[f"comment_{c.pk}"])
        for c in criteria
    }
