import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from programs.models import Programme
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def test_every_migration_is_applied_on_postgresql():
    assert connection.vendor == "postgresql"
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(targets) == []


def test_data_migrations_created_the_programmes_and_staff_groups():
    assert list(Programme.objects.values_list("code", flat=True)) == ["START", "TREMPLIN", "CAP"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM auth_group ORDER BY name")
        assert [row[0] for row in cursor.fetchall()] == [
            "administrator",
            "programme manager",
            "reviewer",
        ]


def test_postgresql_enforces_the_call_constraints():
    with pytest.raises(IntegrityError, match="call_funding_rate_percent"), transaction.atomic():
        CallFactory(funding_rate=101)
    with pytest.raises(IntegrityError, match="call_budget_not_negative"), transaction.atomic():
        CallFactory(budget_envelope=-1)
