"""The staff's forms. The API's staff endpoints validate their bodies with these same forms
(applications/api/serializers.py), so that a page and the API refuse the same things."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.application_forms import Role

from .. import workflow
from ..models import Application, Export, Recommendation
from ..workflow import DECISIONS, Actor, Status
from .generated import expert_field


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


# The API's answer to a decision sent without `confirmed` (the page shows the message instead).
CONFIRMATION_REQUIRED = _(
    "Confirm the decision: send it again with “confirmed” once the message to the applicant "
    "was read."
)


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

    def needs_confirmation(self) -> bool:
        """A decision is taken once its sender has seen the message the applicant will get."""
        return self.target() in DECISIONS and not self.cleaned_data.get("confirmed")

    def expected(self) -> Status | None:
        expected = self.cleaned_data.get("expected_status")
        return Status(expected) if expected else None


class TransitionForm(_MoveForm):
    """Any move of the workflow (a decision too: it then goes through the decision service)."""

    to = forms.ChoiceField(label=_("Next status"))
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirmed = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        help_text=_("A decision: sent once its message to the applicant was shown."),
    )
    field_order = ["to", "comment", "expected_status", "confirmed"]


class DecisionForm(_MoveForm):
    move_field = "decision"
    decisions = True

    # Radio buttons, none ticked: a decision is chosen, never preselected.
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Message to the applicant (added to the template)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    field_order = ["decision", "comment", "expected_status", "confirmed"]


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


class ExpertChoiceForm(forms.Form):
    """Where the applicant let the AdN choose, the manager's choice of the file's expert: the
    applicant's own picker (a page of the programme's listed experts, searched by the server,
    each with its details) and the same choices (forms/generated.py `expert_field`); the
    service checks the choice again (recognised, listed, the manager's rights on the file)."""

    def __init__(self, *args, application: Application, **kwargs):
        from ..steps import step_with_role

        super().__init__(*args, **kwargs)
        step = step_with_role(application, Role.EXPERT)
        answers = step.definition.answers if step else []
        question = next((q for q in answers if q.role == Role.EXPERT), None)
        # As the file's expert question offers them (its programme's, unless it names one).
        programme = question and question.options.get("programme")
        field = expert_field(
            programme or application.programme.code,
            label=_("Expert"),
            required=True,
        )
        field.error_messages |= {
            "required": _("Choose an expert."),
            "invalid_choice": _(
                "Choose one of the experts offered: recognised experts of the programme listed "
                "today."
            ),
        }
        self.fields["expert"] = field

    def search(self, query: str, page) -> None:
        """The picker's search box and its pages (its own GET form, or the script)."""
        self.fields["expert"].widget.search(query, page=page)


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=Export.Format.choices)


class ConflictDeclarationForm(forms.Form):
    """Before working on a file, a reviewer says whether they have a conflict of interest with
    its organisation: none opens their review; one takes the organisation's files away."""

    NO_CONFLICT, CONFLICT = "no_conflict", "conflict"

    answer = forms.ChoiceField(
        label=_("Conflict of interest"),
        choices=[
            (NO_CONFLICT, _("I have no conflict of interest with this organisation")),
            (CONFLICT, _("I have a conflict of interest with this organisation")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (optional, seen by administrators)"), required=False, max_length=255
    )

    @property
    def declares_conflict(self) -> bool:
        return self.cleaned_data["answer"] == self.CONFLICT


class ReviewForm(forms.Form):
    """A reviewer's review on the criteria of the review form it answers: a score on each
    criterion's scale with a comment, an overall recommendation, a comment for the applicant
    and an internal one. Saved as a draft (scores may be missing) or submitted (complete; the
    service locks it)."""

    recommendation = forms.ChoiceField(
        label=_("Overall recommendation"),
        choices=Recommendation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment_for_applicant = forms.CharField(
        label=_("Comment for the applicant"),
        help_text=_("The programme manager may pass it on with the decision."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_comment = forms.CharField(
        label=_("Internal comment (staff only)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submit = forms.BooleanField(
        required=False, widget=forms.HiddenInput, help_text=_("Submit the review: it is locked.")
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = {}
        for criterion in self.criteria:
            scale = range(criterion.scale_min, criterion.scale_max + 1)
            scores[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.label} (×{criterion.weight.normalize()})",  # noqa: RUF001 — the times sign
                help_text=criterion.guidance,
                choices=[("", "—")] + [(str(n), str(n)) for n in scale],
                coerce=int,
                empty_value=None,
                required=False,
            )
            scores[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        # The scores first, in the form's order.
        self.fields = {**scores, **self.fields}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("submit"):
            for criterion in self.criteria:
                name = f"score_{criterion.pk}"
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(
                        name,
                        forms.ValidationError(_("Score every criterion to submit."), "required"),
                    )
            if not cleaned.get("recommendation") and "recommendation" not in self.errors:
                self.add_error(
                    "recommendation",
                    forms.ValidationError(_("Give your recommendation to submit."), "required"),
                )
        return cleaned

    def review(self) -> dict:
        """The valid form as `services.review_save` takes it."""
        data = self.cleaned_data
        return {
            "scores": {
                c.pk: (data[f"score_{c.pk}"], data[f"comment_{c.pk}"])
                for c in self.criteria
                if data[f"score_{c.pk}"] is not None
            },
            "recommendation": data["recommendation"],
            "comment_for_applicant": data["comment_for_applicant"],
            "internal_comment": data["internal_comment"],
            "submit": data["submit"],
        }


def review_initial(review) -> dict:
    """A saved review as its form shows it."""
    if review is None:
        return {}
    return {
        "recommendation": review.recommendation,
        "comment_for_applicant": review.comment_for_applicant,
        "internal_comment": review.internal_comment,
    } | {
        name: value
        for score in review.score_list
        for name, value in (
            (f"score_{score.criterion_id}", score.value),
            (f"comment_{score.criterion_id}", score.comment),
        )
    }
