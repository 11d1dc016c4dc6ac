"""What the dashboard offers about the lists: those a member does not read yet."""

from typing import Any

from komunigi.discussions.models import MailingList
from komunigi.discussions.permissions import is_member, readable_lists


def lists_to_offer(user: Any) -> list[MailingList]:
    """Every member is offered the lists they can read and have not subscribed to."""
    if not is_member(user):
        return []
    return list(readable_lists(user).exclude(subscriptions__user=user))


def stopped_deliveries(user: Any) -> list[Any]:
    """The lists whose mail to this person bounced until delivery stopped: they are told."""
    from komunigi.discussions.models import Subscription

    if not user.is_authenticated:
        return []
    return list(
        Subscription.objects.filter(user=user)
        .exclude(stopped_at=None)
        .select_related("mailing_list")
    )


def held_count(user: Any) -> int:
    from komunigi.community.models import is_facilitator
    from komunigi.discussions.models import HeldMessage, HeldStatus

    if not is_facilitator(user):
        return 0
    return HeldMessage.objects.filter(status=HeldStatus.PENDING).count()
