"""Who may do what with the newsletter: plain predicates, checked by the services."""

from typing import Any

from komunigi.community.models import is_facilitator


def can_write_newsletter(user: Any) -> bool:
    """Write, preview, test, schedule and send issues: the facilitators."""
    return is_facilitator(user)


def can_manage_subscribers(user: Any) -> bool:
    """See, search, export and erase subscribers: the facilitators."""
    return is_facilitator(user)


def can_subscribe_from_account(user: Any) -> bool:
    """Subscribe one's own account's address in one click: any active, logged-in person."""
    return bool(user.is_authenticated and user.is_active)
