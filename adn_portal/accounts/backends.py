"""The session's user is loaded, in one statement, with what every signed-in page asks of it:
its unread notifications counted (the header's badge, and no counter column locked by the
transactions that notify: issue 23), its staff roles and the programmes it works on (the
permission checks and the staff pages' filters). Read afresh on every request, never cached:
a role revoked or a programme left takes effect on the next request.

Every signed-in request runs that statement: it is compiled once per process (only the user's
id changes), as compiling the annotated queryset cost the process five times what running it
did."""

from functools import cache

from allauth.account import auth_backends
from django.contrib.auth import backends
from django.contrib.auth.models import Group
from django.db import connections, router
from django.db.models import CharField, OuterRef, StringAgg, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from .models import User
from .roles import Role

# Stands for the user's id while the statement is compiled (no user has it).
_ANY_ID = -2_000_000_023
_SEPARATOR = ","  # in no role's name, nor in an id
ROLE_NAMES = frozenset(Role.values)


def _roles(connection):
    """The user's staff roles' names (its groups that are roles), in one column."""
    if connection.vendor == "postgresql":
        # An array of each membership's name read by its key: the cheapest to plan (an
        # aggregate over a join cost PostgreSQL 0.1 ms more a request).
        quote = connection.ops.quote_name
        groups, memberships = Group._meta.db_table, User.groups.through._meta.db_table
        sql = (
            f"ARRAY(SELECT (SELECT g.name FROM {quote(groups)} g WHERE g.id = m.group_id) "  # noqa: S608 — names from the models
            f"FROM {quote(memberships)} m WHERE m.user_id = {quote(User._meta.db_table)}.id)"
        )
        return RawSQL(sql, [])  # noqa: S611 — no value in it
    memberships = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=Role.values
    )
    names = StringAgg("group__name", Value(_SEPARATOR))
    return Subquery(memberships.values("user_id").annotate(names=names).values("names")[:1])


def _programmes(connection):
    """The programmes the user works on (programs' ProgrammeStaff, reached through the
    relation: accounts does not import programs), in one column."""
    staff = User._meta.get_field("programme_roles").related_model
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = (
            f"ARRAY(SELECT s.programme_id FROM {quote(staff._meta.db_table)} s "  # noqa: S608 — names from the models
            f"WHERE s.user_id = {quote(User._meta.db_table)}.id)"
        )
        return RawSQL(sql, [])  # noqa: S611 — no value in it
    rows = staff.objects.filter(user_id=OuterRef("pk"))
    ids = StringAgg(Cast("programme_id", CharField()), Value(_SEPARATOR))
    return Subquery(rows.values("user_id").annotate(ids=ids).values("ids")[:1])


@cache
def session_user_statement(using: str) -> tuple[str, tuple]:
    """The statement and its parameters, the user's id standing as `_ANY_ID` (the others are
    the roles' names and the separator, the same on every request)."""
    sql, params = (
        User.objects.db_manager(using)
        .with_unread_notifications()
        .annotate(
            session_roles=_roles(connections[using]),
            session_programmes=_programmes(connections[using]),
        )
        .filter(pk=_ANY_ID)
        .query.sql_with_params()
    )
    if params.count(_ANY_ID) != 1 or not all(isinstance(p, str) for p in params if p != _ANY_ID):
        raise RuntimeError(f"The session user's statement takes {params!r}")
    return sql, params


def _items(column: list | str | None) -> list:
    """An array's items (PostgreSQL), or a separated string's (elsewhere)."""
    if isinstance(column, list):
        return column
    return column.split(_SEPARATOR) if column else []


class UnreadNotificationsOnLoad:
    def get_user(self, user_id):
        using = router.db_for_read(User)
        user_id = User._meta.pk.to_python(user_id)
        sql, params = session_user_statement(using)
        params = [user_id if p == _ANY_ID else p for p in params]
        user = next(iter(User.objects.raw(sql, params, using=using)), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        # What permissions.role_names and programs.selectors.programmes_worked_on would read
        # on first use, read here with the user, for this request only.
        user._role_names = set(_items(user.session_roles)) & ROLE_NAMES
        user._programmes_worked_on = [int(pk) for pk in _items(user.session_programmes)]
        return user


class ModelBackend(UnreadNotificationsOnLoad, backends.ModelBackend):
    """Django's, for the log-in form's e-mail and password."""


class AuthenticationBackend(UnreadNotificationsOnLoad, auth_backends.AuthenticationBackend):
    """allauth's, for the sessions it opens itself (sign-up, e-mail confirmation, reset)."""
