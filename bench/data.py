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


@transaction.atomic
def generate(*, files: int, organisations: int, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311 — benchmark data, not secrets
    if Application.objects.count() >= files:
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
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
