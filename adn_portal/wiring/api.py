"""/api/v1/: one router for every app's endpoints, the OpenAPI schema and its documentation
(Swagger UI and Redoc served from local static files)."""

from django.conf import settings
from django.urls import include, path, re_path
from django.utils import translation
from django.utils.csp import CSP
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from adn_portal.accounts.notifications.api import NotificationPreferencesView, NotificationViewSet
from adn_portal.lib.api import error
from applications.api.views import (
    ExpertApplicationViewSet,
    ExportViewSet,
    MyApplicationViewSet,
    StaffApplicationViewSet,
)
from companies.api.views import (
    EnterpriseRegisterView,
    ExpertViewSet,
    MyExpertProfileViewSet,
    MyOrganisationSmeView,
    MyOrganisationViewSet,
)
from programs.api.views import CallViewSet, ProgrammeViewSet
from stats.api.views import IndicatorsView, KeyFiguresView

# Swagger UI and Redoc start with inline code (not ours): only their two pages allow it.
DOCS_CSP = {
    **settings.SECURE_CSP,
    "script-src": [CSP.SELF, "'unsafe-inline'"],
    "style-src": [CSP.SELF, "'unsafe-inline'"],
    "worker-src": [CSP.SELF, "blob:"],
}

router = DefaultRouter()
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("calls", CallViewSet, basename="call")
router.register("experts", ExpertViewSet, basename="expert")
router.register("me/organisations", MyOrganisationViewSet, basename="my-organisation")
router.register("applications", MyApplicationViewSet, basename="application")
router.register("me/expert/files", ExpertApplicationViewSet, basename="expert-application")
router.register("staff/applications", StaffApplicationViewSet, basename="staff-application")
router.register("staff/exports", ExportViewSet, basename="staff-export")
router.register("me/notifications", NotificationViewSet, basename="notification")

expert_profile = MyExpertProfileViewSet.as_view({"get": "retrieve", "patch": "partial_update"})


def _plain(value):
    """The schema with every lazy translation made a plain string."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value) if isinstance(value, Promise) else value


class SchemaView(SpectacularAPIView):
    """The schema in the code's own words (English) whatever Accept-Language, `?lang=` or the
    caller's profile say: one schema, so that a generated client never changes with the
    language of whoever fetched it. The API's answers are in the caller's language."""

    def _get_schema_response(self, request):
        with translation.override(None):
            response = super()._get_schema_response(request)
            response.data = _plain(response.data)
        return response


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    return error(_("No such endpoint."), code="not_found", status_code=404)


urlpatterns = [
    path("", include(router.urls)),
    path("me/expert/", expert_profile, name="my-expert-profile"),
    path(
        "me/organisations/<int:pk>/sme/",
        MyOrganisationSmeView.as_view(),
        name="my-organisation-sme",
    ),
    path(
        "me/notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "enterprise-register/<str:number>/",
        EnterpriseRegisterView.as_view(),
        name="enterprise-register",
    ),
    path("key-figures/", KeyFiguresView.as_view(), name="key-figures"),
    path("staff/indicators/", IndicatorsView.as_view(), name="staff-indicators"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path(
        "docs/",
        csp_override(DOCS_CSP)(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        csp_override(DOCS_CSP)(SpectacularRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    re_path(r"^[\s\S]*$", not_found),  # any other path, newlines included
]
