"""Generated data at scale for the benchmarks: organisations and submitted files, bulk-inserted
(the services are exercised by the tests; here only volume matters)."""

import random
from datetime import timedelta

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


@transaction.atomic
def _generate(*, files: int, organisations: int, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 — benchmark data, not secrets
    if Application.objects.count() >= files:
        enrich()
        return
    owner, _created = User.objects.get_or_create(email="bench@adn.demo")
    calls = list(Call.objects.all()) or []
    if not calls:
        raise SystemExit("No calls: run seed_demo first.")
    provinces = list(POSTCODES)
    orgs = Organisation.objects.bulk_create(
        (
            Organisation(
                name=f"Organisation {n:05d}",
                enterprise_number=enterprise_number(n),
                kind=OrganisationKind.SME,
                street="Rue 1",
                postcode=POSTCODES[p := provinces[n % len(provinces)]],
                municipality="X",
                province=p,
            )
            for n in range(organisations)
        ),
        batch_size=5000,
    )
    now = timezone.now()
    by_programme = {}
    for call in calls:
        by_programme.setdefault(call.programme_id, []).append(call)
    programmes = list(Programme.objects.values_list("pk", "code"))
    rows = []
    for n in range(files):
        # File n belongs to organisation n % O in programme (n // O) % P: only the first file of
        # each pair may be open (one open file per organisation and programme).
        programme_id, code = programmes[(n // len(orgs)) % len(programmes)]
        first_of_pair = n < len(orgs) * len(programmes)
        status = rng.choice(OPEN if first_of_pair and rng.random() < 0.5 else CLOSED)
        rows.append(
            Application(
                call=rng.choice(by_programme[programme_id]),
                programme_id=programme_id,
                organisation=orgs[n % len(orgs)],
                created_by=owner,
                status=status,
                reference=f"{code}-B{n // 10000:02d}-{n:06d}",
                submitted_at=now - timedelta(minutes=n),
                title=f"Projet {n}",
            )
        )
    created = Application.objects.bulk_create(rows, batch_size=5000)
    reviewers = list(User.objects.filter(groups__name="reviewer"))
    if reviewers:
        Assignment.objects.bulk_create(
            (
                Assignment(application=a, reviewer=reviewers[i % len(reviewers)], assigned_by=owner)
                for i, a in enumerate(created[::3])
            ),
            batch_size=5000,
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
