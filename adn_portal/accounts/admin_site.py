"""The admin (/gestion/) under the portal's rules: only staff whose session passed the second
factor, and no log-in form of its own (Django's would take a password alone): anonymous
visitors go through allauth's log-in, which asks for the code."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import Http404

from .permissions import is_staff_member


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return is_staff_member(request.user)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            # Staff without the second factor are sent on by the middleware before this;
            # anyone else signed in has no admin and is not told there is one.
            raise Http404
        return secure_admin_login(super().login)(request, extra_context)
