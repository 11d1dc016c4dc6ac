import pytest
from django.test import Client

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def supermarkets(db: None) -> dict:
    """Three member supermarkets, each with its representative."""
    result = {}
    for slug in ("bees", "bloum", "nid"):
        organisation = OrganisationFactory(slug=slug, name=slug.capitalize())
        membership = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
        result[slug] = (organisation, membership.user)
    return result


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
