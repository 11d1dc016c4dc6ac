"""Who may read, post, edit and mark solved: plain predicates, checked by the services."""

import datetime
from typing import Any

from django.utils import timezone

from komunigi.community.models import OrganisationStatus, is_facilitator

EDIT_WINDOW = datetime.timedelta(minutes=15)


def is_member(user: Any) -> bool:
    """Logged in and speaking for a member organisation (or a facilitator). Asked once per
    request: the answer is kept on the user, as Django keeps its permissions."""
    if not (user.is_authenticated and user.is_active):
        return False
    if not hasattr(user, "_list_member"):
        user._list_member = (
            is_facilitator(user)
            or user.memberships.filter(organisation__status=OrganisationStatus.MEMBER).exists()
        )
    return bool(user._list_member)


def readable_lists(user: Any) -> Any:
    from komunigi.discussions.models import MailingList, ReadAccess

    # Ordered here rather than by Meta.ordering alone, which a query that counts (the lists'
    # threads) drops: the lists came in no particular order.
    lists = MailingList.objects.order_by("position", "name")
    return lists if is_member(user) else lists.filter(read_access=ReadAccess.PUBLIC)


def can_read(user: Any, mailing_list: Any) -> bool:
    from komunigi.discussions.models import ReadAccess

    return mailing_list.read_access == ReadAccess.PUBLIC or is_member(user)


def can_post(user: Any, mailing_list: Any) -> bool:
    return is_member(user)


def can_subscribe(user: Any, mailing_list: Any) -> bool:
    return bool(user.is_authenticated and user.is_active) and can_read(user, mailing_list)


def can_edit_post(user: Any, post: Any, now: datetime.datetime | None = None) -> bool:
    """Its author, within a quarter of an hour (after that, people may have answered it)."""
    now = now or timezone.now()
    return (
        user.is_authenticated and post.author_id == user.pk and now - post.created_at <= EDIT_WINDOW
    )


def can_mark_solved(user: Any, thread: Any) -> bool:
    return user.is_authenticated and (thread.author_id == user.pk or is_facilitator(user))


def can_read_original(user: Any) -> bool:
    """The message as it arrived by e-mail (quotes, signature, headers and addresses of people
    who may not be members): facilitators, who moderate the lists."""
    return is_facilitator(user)
