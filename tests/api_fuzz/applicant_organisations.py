"""`make test-api-fuzz`: more organisations for the demo applicant, in the run's own copy of the
demo data (the demo itself, and the tests that count it, are unchanged).

The stateful phase's chains from `POST /applications/` (a file's steps, documents, messages,
submission, withdrawal) start only from a create that succeeds, and an organisation has one open
file of a programme at a time: the demo SME, whose Start IA project is under way, can start one
Tremplin IA file, then every create answers 409. Each of these small businesses can start a file
of each programme open to them (tests/api_fuzz/hooks.py names one that has none yet).

Run on the copy by the Makefile: `manage.py shell -c "…; add_organisations()"`."""

from adn_portal.accounts.models import User
from companies.models import Organisation, OrganisationKind
from companies.services.organisations import organisation_create

APPLICANT = "pme@adn.demo"
COUNT = 10


def add_organisations(*, email: str = APPLICANT, count: int = COUNT) -> list[Organisation]:
    applicant = User.objects.get(email=email)
    added = []
    for n in range(1, count + 1):
        base = f"0{4_200_000 + n:07d}"
        number = base + f"{97 - int(base) % 97:02d}"  # the register's check digits
        if Organisation.objects.filter(enterprise_number=number).exists():
            continue
        organisation = Organisation(
            name=f"Atelier fuzz {n} SRL",
            enterprise_number=number,
            kind=OrganisationKind.SME,
            street="Rue du Commerce 5",
            postcode="5000",
            headcount=14,
            turnover=1_800_000,
        )
        added.append(organisation_create(organisation=organisation, by=applicant))
    return added
