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
