"""Who may do what: staff roles come from groups (domain §3)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from .roles import Role


def has_role(user, *roles: Role) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # Cached on the user object for the request: pages ask several times.
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return any(role in user._role_names for role in roles)


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
