"""What the dashboard offers about the lists: those a member does not read yet."""

from typing import Any

from komunigi.discussions.models import MailingList
from komunigi.discussions.permissions import is_member, readable_lists


def lists_to_offer(user: Any) -> list[MailingList]:
    """Every member is offered the lists they can read and have not subscribed to."""
    if not is_member(user):
        return []
    return list(readable_lists(user).exclude(subscriptions__user=user))
