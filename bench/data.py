"""Generated data at scale for the benchmarks: organisations and submitted files, bulk-inserted
(the services are exercised by the tests; here only volume matters)."""

from django.db import connection, transaction
from django.utils import timezone

from adn_portal.accounts.models import User
from applications.models import Application, Assignment
from applications.workflow import Status
from companies.identifiers import Province
from companies.models import Organisation, OrganisationKind
from programs.models import Call, Programme

OPEN = [Status.SUBMITTED, Status.UNDER_REVIEW, Status.SELECTED, Status.IN_PROGRESS]
CLOSED = [Status.REJECTED, Status.COMPLETED, Status.CLOSED, Status.WITHDRAWN, Status.INELIGIBLE]
POSTCODES = {
    Province.LIEGE: "4000",
    Province.NAMUR: "5000",
    Province.HAINAUT: "7000",
    Province.LUXEMBOURG: "6600",
    Province.BRABANT_WALLON: "1300",
}


def enterprise_number(n: int) -> str:
    first8 = f"{10_000_000 + n:08d}"
    first8 = "0" + first8[1:]
    return first8 + f"{97 - int(first8) % 97:02d}"


def generate(*, files: int, organisations: int, seed: int = 7) -> None:
    _generate(files=files, organisations=organisations, seed=seed)
    # As autovacuum would in production: statistics, and a visibility map that lets the
    # queue's deep pages use an index-only scan (VACUUM cannot run inside a transaction).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def insert_select(model, *, template, varying: dict[str, str], source: str, params=()) -> int:
    """One INSERT … SELECT: a row of `model` for each row of `source` (SQL after FROM), the
    columns named in `varying` from its SQL expressions (over `source`'s columns, without
    parameters), every other
    column as `template` has it (the model's defaults), so that fields added later need
    nothing here. Millions of rows in seconds, where bulk_create takes minutes."""
    quote = connection.ops.quote_name
    columns, values, constants = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.generated:
            continue
        columns.append(quote(field.column))
        if field.attname in varying:
            values.append(varying[field.attname])
        else:
            values.append("%s")
            value = field.pre_save(template, add=True)
            constants.append(field.get_db_prep_save(value, connection))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 — our tables
        f"SELECT {', '.join(values)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *params])
        return cursor.rowcount


def _sql_text(values) -> str:
    """An SQL array literal of plain words (programme codes, statuses)."""
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


