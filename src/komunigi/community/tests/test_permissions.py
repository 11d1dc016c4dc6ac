"""Each permission predicate, with the people it concerns: owner, someone else, outsider."""

import pytest
from django.contrib.auth.models import AnonymousUser

from komunigi.community import permissions
from komunigi.community.models import User
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_only_active_facilitators_handle_join_requests(
    facilitator: User, representative: User
) -> None:
    assert permissions.can_handle_join_requests(facilitator) is True
    assert permissions.can_handle_join_requests(representative) is False
    assert permissions.can_handle_join_requests(AnonymousUser()) is False
    facilitator.is_active = False
    assert permissions.can_handle_join_requests(facilitator) is False


@pytest.mark.parametrize(
    ("status", "visitor", "member", "facilitator_sees"),
    [
        ("member", True, True, True),
        ("former", True, True, True),
        ("applicant", False, False, True),
    ],
)
def test_who_sees_an_organisation(
    facilitator: User,
    representative: User,
    status: str,
    visitor: bool,
    member: bool,
    facilitator_sees: bool,
) -> None:
    organisation = OrganisationFactory(status=status)
    assert permissions.can_see_organisation(AnonymousUser(), organisation) is visitor
    assert permissions.can_see_organisation(representative, organisation) is member
    assert permissions.can_see_organisation(facilitator, organisation) is facilitator_sees


def test_only_the_owner_revokes_a_token(representative: User, outsider: User) -> None:
    token, _ = create_api_token(representative, name="script")
    assert permissions.can_revoke_api_token(representative, token) is True
    assert permissions.can_revoke_api_token(outsider, token) is False
    assert permissions.can_revoke_api_token(AnonymousUser(), token) is False


@pytest.mark.parametrize(
    ("powers", "facilitator_may"),
    [
        ({}, True),
        ({"is_facilitator": True}, False),
        ({"is_staff": True}, False),
        ({"is_superuser": True}, False),
    ],
)
def test_who_manages_an_account_in_the_admin(
    facilitator: User, representative: User, powers: dict[str, bool], facilitator_may: bool
) -> None:
    account = UserFactory(**powers)
    root = UserFactory(is_superuser=True)
    assert permissions.can_manage_account(facilitator, account) is facilitator_may
    assert permissions.can_manage_account(representative, account) is False
    assert permissions.can_manage_account(root, account) is True


def test_people_are_managed_by_their_representative_and_facilitators(
    representative: User, facilitator: User, outsider: User
) -> None:
    from komunigi.community.models import Role
    from komunigi.community.tests.factories import MembershipFactory

    bees = representative.memberships.get().organisation
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    other_representative = MembershipFactory(role=Role.REPRESENTATIVE).user
    assert permissions.can_manage_people(representative, bees) is True
    assert permissions.can_manage_people(facilitator, bees) is True
    assert permissions.can_manage_people(member, bees) is False
    assert permissions.can_manage_people(other_representative, bees) is False
    assert permissions.can_manage_people(outsider, bees) is False
    assert permissions.can_manage_people(AnonymousUser(), bees) is False
