"""Who may do what: staff roles come from groups (docs/domain.md, The life of a file), and
count only for a session (or an API token) that passed the second factor."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from .roles import Role


def role_names(user) -> set[str]:
    """The user's staff roles as stored, whatever this session proved."""
    # Cached on the user object for the request: pages ask several times.
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return user._role_names


def holds_staff_rights(user) -> bool:
    """Whether the account has any staff right at all (admin flag or a staff role)."""
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or role_names(user) & set(STAFF))
    )


def second_factor_missing(user) -> bool:
    """True when this request's user came without the second factor: a session that did not
    pass it, or an API token not made by such a session. The middleware and the token
    authentication set the mark; users loaded outside a request (tasks, commands) carry none."""
    return settings.STAFF_TWO_FACTOR_REQUIRED and getattr(user, "second_factor_missing", False)


def has_role(user, *roles: Role) -> bool:
    if not (user.is_authenticated and user.is_active) or second_factor_missing(user):
        return False
    if user.is_superuser:
        return True
    return any(role in role_names(user) for role in roles)


def is_staff_member(user) -> bool:
    """Django's `is_staff` (the admin, unpublished calls), with the same second-factor rule."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and not second_factor_missing(user)
    )


def role_required(*roles: Role):
    """Anonymous: to the log-in page. Signed in without the role: 404, as if the page did not
    exist (staff pages are not advertised to applicants)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            from .audit import audit
            from .models import AuditEvent

            if not has_role(request.user, *roles):
                audit(AuditEvent.Action.PERMISSION_DENIED, request=request, view=view.__name__)
                raise Http404
            response = view(request, *args, **kwargs)
            if request.method == "POST":
                audit(
                    AuditEvent.Action.STAFF_ACTION,
                    request=request,
                    view=view.__name__,
                    status=response.status_code,
                )
            return response

        return wrapper

    return decorator


MANAGERS = (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
STAFF = (Role.REVIEWER, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
