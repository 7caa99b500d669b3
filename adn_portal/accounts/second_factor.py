"""The second factor (allauth.mfa, TOTP) as the portal uses it: staff rights belong to a session
that passed it in this log-in, whatever the entrance (allauth's log-in, the admin, a password
reset, the session API). allauth writes a record of each authentication step in the session;
a "mfa" record for this user is the proof."""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .audit import audit
from .models import AuditEvent


def session_passed_second_factor(request, user) -> bool:
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_next_step(request, user):
    """Where a staff member whose session lacks the second factor goes: set up TOTP, or type a
    code; the API answers a structured 403."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "status": 403,
                "errors": [
                    {
                        "field": None,
                        "code": "two_factor_required",
                        "message": _(
                            "Staff access needs a session that passed two-factor authentication, or a staff API token."
                        ),
                    }
                ],
            },
            status=403,
        )
    if not has_totp(user):
        messages.info(
            request, _("For the staff interface, set up two-factor authentication first.")
        )
        return redirect("mfa_activate_totp")
    messages.info(request, _("For the staff interface, enter the code of your authenticator."))
    return redirect(
        f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
    )


@receiver(mfa_signals.authenticator_added)
def _setting_up_totp_proves_it(sender, request, user, authenticator, **kwargs):
    # Activating TOTP asks for a valid code from the new device: the session has just shown
    # the second factor, so it need not log in again to use it.
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", type=authenticator.type, id=authenticator.pk)


@receiver(mfa_signals.authentication_failed)
def _audit_wrong_code(sender, request, user, authenticator, reauthentication=False, **kwargs):
    audit(
        AuditEvent.Action.SECOND_FACTOR_FAILED,
        request=request,
        user=user,
        authenticator=authenticator.type,
        reauthentication=bool(reauthentication),
    )
