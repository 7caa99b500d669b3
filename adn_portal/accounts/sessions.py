"""Sessions in the database, as Django keeps them, read by one statement written once.

Every signed-in request reads its session: building and compiling Django's
`Session.objects.get(session_key=…, expire_date__gt=now)` cost the process four times what the
database spent answering it. The statement below reads the same row under the same conditions.
Writes, rotation, log-out and expiry stay Django's own (`db.SessionStore`) and nothing is
cached: a session is never read stale, whichever process or node wrote it last (its
second-factor record lives in it)."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        row = None
        if self.session_key is not None:
            connection = connections[router.db_for_read(self.model)]
            table = connection.ops.quote_name(self.model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT session_data FROM {table} "  # noqa: S608 — Django's own table
                    "WHERE session_key = %s AND expire_date > %s",
                    [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
                )
                row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
