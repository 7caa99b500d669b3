from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from adn_portal.accounts.models import User
from programs.models import Audience, Call, Programme, ScoringCriterion

DEFAULT_PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.be")
    first_name = "Julie"
    last_name = "Dupont"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


def programme(code: str = Programme.Code.START_IA) -> Programme:
    """The three programmes exist from a data migration: fetch, never create."""
    return Programme.objects.get(code=code)


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.LazyFunction(programme)
    slug = factory.Sequence(lambda n: f"appel-{n}")
    title_fr = factory.Sequence(lambda n: f"Appel numéro {n}")
    title_en = factory.Sequence(lambda n: f"Call number {n}")
    summary_fr = "Un appel pour tester."
    text_fr = "Le texte de l'appel."
    audiences = factory.LazyFunction(lambda: [Audience.SME])
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    budget_envelope = Decimal("100000")
    funding_rate = Decimal("75")
    ceiling_per_file = Decimal("5000")


class ScoringCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringCriterion

    call = factory.SubFactory(CallFactory)
    label_fr = factory.Sequence(lambda n: f"Critère {n}")
    weight = Decimal("2")
    position = factory.Sequence(lambda n: n)


# --- companies -------------------------------------------------------------------------------


from companies import services as company_services  # noqa: E402
from companies.identifiers import place_for_postcode  # noqa: E402
from companies.models import (  # noqa: E402
    Expert,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
)
from companies.workflow import RecognitionStatus  # noqa: E402


def valid_enterprise_number(n: int) -> str:
    """A valid BCE/KBO number built from any integer: 0 + 7 digits + check digits."""
    first8 = f"0{2_000_000 + n % 7_999_999:07d}"
    return first8 + f"{97 - int(first8) % 97:02d}"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"PME Numéro {n} SRL")
    enterprise_number = factory.Sequence(valid_enterprise_number)
    kind = OrganisationKind.SME
    street = "Rue de la Station 12"
    postcode = "4000"
    municipality = factory.LazyAttribute(lambda o: place_for_postcode(o.postcode).municipality)
    province = factory.LazyAttribute(lambda o: place_for_postcode(o.postcode).province)
    headcount = 12
    turnover = Decimal("1500000")
    size_class = "small"


def make_member(organisation: Organisation, user=None, role: str = MemberRole.OWNER):
    user = user or UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class ExpertFactory(factory.django.DjangoModelFactory):
    """An active recognised expert; its directory facets are synced after creation."""

    class Meta:
        model = Expert
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"expert-{n}")
    status = RecognitionStatus.ACTIVE
    recognised_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    recognised_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=900))
    description_fr = "Nous aidons les PME à adopter l'intelligence artificielle."
    specialities = factory.LazyFunction(lambda: ["computer_vision"])
    sectors = factory.LazyFunction(lambda: ["manufacturing"])
    languages = factory.LazyFunction(lambda: ["fr"])
    programmes = factory.LazyFunction(lambda: ["START"])
    team_size = 5
    public_email = factory.Sequence(lambda n: f"contact{n}@expert.be")

    @factory.post_generation
    def facets(obj, create, extracted, **kwargs):
        if create:
            company_services.experts._sync_facets(obj)
