from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User
from .tokens import api_token_revoke


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see who holds which token and revoke it (delete); the token itself is
    never stored, and its digest is not shown."""

    list_display = ["name", "user", "token_key", "created", "expiry", "second_factor"]
    list_filter = ["second_factor"]
    search_fields = ["user__email", "name", "token_key"]
    fields = ["name", "user", "token_key", "created", "expiry", "second_factor"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are made by their owner, after the second factor for staff

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        api_token_revoke(token=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset:
            api_token_revoke(token=token, by=request.user, request=request)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke(self, request, queryset) -> None:
        self.delete_queryset(request, queryset)


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who set up which second factor; its secret stays out of sight. Deleting one lets a
    person who lost their device set up a new one."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# The federal log-in (adn_portal/accounts/federal) is configured by settings, not by a SocialApp
# row, and its tokens are not kept (SOCIALACCOUNT_STORE_TOKENS is off): neither has a page here.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
admin.site.unregister(SocialAccount)


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    """Who logs in with the federal authentication; what the provider sent stays out of sight.
    Deleting one unlinks it (the person links again at their next federal log-in)."""

    list_display = ["user", "provider", "date_joined", "last_login"]
    list_filter = ["provider"]
    search_fields = ["user__email"]
    fields = ["user", "provider", "date_joined", "last_login"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
