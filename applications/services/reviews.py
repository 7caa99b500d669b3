"""A reviewer's review of a file (docs/domain.md, Reviews): opened by confirming no conflict of
interest with the organisation (or declaring one, which takes the file away), saved as a draft
on the call's review form, submitted once and then locked."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from programs.models import ScoringCriterion
from programs.services import review_form_freeze

from ..guards import staff_refusal
from ..models import Application, ApplicationEvent, ConflictOfInterest, Review, Score
from ..workflow import Status
from .core import ApplicationError

# The statuses in which a file is reviewed.
SCORABLE = {Status.ELIGIBILITY_CHECK, Status.UNDER_REVIEW, Status.WAITLISTED}


class ReviewLocked(ApplicationError):
    """The review was submitted: nothing in it changes any more."""


def _require_staff(user: User, application: Application) -> None:
    refusal = staff_refusal(user, application)
    if refusal:
        raise ApplicationError(refusal)


def review_open(*, application: Application, reviewer: User) -> Review:
    """The reviewer confirms having no conflict of interest with the file's organisation: their
    review of it starts (once; a second confirmation returns the same review)."""
    _require_staff(reviewer, application)
    with transaction.atomic():
        review, created = Review.objects.get_or_create(
            application=application,
            reviewer=reviewer,
            defaults={
                "form_version": application.call.review_version,
                "no_conflict_confirmed_at": timezone.now(),
            },
        )
        if created:
            audit(
                AuditEvent.Action.STAFF_ACTION,
                user=reviewer,
                application=application.pk,
                no_conflict_confirmed=True,
            )
    return review


def review_declare_conflict(
    *, application: Application, reviewer: User, reason: str = ""
) -> ConflictOfInterest:
    """The reviewer declares a conflict of interest with the file's organisation: its files are
    no longer theirs (assignments end; the pages and the API answer 404 from now on), and a
    review they gave no longer counts."""
    from .staff import conflict_declare

    _require_staff(reviewer, application)
    with transaction.atomic():
        conflict = conflict_declare(
            reviewer=reviewer, organisation=application.organisation, reason=reason
        )
        audit(
            AuditEvent.Action.STAFF_ACTION,
            user=reviewer,
            application=application.pk,
            conflict_declared=conflict.pk,
        )
    return conflict


def review_save(
    *,
    application: Application,
    reviewer: User,
    scores: dict[int, tuple[int, str]],
    recommendation: str = "",
    comment_for_applicant: str = "",
    internal_comment: str = "",
    submit: bool = False,
) -> Review:
    """Save the reviewer's review ({criterion id: (score, comment)} on the review form's
    criteria; criteria left out have no score yet) and, with `submit`, lock it: a submitted
    review has a score for every criterion and a recommendation, and never changes again."""
    _require_staff(reviewer, application)
    if Status(application.status) not in SCORABLE:
        raise ApplicationError(_("This file cannot be scored in its current status."))
    with transaction.atomic():
        # Lock the review: a save racing a submission (two tabs, a double click) waits, then
        # finds it submitted.
        review = (
            Review.objects.select_for_update()
            .filter(application=application, reviewer=reviewer)
            .first()
        )
        if review is None:
            raise ApplicationError(
                _("Confirm first that you have no conflict of interest with this organisation.")
            )
        if review.is_locked:
            raise ReviewLocked(_("Your review is submitted: it can no longer be changed."))
        if not Score.objects.filter(review=review).exists():
            # The first scores answer the form as it is now, and freeze it.
            review.form_version = review_form_freeze(call_id=application.call_id)
        criteria = {
            c.pk: c
            for c in ScoringCriterion.objects.filter(
                call_id=application.call_id, version=review.form_version
            )
        }
        _check_scores(scores, criteria)
        if submit and (set(scores) != set(criteria) or not recommendation):
            raise ApplicationError(
                _("A review is submitted with a score for every criterion and a recommendation.")
            )
        Score.objects.filter(review=review).exclude(criterion_id__in=list(scores)).delete()
        for criterion_id, (value, comment) in scores.items():
            Score.objects.update_or_create(
                review=review,
                criterion=criteria[criterion_id],
                defaults={
                    "application": application,
                    "reviewer": reviewer,
                    "value": value,
                    "comment": comment,
                },
            )
        review.recommendation = recommendation
        review.comment_for_applicant = comment_for_applicant
        review.internal_comment = internal_comment
        if submit:
            review.status, review.submitted_at = Review.Status.SUBMITTED, timezone.now()
        review.save()
        total = sum(
            (value * criteria[pk].weight for pk, (value, _comment) in scores.items()),
            Decimal("0"),
        )
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.REVIEW if submit else ApplicationEvent.Kind.SCORE,
            by=reviewer,
            comment=str(total),
            visible_to_applicant=False,
        )
    return review


def _check_scores(scores: dict, criteria: dict[int, ScoringCriterion]) -> None:
    if set(scores) - set(criteria):
        raise ApplicationError(_("The review form changed meanwhile: reload the page."))
    for criterion_id, (value, _comment) in scores.items():
        criterion = criteria[criterion_id]
        if not criterion.scale_min <= value <= criterion.scale_max:
            raise ApplicationError(
                _("“%(criterion)s” is scored from %(min)s to %(max)s.")
                % {
                    "criterion": criterion.label,
                    "min": criterion.scale_min,
                    "max": criterion.scale_max,
                }
            )
