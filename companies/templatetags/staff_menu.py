"""What the staff menu shows on every page: `{% load staff_menu %}`."""

from django import template

from adn_portal.accounts.permissions import MANAGERS, has_role

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_ownership_claims(context) -> int | None:
    """How many ownership claims wait for a decision, for those who decide them (None for
    everyone else). Read from the cache: no query on most pages."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_role(user, *MANAGERS):
        return None
    return selectors.pending_ownership_claims_count()
