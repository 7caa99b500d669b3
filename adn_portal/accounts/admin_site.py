"""The admin (/gestion/) under the portal's rules: only staff whose session passed the second
factor, and no log-in form of its own (Django's would take a password alone): anonymous
visitors go through allauth's log-in, which asks for the code."""

import functools

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
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

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @functools.wraps(checked)
        def wrapper(request, *args, **kwargs):
            # Django takes an empty "_to_field" for a field named "" (a 500 on every change
            # and delete page): refused as any field the admin does not allow (400).
            if "" in (request.GET.get(TO_FIELD_VAR), request.POST.get(TO_FIELD_VAR)):
                raise DisallowedModelAdminToField("An empty _to_field cannot be referenced.")
            return checked(request, *args, **kwargs)

        return wrapper
