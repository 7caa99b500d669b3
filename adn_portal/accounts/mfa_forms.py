"""allauth's second-factor forms, with the refusals of a throttled account audited (the wrong
codes themselves are audited from allauth's `authentication_failed` signal)."""

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django.core.exceptions import ValidationError

from .audit import audit
from .models import AuditEvent


class _AuditThrottled:
    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                audit(
                    AuditEvent.Action.SECOND_FACTOR_THROTTLED,
                    request=context.request,
                    user=self.user,
                )
            raise


class SecondFactorForm(_AuditThrottled, AuthenticateForm):
    pass


class SecondFactorReauthenticateForm(_AuditThrottled, ReauthenticateForm):
    pass
