from django.contrib import admin
from django.urls import include, path

from adn_portal.accounts import views as account_views
from adn_portal.wiring.pages import site_page
from adn_portal.wiring.views import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("api/v1/", include(("adn_portal.wiring.api", "api"), namespace="api")),
    path("", include("programs.urls")),
    path("", include("companies.urls")),
    path("", include("applications.urls")),
    path("", include("stats.urls")),
    path("compte/", include("allauth.urls")),
    path("compte/profil/", account_views.profile, name="profile"),
    path("compte/jetons-api/", account_views.api_tokens, name="api_tokens"),
    path("espace-adn/registres/", account_views.record_checks, name="record_checks"),
    path("compte/notifications/", include("adn_portal.accounts.notifications.urls")),
    path("langue/", account_views.set_language, name="set_language"),
    # The footer's pages (adn_portal/wiring/pages.py)
    path("mentions-legales/", site_page, {"page": "legal_notice"}, name="legal_notice"),
    path("vie-privee/", site_page, {"page": "privacy_notice"}, name="privacy_notice"),
    path("accessibilite/", site_page, {"page": "accessibility"}, name="accessibility"),
    path("contact/", site_page, {"page": "contact"}, name="contact"),
    path("gestion/", admin.site.urls),
]

# A database that cannot be reached answers 503 with Retry-After (adn_portal.lib.unavailable).
handler500 = "adn_portal.wiring.views.server_error"
handler400 = "adn_portal.wiring.views.bad_request"
