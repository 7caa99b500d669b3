"""The experts proposed for a Start IA request (applications/matching.py), for the templates:
`{% expert_proposals application as proposals %}` in the applicant's expert step, and
`{% staff_expert_proposals application as proposals %}` on the staff's file page (with the
outcome surveys of the experts' past files, for staff only)."""

from django import template

from adn_portal.accounts.permissions import STAFF, has_role

from .. import matching

register = template.Library()


@register.simple_tag
def expert_proposals(application) -> list[matching.Proposal]:
    return matching.expert_proposals(application=application)


@register.simple_tag(takes_context=True)
def staff_expert_proposals(context, application) -> list[matching.Proposal]:
    request = context.get("request")
    if request is None or not has_role(request.user, *STAFF):
        return []
    return matching.staff_expert_proposals(application=application)
