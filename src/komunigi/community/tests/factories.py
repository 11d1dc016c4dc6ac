"""Factories for the community's models: plain, predictable, no surprises."""

import factory
from factory.django import DjangoModelFactory

from komunigi.community.models import (
    JoinRequest,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    language = "fr"
    password = factory.django.Password("a-good-password")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Coop {n}")
    slug = factory.Sequence(lambda n: f"coop-{n}")
    kind = OrganisationKind.SUPERMARKET
    status = OrganisationStatus.MEMBER
    country = "BE"
    city = "Bruxelles"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER


class JoinRequestFactory(DjangoModelFactory):
    class Meta:
        model = JoinRequest

    organisation_name = factory.Sequence(lambda n: f"New Coop {n}")
    kind = OrganisationKind.SUPERMARKET
    country = "FR"
    contact_name = factory.Sequence(lambda n: f"Contact {n}")
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.org")
    message = "We run Odoo 12 and would like to pool our developments."
    consent = True
    language = "fr"
    submitted_from = "192.0.2.1"
