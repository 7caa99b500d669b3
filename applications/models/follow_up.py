"""The project's follow-up after signature (docs/domain.md, After selection): milestones with
due dates, the Start IA diagnostic delivered by the expert company, and the outcome survey sent
again 12 months after completion."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import Expert

from ..workflow import DiagnosticStatus
from .agreements import FollowUpDocument
from .files import Application


class Milestone(models.Model):
    class Kind(models.TextChoices):
        INTERIM_REPORT = "interim_report", _("Interim report")
        FINAL_REPORT = "final_report", _("Final report")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="milestones"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        FollowUpDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The reminder before the due date: claimed by a conditional update, sent once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["application", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="milestone_unique")
        ]
        indexes = [models.Index(fields=["done_at", "due_on"], name="milestone_due_idx")]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_kind_display()}"


class Diagnostic(models.Model):
    """What the expert company delivers for a Start IA file: the days worked, the diagnostic
    report and the action plan; the organisation confirms it took place, the AdN accepts it."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="diagnostic"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="diagnostics")
    status = models.CharField(
        max_length=16, choices=DiagnosticStatus.choices, default=DiagnosticStatus.DRAFT
    )
    days = models.DecimalField(
        _("days of diagnostic"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    report = models.ForeignKey(
        FollowUpDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_plan = models.ForeignKey(
        FollowUpDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(days__isnull=True) | Q(days__gte=0), name="diagnostic_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=DiagnosticStatus.DRAFT)
                | Q(days__isnull=False, report__isnull=False, action_plan__isnull=False),
                name="diagnostic_delivered_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.expert}"


class FollowUpSurvey(models.Model):
    """The outcome survey sent again 12 months after completion: its answers feed the
    investment indicators. The row is made when the invitation is sent (once per file)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="follow_up_survey"
    )
    sent_at = models.DateTimeField()
    investment_after = models.DecimalField(
        _("AI/digital investment in the 12 months since the end of the project (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    in_production = models.BooleanField(_("the solution is in production"), null=True)
    jobs_created = models.PositiveIntegerField(_("jobs created since the project"), null=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(investment_after__isnull=True) | Q(investment_after__gte=0),
                name="follow_up_investment_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · 12 months"
