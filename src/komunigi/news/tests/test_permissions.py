import pytest
from django.contrib.auth.models import AnonymousUser

from komunigi.community.models import User
from komunigi.news import permissions

pytestmark = pytest.mark.django_db


def test_facilitators_write_the_newsletter_and_see_its_subscribers(
    facilitator: User, representative: User, outsider: User
) -> None:
    for predicate in (permissions.can_write_newsletter, permissions.can_manage_subscribers):
        assert predicate(facilitator) is True
        assert predicate(representative) is False
        assert predicate(outsider) is False
        assert predicate(AnonymousUser()) is False


def test_an_inactive_facilitator_has_no_right(facilitator: User) -> None:
    facilitator.is_active = False
    assert permissions.can_write_newsletter(facilitator) is False


def test_anybody_logged_in_subscribes_from_their_account(
    representative: User, outsider: User
) -> None:
    assert permissions.can_subscribe_from_account(representative) is True
    assert permissions.can_subscribe_from_account(outsider) is True
    assert permissions.can_subscribe_from_account(AnonymousUser()) is False
