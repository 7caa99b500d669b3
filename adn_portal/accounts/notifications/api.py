"""/api/v1/me/notifications/ and /api/v1/me/notification-preferences/: the same list, reading
and choices as the pages, for the caller only."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from adn_portal.lib.api import CappedCursorPagination
from adn_portal.lib.form_api import FormSerializer
from adn_portal.lib.numbers import whole_number

from ..api import Idempotent, SignedInWithStaffSecondFactor
from ..models import Delivery, Notification, NotificationKind
from . import selectors, services
from .forms import PreferencesForm


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="In the language of Accept-Language.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read_at"]
        read_only_fields = fields

    def get_text(self, notification) -> str:
        return services.notification_text(notification)


class NotificationViewSet(Idempotent, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications, newest first. Reading one (or all) is a POST, as following
    it or the "mark all as read" button on the page."""

    serializer_class = NotificationSerializer
    permission_classes = [SignedInWithStaffSecondFactor]
    pagination_class = CappedCursorPagination
    lookup_value_regex = r"\d+"
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notifications_of(self.request.user)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        number = whole_number(pk)  # any run of digits reaches here: too long is a 404
        notification = number and selectors.notification_of(user=request.user, pk=number)
        if not notification:
            raise Http404
        services.notification_read(notification=notification, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.notifications_read_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferencesSerializer(FormSerializer):
    """{kind: delivery} checked by the preferences page's form; kinds left out keep theirs."""

    form_class = PreferencesForm

    def get_fields(self):
        return {
            kind.value: serializers.ChoiceField(choices=Delivery.choices, required=False)
            for kind in NotificationKind
        }


class NotificationPreferencesView(Idempotent, APIView):
    """How the caller receives each kind of notification: `immediate` (an e-mail at once),
    `digest` (a daily e-mail) or `portal` (the list only)."""

    permission_classes = [SignedInWithStaffSecondFactor]

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response(selectors.preferences_of(request.user))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request):
        payload = PreferencesSerializer(
            data=request.data,
            context={"form_kwargs": {"current": selectors.preferences_of(request.user)}},
        )
        payload.is_valid(raise_exception=True)
        services.notification_preferences_save(user=request.user, choices=payload.form.choices())
        return Response(selectors.preferences_of(request.user))
