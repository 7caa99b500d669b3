"""Adoption indicators (docs/domain.md, Outcomes and indicators), computed in SQL by Celery
and stored as dated snapshots. Dashboards read these rows only, never the files themselves."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    REQUESTS = "requests", _("Requests received")
    REQUEST_GROWTH = "request_growth", _("Request growth (year on year)")
    COMPLETED = "completed", _("Projects carried out")
    ORGANISATIONS_SUPPORTED = "organisations_supported", _("Organisations supported")
    RECOGNISED_EXPERTS = "recognised_experts", _("Recognised AI experts")
    INVESTMENT_MULTIPLIER = "investment_multiplier", _("Investment multiplier")
    IMPROVED_COMPETITIVENESS = "improved_competitiveness", _("Improved competitiveness")
    IMPROVED_QUALITY = "improved_quality", _("Improved quality of products or services")
    IMPROVED_EITHER = "improved_either", _("Improved competitiveness or quality")
    RECOMMENDATION = "recommendation", _("Would recommend the programmes")
    ACCEPTANCE = "acceptance", _("Acceptance rate")
    DAYS_TO_DECISION = "days_to_decision", _("Median days from submission to decision")
    DAYS_TO_COMPLETION = "days_to_completion", _("Median days from submission to completion")
    BACKLOG = "backlog", _("Open files")
    CONVERSION = "conversion", _("Organisations going on to the next programme")
    # The money after selection (staff only: never public). The times: the median as the
    # value, the sum of the days over their count as numerator and denominator (the mean).
    GRANTED = "granted", _("Granted")
    COMMITTED = "committed", _("Committed (approved for payment)")
    PAID = "paid", _("Paid")
    ENVELOPE_CONSUMPTION = "envelope_consumption", _("Share of the call's envelope granted")
    DAYS_TO_SIGNATURE = "days_to_signature", _("Days from selection to signed agreement")
    DAYS_TO_PAYMENT = "days_to_payment", _("Days from payment request to payment")


class Dimension(models.TextChoices):
    ALL = "all", _("All")
    PROGRAMME = "programme", _("Programme")
    YEAR = "year", _("Year")
    PROGRAMME_YEAR = "programme_year", _("Programme and year")
    PROVINCE = "province", _("Province")
    SECTOR = "sector", _("Sector")
    KIND = "kind", _("Kind of organisation")
    STATUS_AGE = "status_age", _("Status and age")
    REVIEWER = "reviewer", _("Reviewer")
    # Finer cells, for the staff dashboard's filters (a programme, a range of years).
    PROVINCE_PROGRAMME_YEAR = "province_programme_year", _("Province, programme and year")
    SECTOR_PROGRAMME_YEAR = "sector_programme_year", _("Sector, programme and year")
    KIND_PROGRAMME_YEAR = "kind_programme_year", _("Kind, programme and year")
    YEAR_RANGE = "year_range", _("Programme and range of years")
    PROGRAMME_STATUS_AGE = "programme_status_age", _("Programme, status and age")
    PROGRAMME_REVIEWER = "programme_reviewer", _("Programme and reviewer")
    CALL = "call", _("Call")


class SnapshotRun(models.Model):
    """One computation: when, why, and whether it worked (a failed run leaves the previous
    snapshot in place, and staff see the failure)."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Asked by staff")
        CHANGE = "change", _("Files changed")

    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)
    values_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M} {self.state}"


class IndicatorValue(models.Model):
    """One number of one snapshot. A snapshot is the set of rows of one `as_of` day: a new
    run that day replaces them (upsert on the unique key), so overlapping runs converge."""

    as_of = models.DateField(db_index=True)
    indicator = models.CharField(max_length=32, choices=Indicator.choices)
    dimension = models.CharField(max_length=32, choices=Dimension.choices)
    key = models.CharField(max_length=64, default="")
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    numerator = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    # How many distinct organisations the number describes: public cells under 5 are hidden.
    organisations = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "indicator", "dimension", "key"], name="indicator_value_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.indicator}[{self.dimension}={self.key}] = {self.value}"
