"""The indicators' passes read the indexes made for them (applications migrations 0024, 0025):
a filter of the rows that no longer implies an index's condition would read the whole table."""

import pytest
from django.db import connection

from applications.models import Application
from stats.computation import survey_rows
from stats.grouping import sql_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="indexes with INCLUDE columns: PostgreSQL only"
    ),
]


def test_the_surveys_pass_reads_the_completed_files_index():
    sql, params = sql_of(survey_rows(Application.objects.filter(submitted_at__isnull=False)))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using application_completed_idx" in plan
