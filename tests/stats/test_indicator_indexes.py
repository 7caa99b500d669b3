"""The surveys' pass reads the index made for it (applications migration 0025): what it reads of
a file is in the index, and its filter is the index's condition. (On a table of a few rows the
planner picks any index; bench/results/README.md shows the plan at 1,000,000 files.)"""

import re

from django.db.models import Q

from applications.models import Application
from stats.computation import survey_rows


def test_the_surveys_pass_reads_only_what_the_completed_files_index_holds():
    index = next(i for i in Application._meta.indexes if i.name == "application_completed_idx")
    held = {Application._meta.get_field(name).column for name in (*index.fields, *index.include)}
    rows = survey_rows(Application.objects.filter(submitted_at__isnull=False))
    sql = str(rows.order_by().query)  # as the pass reads them (stats.grouping.sql_of)
    read = set(re.findall(r'"applications_application"\."(\w+)"', sql))
    assert read == held | {"submitted_at", "completed_at"}
    # The rows the pass keeps: submitted and completed files, the index's own.
    assert index.condition == Q(submitted_at__isnull=False, completed_at__isnull=False)
    assert '"applications_application"."completed_at" IS NOT NULL' in sql
