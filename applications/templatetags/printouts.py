"""{% printout_links application %}: the file's PDFs (each submitted version, each decision
letter) for the applicant's file page, or the staff's with `staff=True`."""

from django import template

from ..models import ApplicantMessage

register = template.Library()


@register.inclusion_tag("applications/partials/printouts.html")
def printout_links(application, staff=False, versions=None, decisions=None):
    """`versions` (their numbers) and `decisions` (the decision letters: pk, subject,
    created_at) when the page read them already (the staff's file page)."""
    if versions is None:
        versions = list(application.versions.order_by("number").values_list("number", flat=True))
    if decisions is None:
        decisions = list(
            application.messages.filter(kind=ApplicantMessage.Kind.DECISION)
            .order_by("created_at", "pk")
            .values("pk", "subject", "created_at")
        )
    return {
        "application": application,
        "staff": staff,
        "versions": versions,
        "decisions": decisions,
    }