@transaction.atomic
def _generate(*, files: int, organisations: int, seed: int) -> None:
    if Application.objects.filter(reference__contains="-B").count() >= files:
        enrich()
        return
    owner, _created = User.objects.get_or_create(email="bench@adn.demo")
    calls = list(Call.objects.values_list("pk", "programme_id"))
    if not calls:
        raise SystemExit("No calls: run seed_demo first.")
    provinces = list(POSTCODES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [1 / (seed + 1)])
        # Organisation k (0 … O-1): a number of its own (mod 97 check digits), a province.
        insert_select(
            Organisation,
            template=Organisation(kind=OrganisationKind.SME, street="Rue 1", municipality="X"),
            varying={
                "name": "'Organisation ' || lpad(k::text, 5, '0')",
                "enterprise_number": "'0' || lpad(k::text, 7, '0')"
                " || lpad((97 - k %% 97)::text, 2, '0')",
                "province": f"({_sql_text(provinces)})[1 + k %% {len(provinces)}]",
                "postcode": f"({_sql_text(POSTCODES.values())})[1 + k %% {len(provinces)}]",
            },
            source="generate_series(0, %s - 1) AS k",
            params=[organisations],
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_orgs ON COMMIT DROP AS SELECT id, (row_number() OVER"
            " (ORDER BY id) - 1)::int AS k FROM companies_organisation"
            " WHERE name LIKE 'Organisation %%' ORDER BY id"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_orgs (k)")
        programmes = list(Programme.objects.order_by("pk").values_list("pk", "code"))
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_calls (programme_id bigint, i int, call_id bigint)"
            " ON COMMIT DROP"
        )
        by_programme: dict[int, list[int]] = {}
        for call_id, programme_id in calls:
            by_programme.setdefault(programme_id, []).append(call_id)
        for programme_id, ids in by_programme.items():
            for i, call_id in enumerate(ids):
                cursor.execute(
                    "INSERT INTO bench_calls VALUES (%s, %s, %s)", [programme_id, i, call_id]
                )
    # File n belongs to organisation n % O in programme (n // O) % P: only the first file of
    # each pair may be open (one open file per organisation and programme).
    count = {pk: len(ids) for pk, ids in by_programme.items()}
    programme_ids = [pk for pk, _code in programmes]
    codes = [code for _pk, code in programmes]
    p = len(programmes)
    programme_of = f"(ARRAY{programme_ids})[1 + (n / {organisations}) %% {p}]"
    calls_of = (
        f"(ARRAY{[count.get(pk, 1) for pk in programme_ids]})[1 + (n / {organisations}) %% {p}]"
    )
    now = timezone.now()
    insert_select(
        Application,
        template=Application(created_by=owner),
        varying={
            "call_id": "c.call_id",
            "programme_id": "f.programme_id",
            "organisation_id": "o.id",
            "status": f"CASE WHEN n < {organisations * p} AND random() < 0.5"
            f" THEN ({_sql_text(OPEN)})[1 + floor(random() * {len(OPEN)})::int]"
            f" ELSE ({_sql_text(CLOSED)})[1 + floor(random() * {len(CLOSED)})::int] END",
            "reference": f"({_sql_text(codes)})[1 + (n / {organisations}) %% {p}]"
            " || '-B' || lpad((n / 10000)::text, 2, '0')"
            " || '-' || lpad(n::text, greatest(6, length(n::text)), '0')",
            "submitted_at": f"'{now.isoformat()}'::timestamptz - n * interval '1 minute'",
            "title": "'Projet ' || n",
            "created_by_id": str(owner.pk),
        },
        source=f"(SELECT n, {programme_of} AS programme_id,"  # noqa: S608 — our numbers
        f" floor(random() * {calls_of})::int AS i FROM generate_series(0, %s - 1) AS n) f"
        f" JOIN bench_orgs o ON o.k = f.n %% {organisations}"
        " JOIN bench_calls c ON c.programme_id = f.programme_id AND c.i = f.i",
        params=[files],
    )
    reviewers = list(User.objects.filter(groups__name="reviewer").values_list("pk", flat=True))
    if reviewers:
        # Every third file has a current reviewer.
        insert_select(
            Assignment,
            template=Assignment(assigned_by=owner),
            varying={
                "application_id": "a.id",
                "reviewer_id": f"(ARRAY{reviewers})[1 + (a.id / 3) %% {len(reviewers)}]",
                "assigned_by_id": str(owner.pk),
            },
            source="applications_application a WHERE a.reference LIKE '%%-B%%' AND a.id %% 3 = 0",
        )
    enrich()


# What the services would have left behind, written by SQL at this scale: organisations across
# sectors and kinds, the decision and completion moments, a timeline per file and the outcome
# surveys of completed projects (so the indicators have real work to do).
ENRICH = [
    # NACE sections A..S and kinds spread over the organisations.
    "UPDATE companies_organisation SET sector = chr((65 + id %% 19)::int),"
    " kind = (ARRAY['sme','sme','sme','startup','large_company','commune','cpas','intercommunale'])"
    "[1 + id %% 8] WHERE sector = ''",
    "UPDATE applications_application SET"
    " decided_at = CASE WHEN status IN ('selected','in_progress','completed','closed','rejected',"
    "'ineligible') THEN submitted_at + (20 + id %% 40) * interval '1 day' END,"
    " selected_at = CASE WHEN status IN ('selected','in_progress','completed','closed')"
    " THEN submitted_at + (20 + id %% 40) * interval '1 day' END,"
    " completed_at = CASE WHEN status IN ('completed','closed')"
    " THEN submitted_at + (150 + id %% 90) * interval '1 day' END"
    " WHERE reference LIKE %s",
    "INSERT INTO applications_applicationevent"
    " (application_id, kind, from_status, to_status, at, comment, visible_to_applicant)"
    " SELECT a.id, 'transition', e.from_status, e.to_status, e.at, '', true"
    " FROM applications_application a CROSS JOIN LATERAL (VALUES"
    " ('draft', 'submitted', a.submitted_at), ('under_review', 'selected', a.selected_at),"
    " ('report_submitted', 'completed', a.completed_at)) e(from_status, to_status, at)"
    " WHERE a.reference LIKE %s AND e.at IS NOT NULL",
    "INSERT INTO applications_outcomereport (application_id, summary, investment_before,"
    " investment_after, improved_competitiveness, improved_quality, in_production, jobs_created,"
    " would_recommend, submitted_by_id, submitted_at)"
    " SELECT a.id, 'Projet mené à bien.', 10000 + a.id %% 50000, (10000 + a.id %% 50000)"
    " * (1.6 + (a.id %% 17) / 10.0), a.id %% 25 <> 0, a.id %% 9 <> 0, a.id %% 3 <> 0, a.id %% 3,"
    " a.id %% 20 <> 0, a.created_by_id, a.completed_at FROM applications_application a"
    " WHERE a.reference LIKE %s AND a.completed_at IS NOT NULL",
]


def enrich() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark data is written for PostgreSQL.")
    from applications.models import OutcomeReport

    if OutcomeReport.objects.filter(application__reference__contains="-B").exists():
        return  # already done
    with connection.cursor() as cursor:
        for sql in ENRICH:
            cursor.execute(sql, ["%-B%"] * sql.count("%s"))


@transaction.atomic
def generate_experts(*, count: int) -> None:
    """Recognised experts up to `count`, each a copy of one of the demo's (its descriptions,
    specialities, sectors, languages, programmes, facets and search words: the experts' own
    words) under an organisation of its own."""
    from companies.models import Expert, ExpertFacet
    from companies.workflow import RecognitionStatus

    existing = Expert.objects.filter(status=RecognitionStatus.ACTIVE).count()
    if existing >= count:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_models ON COMMIT DROP AS SELECT (row_number() OVER"
            " (ORDER BY e.id) - 1)::int AS i, e.*, o.province, o.postcode, o.municipality,"
            " o.kind, o.name FROM companies_expert e JOIN companies_organisation o"
            " ON o.id = e.organisation_id WHERE e.status = %s",
            [RecognitionStatus.ACTIVE],
        )
        cursor.execute("SELECT count(*) FROM bench_models")
        (models,) = cursor.fetchone()
    if not models:
        raise SystemExit("No recognised experts to copy: run seed_demo first.")
    first = Expert.objects.filter(slug__startswith="bench-expert-").count()
    added = count - existing
    source = (
        f"generate_series({first}, {first} + %s - 1) AS k JOIN bench_models t"
        f" ON t.i = k %% {models}"
    )
    insert_select(
        Organisation,
        template=Organisation(street="Rue 1"),
        varying={
            "name": "t.name || ' ' || k",
            "enterprise_number": "'0' || lpad((5000000 + k)::text, 7, '0')"
            " || lpad((97 - (5000000 + k) %% 97)::text, 2, '0')",
            "province": "t.province",
            "postcode": "t.postcode",
            "municipality": "t.municipality",
            "kind": "t.kind",
        },
        source=source,
        params=[added],
    )
    today = timezone.localdate()
    copied = (
        "description_fr",
        "description_en",
        "description_de",
        "specialities",
        "sectors",
        "languages",
        "programmes",
        "team_size",
        "public_email",
        "public_phone",
    )
    insert_select(
        Expert,
        template=Expert(),
        varying={
            "organisation_id": "o.id",
            "slug": "'bench-expert-' || k",
            "status": f"'{RecognitionStatus.ACTIVE}'",
            "recognised_from": f"'{today}'::date - 100 - k %% 300",
            "recognised_until": f"'{today}'::date + 300",
            "files_delivered": "k %% 40",
            "search_text": "t.search_text || ' ' || k",
            **{name: f"t.{name}" for name in copied},
        },
        source=source + " JOIN companies_organisation o"
        " ON o.enterprise_number = '0' || lpad((5000000 + k)::text, 7, '0')"
        " || lpad((97 - (5000000 + k) %% 97)::text, 2, '0')",
        params=[added],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ExpertFacet._meta.db_table} (expert_id, kind, value)"  # noqa: S608
            " SELECT e.id, f.kind, f.value FROM companies_expert e"
            f" JOIN bench_models t ON t.i = substring(e.slug from 14)::int % {models}"
            " JOIN companies_expertfacet f ON f.expert_id = t.id"
            f" WHERE e.slug LIKE 'bench-expert-%' AND substring(e.slug from 14)::int >= {first}"
        )
        # Statistics of the new rows, as autovacuum would take them soon after in production:
        # without them PostgreSQL read a picker's twenty experts by walking every organisation
        # (a merge join, 3-9 ms instead of 0.1).
        tables = [model._meta.db_table for model in (Organisation, Expert, ExpertFacet)]
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def remove_generated_experts() -> int:
    """Take away the experts `generate_experts` made (and their organisations), so that a
    later run measures the demo's experts first again. Returns how many there were."""
    from companies.models import Expert, ExpertFacet

    generated = Expert.objects.filter(slug__startswith="bench-expert-")
    organisations = list(generated.values_list("organisation_id", flat=True))
    with transaction.atomic():
        ExpertFacet.objects.filter(expert__in=generated).delete()
        removed = generated._raw_delete(generated.db)
        Organisation.objects.filter(pk__in=organisations)._raw_delete(connection.alias)
    return removed
