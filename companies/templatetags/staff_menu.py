"""What the staff menu shows on every page: `{% load staff_menu %}`."""

from django import template
from django.core.cache import cache

from adn_portal.accounts.permissions import MANAGERS, has_role

from .. import selectors
from ..services import PENDING_CLAIMS_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_ownership_claims(context) -> int | None:
    """How many ownership claims wait for a decision, for those who decide them (None for
    everyone else). Kept in the cache, which each claim filed or decided clears
    (services.claims.claims_changed): no query on most pages."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_role(user, *MANAGERS):
        return None
    return cache.get_or_set(
        PENDING_CLAIMS_KEY, selectors.pending_ownership_claims_count, timeout=600
    )
