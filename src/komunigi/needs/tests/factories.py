import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from komunigi.community.models import OrganisationKind
from komunigi.community.tests.factories import OrganisationFactory, UserFactory
from komunigi.needs.models import Interest, Need, Priority, PriorityRound, Quote


class NeedFactory(DjangoModelFactory):
    class Meta:
        model = Need

    title = factory.Sequence(lambda n: f"Need {n}")
    problem = "Something goes wrong."
    expected_outcome = "It works."
    organisation = factory.SubFactory(OrganisationFactory)
    author = factory.SubFactory(UserFactory)
    status = "open"


class InterestFactory(DjangoModelFactory):
    class Meta:
        model = Interest

    need = factory.SubFactory(NeedFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    priority = Priority.SHOULD


class QuoteFactory(DjangoModelFactory):
    class Meta:
        model = Quote

    need = factory.SubFactory(NeedFactory, status="quoted")
    provider = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PROVIDER)
    amount = Decimal("1000.00")
    provider_contribution = Decimal("0.00")
    scope = "All of it."
    estimated_days = Decimal("3.0")
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class PriorityRoundFactory(DjangoModelFactory):
    class Meta:
        model = PriorityRound

    title = factory.Sequence(lambda n: f"Round {n}")
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
