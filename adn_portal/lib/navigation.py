"""The links of every page's header and footer, reversed once per process: they never change
while it runs, and reversing them on each page (22 URLs) took a tenth of a light page's time."""

from functools import cache

from django.urls import reverse

LINKS = {
    "home": "programs:home",
    "experts": "companies:expert_directory",
    "key_figures": "stats:key_figures",
    "my_applications": "applications:my_applications",
    "staff_queue": "applications:staff_queue",
    "dashboard": "stats:dashboard",
    "staff_experts": "companies:staff_expert_list",
    "staff_claims": "companies:staff_claim_list",
    "staff_calls": "programs:staff_calls",
    "admin": "admin:index",
    "record_checks": "record_checks",
    "profile": "profile",
    "notifications": "notifications:list",
    "notification_preferences": "notifications:preferences",
    "expert_applications": "applications:expert_applications",
    "organisations": "companies:organisation_list",
    "expert_space": "companies:expert_profile",
    "change_password": "account_change_password",
    "logout": "account_logout",
    "login": "account_login",
    "signup": "account_signup",
    "set_language": "set_language",
    "programme_finder": "applications:programme_finder",
    # The footer's pages (adn_portal/wiring/pages.py)
    "legal_notice": "legal_notice",
    "privacy_notice": "privacy_notice",
    "accessibility": "accessibility",
    "contact": "contact",
}
PROGRAMMES = {"start_ia": "start-ia", "tremplin_ia": "tremplin-ia", "cap_ia": "cap-ia"}


@cache
def _links() -> dict[str, str]:
    return {name: reverse(view) for name, view in LINKS.items()} | {
        name: reverse("programs:programme_detail", args=[slug]) for name, slug in PROGRAMMES.items()
    }


# The header marks the page it is on among these (the pieces of the header kept per language
# vary on it: adn_portal/accounts/templatetags/page_frame.py).
MARKED_IN_HEADER = ("home", "experts")


def links(request) -> dict:
    """Context processor: `links.home`, `links.experts`…, and `header_section`: which of the
    header's marked links is this page ("" for none)."""
    found = _links()
    path = getattr(request, "path", None)
    section = next((name for name in MARKED_IN_HEADER if found[name] == path), "")
    return {"links": found, "header_section": section}
