"""Support requests ("files") and everything that happens to them (docs/domain.md, Programmes
and calls; The life of a file; Outcomes and indicators)."""

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, ExtractYear, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adn_portal.accounts.models import ChainedEvent
from companies.models import Expert, Organisation
from programs.application_forms.versions import call_form_version
from programs.models import Call, Programme

from ..workflow import DECISIONS, NEXT_STEP, OPEN_STATUSES, Status


class ApplicationQuerySet(models.QuerySet):
    def for_member(self, user):
        """Files of the organisations the user belongs to: anything else is a 404."""
        return self.filter(organisation__memberships__user=user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_call(self):
        return self.select_related("call__programme", "organisation")


# What the staff queue filters every row on (see Application.Meta.indexes).
QUEUE_FILTERED = [
    "status",
    "programme",
    "organisation",
    "organisation_province",
    "organisation_kind",
]


def _queue_filtered_but(*names: str) -> list[str]:
    return [name for name in QUEUE_FILTERED if name not in names]


class Application(models.Model):
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    # Copied from the call so that the database can hold "one open file per programme".
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The organisation's province, copied by the database (triggers of `applications`
    # migration 0021: when a file is written, and on every file of an organisation that moves),
    # so that the staff queue's province filter is an index condition on the file's own row.
    # Whatever Django writes here is replaced; read the organisation's for anything else.
    organisation_province = models.CharField(max_length=32, blank=True, default="", editable=False)
    # The organisation's kind, copied the same way (migration 0022), for the queue's kind filter.
    organisation_kind = models.CharField(max_length=32, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    # Where an information request returns to when answered.
    status_before_info_request = models.CharField(max_length=24, choices=Status.choices, blank=True)

    # The version of the call's application form the file answers (set when it is started;
    # a draft follows the call's newer versions, a submitted file keeps its own forever).
    form_version = models.ForeignKey(
        "programs.FormVersion",
        verbose_name=_("form version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The form, step by step: {"contact": {...}, "needs": {...}}. Frozen in versions at submission.
    data = models.JSONField(default=dict, blank=True)
    completed_steps = models.JSONField(default=list, blank=True)
    # Optimistic lock for drafts edited by several colleagues: every save increments it.
    version = models.PositiveIntegerField(default=1)

    # Fields the rules and indicators need in SQL, kept in step with `data` by the services.
    title = models.CharField(_("title"), max_length=200, blank=True)
    expert = models.ForeignKey(
        Expert,
        verbose_name=_("expert"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    expert_chosen_by_adn = models.BooleanField(default=False)
    earlier_application = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    total_budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # What the Region funds once selected (amount requested, or the call's expert days): the
    # call's envelope is checked against the sum of these.
    granted_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount_requested = models.DecimalField(
        _("amount requested (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    eligibility = models.JSONField(
        default=list, blank=True, help_text=_("Checks run at submission.")
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The year the indicators count a request in (Brussels time), kept by the database itself:
    # worked out once per file instead of once per file and snapshot.
    submitted_year = models.GeneratedField(
        expression=ExtractYear("submitted_at"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the file first reached "selected" (it stays set as the project goes on): the
    # indicators count supported organisations from it instead of searching the timeline.
    selected_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "programme"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="application_one_open_per_programme",
                violation_error_message=_(
                    "This organisation already has an open file in this programme."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gte=0),
                name="application_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reference__isnull=False),
                name="application_submitted_has_reference",
            ),
        ]
        # The staff queue's indexes (issue 23): each holds every column the queue filters a row
        # on (QUEUE_FILTERED: the status, the programmes the user works on, the organisations
        # of their declared conflicts, the province, the kind), so that a page's ids and its
        # capped count are read from an index alone (PostgreSQL), whatever the combination.
        indexes = [
            # A status of a programme in the default order, read in that order (a status and a
            # programme are one range of it; files' statuses follow their age, so the order's
            # own index reads many files of other statuses first).
            models.Index(
                fields=["status", "programme", "-submitted_at", "-id"],
                include=_queue_filtered_but("status", "programme"),
                name="application_status_idx",
            ),
            # The default order, walked by its deep pages (an index-only scan).
            models.Index(
                fields=["-submitted_at", "-id"],
                name="application_queue_order_idx",
                include=QUEUE_FILTERED,
            ),
            models.Index(
                fields=["organisation_province", "status", "programme"],
                name="application_province_idx",
                include=[
                    *_queue_filtered_but("organisation_province", "status", "programme"),
                    "submitted_at",
                ],
            ),
            models.Index(
                fields=["organisation_kind", "status", "programme"],
                name="application_kind_idx",
                include=[
                    *_queue_filtered_but("organisation_kind", "status", "programme"),
                    "submitted_at",
                ],
            ),
            # The organisation order: the organisations by name (their index), then each
            # one's files from this index alone.
            models.Index(
                fields=["organisation", "id"],
                name="application_organisation_idx",
                include=_queue_filtered_but("organisation"),
            ),
            # The reference order: references begin with their programme's code, so a
            # programme's files are one range of it.
            models.Index(
                fields=["programme", "reference", "id"],
                name="application_reference_idx",
                include=_queue_filtered_but("programme"),
            ),
            # The indicators' passes over the submitted files (stats.computation): what they
            # read of a file, a fifth of its row, in the order of the organisations the files'
            # pass groups them by (read as they come instead of hashed; bench/results/README.md).
            models.Index(
                fields=["organisation"],
                name="application_indicators_idx",
                include=[
                    "id",  # the surveys' pass joins the outcome reports on it
                    "programme",
                    "call",  # the money, per call
                    "submitted_year",
                    "submitted_at",
                    "selected_at",
                    "decided_at",
                    "completed_at",
                    "status",
                    "granted_amount",
                ],
                condition=Q(submitted_at__isnull=False),
            ),
            # The surveys' pass (stats.computation.survey_rows): the completed files only, a
            # third of the submitted ones, instead of reading all of them from the index above.
            models.Index(
                fields=["organisation"],
                name="application_completed_idx",
                include=["id", "programme", "submitted_year"],
                condition=Q(submitted_at__isnull=False, completed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    def save(self, *args, **kwargs):
        # A file answers its call's current form version from its start, however it is made
        # (the services, the admin, the demo's generator); a bulk insert is caught by
        # applications.steps.version_of.
        if self._state.adding and self.form_version_id is None and self.call_id is not None:
            self.form_version = call_form_version(call=self.call)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", kwargs={"pk": self.pk})

    @property
    def status_label(self) -> str:
        # get_status_display() hashes every choice on each call: too slow for a list's rows.
        return Status(self.status).label if self.status in Status.values else self.status

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def next_step(self) -> str:
        return NEXT_STEP[self.status]

    def step_data(self, step: str) -> dict:
        return self.data.get(step, {})


class ReferenceSequence(models.Model):
    """The last number given per programme and year: START-2026-0042."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class ApplicationVersion(models.Model):
    """The content as submitted, then as re-submitted after each information request."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    # The checks as they were run on this content (at submission, then at each answer).
    eligibility = models.JSONField(default=list, blank=True)
    organisation_snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"


class ApplicationEvent(ChainedEvent):
    """The file's timeline: every transition, message, upload (and later: assignment, score,
    note). Written in the same transaction as the change; never edited: each file's timeline is
    a tamper-evident chain (adn_portal/accounts/chains.py)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft started")
        TRANSITION = "transition", _("Status changed")
        MESSAGE = "message", _("Message")
        UPLOAD = "upload", _("Document added")
        REMOVAL = "removal", _("Document removed")
        ANSWER = "answer", _("Information provided")
        REPORT = "report", _("Final report")
        ASSIGNMENT = "assignment", _("Reviewer assigned")
        EXPERT = "expert", _("Expert assigned")
        SCORE = "score", _("Score")
        REVIEW = "review", _("Review submitted")
        NOTE = "note", _("Internal note")
        # After selection (docs/domain.md, After selection)
        AGREEMENT = "agreement", _("Agreement")
        PAYMENT = "payment", _("Payment")
        MILESTONE = "milestone", _("Milestone")
        DIAGNOSTIC = "diagnostic", _("Diagnostic")
        SURVEY = "survey", _("Follow-up survey")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set before the seal is computed (auto_now_add would set it afterwards).
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    comment = models.TextField(blank=True)
    visible_to_applicant = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"], name="event_timeline_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "chain_seq"], name="event_chain_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.kind} · {self.at:%Y-%m-%d %H:%M}"

    def chain_name(self) -> str:
        return timeline_chain(self.application_id)

    def chain_content(self) -> dict:
        return timeline_content(vars(self))


TIMELINE_FIELDS = (
    "application_id",
    "kind",
    "from_status",
    "to_status",
    "by_id",
    "at",
    "comment",
    "visible_to_applicant",
)


def timeline_chain(application_id: int) -> str:
    return f"file:{application_id}"


def timeline_content(values) -> dict:
    """What a timeline event's digest covers, from the row or from its `values()`."""
    return {name.removesuffix("_id"): values[name] for name in TIMELINE_FIELDS}


def private_storage():
    """Uploads live in the "private" storage (outside any public path), served by a view that
    checks who asks. A callable, so that tests can swap the storage."""
    return storages["private"]


class Attachment(models.Model):
    class Kind(models.TextChoices):
        QUOTE = "quote", _("Provider's quote")
        ANNEX = "annex", _("Annex")
        REPORT = "report", _("Final report annex")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(
        _("kind of document"), max_length=16, choices=Kind.choices, default=Kind.ANNEX
    )
    # Stored under a generated name in private storage; the original name is only displayed.
    file = models.FileField(storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Frozen with the submission it was part of; drafts' documents have none yet.
    version = models.ForeignKey(
        ApplicationVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse(
            "applications:attachment", kwargs={"pk": self.application_id, "attachment_pk": self.pk}
        )


class Side(models.TextChoices):
    """Who takes part in a file's conversation (docs/domain.md, The conversation of a file)."""

    ADN = "adn", _("AdN")
    APPLICANT = "applicant", _("Applicant")
    EXPERT = "expert", _("Expert company")


class ApplicantMessage(models.Model):
    """A message of the file's conversation (applications/conversation.py): what the AdN
    writes to the applicant (acknowledgement, request for information, decision: e-mailed and
    shown on the file page), the applicant's answers, and what any side writes at any time."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        INFO_REQUEST = "info_request", _("Request for information")
        DECISION = "decision", _("Decision")
        OTHER = "other", _("Other message")
        MESSAGE = "message", _("Message")
        ANSWER = "answer", _("Answer to the request for information")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Which side wrote it: the AdN (staff, or the portal itself), the applicant's organisation,
    # or the file's expert company.
    author_side = models.CharField(max_length=16, choices=Side.choices, default=Side.ADN)
    created_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField(
        null=True, blank=True, help_text=_("For a request for information.")
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The last reminder of an unanswered request (services.reminders): one per interval.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["application", "id"], name="message_thread_idx")]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()


class OutcomeReport(models.Model):
    """The final report and outcome survey (docs/domain.md, Outcomes and indicators)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="outcome"
    )
    summary = models.TextField(_("what the project achieved"))
    investment_before = models.DecimalField(
        _("AI/digital investment in the year before the support (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    investment_after = models.DecimalField(
        _("AI/digital investment in the year after the support (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    # The investments in cents, written by the database: the indicators add up integers, which
    # costs PostgreSQL less than its `numeric` sums (stats.computation.survey_rows).
    investment_before_cents = models.GeneratedField(
        expression=Cast(Round(F("investment_before") * 100), models.BigIntegerField()),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )
    investment_after_cents = models.GeneratedField(
        expression=Cast(Round(F("investment_after") * 100), models.BigIntegerField()),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )
    improved_competitiveness = models.BooleanField(_("the project improved our competitiveness"))
    improved_quality = models.BooleanField(
        _("the project improved the quality of our products or services")
    )
    in_production = models.BooleanField(_("the solution is in production"))
    jobs_created = models.PositiveIntegerField(_("jobs created"))
    would_recommend = models.BooleanField(_("we would recommend the programme"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(investment_before__gte=0, investment_after__gte=0),
                name="outcome_investments_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} outcome"


# ---------------------------------------------------------------------------------------------
# Staff work on files (docs/domain.md, The life of a file): assignment, conflicts of interest,
# scores, notes, templates


class Assignment(models.Model):
    """The responsible reviewer of a file; one at a time, the history kept."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_current",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "ended_at"], name="assignment_reviewer_idx")]

    def __str__(self) -> str:
        return f"{self.application} → {self.reviewer}"


class ConflictOfInterest(models.Model):
    """A reviewer declares a link with an organisation: its files are never assigned to them."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "organisation"], name="conflict_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ≠ {self.organisation}"


def _without_conflicts(queryset: models.QuerySet, reviewer: str, organisation: str):
    """Rows of reviewers who have not declared a conflict of interest with the file's
    organisation (declared after reviewing it: the review no longer counts)."""
    conflicted = ConflictOfInterest.objects.filter(
        reviewer=models.OuterRef(reviewer), organisation=models.OuterRef(organisation)
    )
    return queryset.exclude(models.Exists(conflicted))


class Recommendation(models.TextChoices):
    FUND = "fund", _("Fund")
    FUND_WITH_CONDITIONS = "fund_with_conditions", _("Fund with conditions")
    DO_NOT_FUND = "do_not_fund", _("Do not fund")


class ReviewQuerySet(models.QuerySet):
    def counted(self):
        return _without_conflicts(self, "reviewer", "application__organisation")

    def submitted(self):
        return self.filter(status=Review.Status.SUBMITTED)


class Review(models.Model):
    """One reviewer's review of a file (docs/domain.md, Reviews): opened when they confirm
    having no conflict of interest with its organisation, answered on the call's review form
    as it was then (`form_version`), locked once submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    form_version = models.PositiveSmallIntegerField(_("version of the review form"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    no_conflict_confirmed_at = models.DateTimeField(_("no conflict of interest confirmed at"))
    recommendation = models.CharField(
        _("overall recommendation"), max_length=24, choices=Recommendation.choices, blank=True
    )
    comment_for_applicant = models.TextField(
        _("comment for the applicant"), max_length=5000, blank=True
    )
    internal_comment = models.TextField(_("internal comment"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_unique"),
            # Submitted, and when: the lock the services check under the row's lock. (The
            # recommendation is required by the review's form: the scores given before reviews
            # existed became submitted reviews without one.)
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="review_submitted_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.reviewer}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ScoreQuerySet(models.QuerySet):
    def counted(self):
        """The scores that count: not those of a reviewer who declared a conflict of interest
        with the file's organisation (after scoring it)."""
        return _without_conflicts(self, "reviewer", "application__organisation")


class Score(models.Model):
    """One reviewer's score on one criterion of the review form they answered."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="scores")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scores"
    )
    criterion = models.ForeignKey(
        "programs.ScoringCriterion", on_delete=models.PROTECT, related_name="scores"
    )
    # Within the criterion's scale (checked by the review's form and service).
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer", "criterion"], name="score_unique"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0, value__lte=100), name="score_within_scales"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.criterion} = {self.value}"


class MessageTemplate(models.Model):
    """Editable texts of the decisions and requests sent to applicants, in three languages.
    They are Django templates: {{ reference }}, {{ organisation }}, {{ call }}, {{ comment }}."""

    # One kind per decision of the workflow (the status it moves to), and the report sent back.
    Kind = models.TextChoices(
        "Kind",
        [(status.name, (status.value, status.label)) for status in DECISIONS]
        + [("REPORT_SENT_BACK", ("report_sent_back", _("Final report sent back")))],
    )

    kind = models.CharField(max_length=24, choices=Kind.choices)
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every programme."),
    )
    subject_fr = models.CharField(max_length=200)
    subject_en = models.CharField(max_length=200)
    subject_de = models.CharField(max_length=200)
    body_fr = models.TextField()
    body_en = models.TextField()
    body_de = models.TextField()

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "programme"], name="message_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.programme or '*'}"


class Export(models.Model):
    """A queue export produced by a Celery task; downloadable by the staff member who asked."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    format = models.CharField(max_length=8, choices=Format.choices)
    query = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    file = models.FileField(storage=private_storage, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} export #{self.pk}"
