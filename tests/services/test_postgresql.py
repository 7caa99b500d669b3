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


def test_directory_search_uses_postgresql_full_text_with_prefixes_and_no_accents(client):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.factories import ExpertFactory

    ExpertFactory(organisation__name="Ardenne Vision SRL", organisation__postcode="6600")
    ExpertFactory(organisation__name="Liège Langage SA", organisation__postcode="4000")

    def found(q: str) -> list[str]:
        response = client.get(reverse("companies:expert_directory"), {"q": q})
        return [e.organisation.name for e in response.context["page"]]

    with CaptureQueriesContext(conn) as queries:
        assert found("visi") == ["Ardenne Vision SRL"]
    # The words of the vectors the database stores beside each expert, read once for the
    # directory's index; never a vector computed per expert.
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("unnest(e.search_vector)" in q for q in sql), sql
    assert not any("to_tsvector" in q for q in sql), sql
    assert found("LIEGE langage") == ["Liège Langage SA"]
    assert found("bastogne") == ["Ardenne Vision SRL"]  # municipality derived from 6600
    assert found("'); DROP TABLE x; --") == []


def test_the_directory_index_finds_what_the_tsquery_finds():
    """The page's search (the index's words, companies/directory_index.py) and the API's (a
    tsquery on the stored vector) give the same experts for every prefix."""
    from django.utils import timezone

    from companies import selectors
    from companies.selectors import DirectoryQuery
    from tests.factories import ExpertFactory

    descriptions = [
        "Vision par ordinateur, contrôle qualité",
        "Traitement du langage; chatbots e-commerce",
        "Prévisions de la demande (séries temporelles) pour l'agro-alimentaire",
        "Maintenance prédictive 4.0 et vision industrielle",
    ]
    for n, text in enumerate(descriptions):
        ExpertFactory(organisation__name=f"Expert {n} SRL", description_fr=text)
    today = timezone.localdate()
    for q in [
        "vis",
        "vision qual",
        "e-commerce",
        "commerce",
        "4",
        "4.0",
        "prev",
        "PRÉVISIONS",
        "agro",
        "alimentaire",
        "l",
        "expert 2",
        "srl",
        "zzz",
        "ordinateur langage",
    ]:
        query = DirectoryQuery(search=q)
        expected = [e.pk for e in selectors.directory_results(query, today=today)]
        page, _facets = selectors.directory_page(query, number=1, per_page=50, today=today)
        assert [e.pk for e in page.object_list] == expected, q
