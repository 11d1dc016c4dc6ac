"""Private calendar feeds: a secret address per person, which they can replace or revoke.

Only a hash of the secret is stored, like a password: a leaked database or backup does not
give anyone's calendar away. The secret is shown once, when it is made.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from komunigi.audit.services import log_action
from komunigi.community.models import User
from komunigi.meetings.models import CalendarFeed

TOKEN_PREFIX = "kcal_"  # noqa: S105 - a marker that lets scanners spot leaked addresses


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_token(user: User) -> str:
    """Give ``user`` a new private feed address, which replaces the previous one.

    Returns the raw secret, which is not kept. Side effects: the CalendarFeed row, an audit
    event.
    """
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        _feed, created = CalendarFeed.objects.update_or_create(
            user=user, defaults={"token_hash": _hash(raw), "created_at": timezone.now()}
        )
        log_action(
            user,
            "meetings.calendar_feed.created" if created else "meetings.calendar_feed.replaced",
            user,
        )
    return raw


def user_for_feed_token(raw: str) -> User | None:
    """The active person whose private feed this secret opens, if any."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_hash(raw), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def revoke_feed(user: User) -> None:
    """Make ``user``'s private feed address stop working. Side effect: an audit event."""
    with transaction.atomic():
        deleted, _ = CalendarFeed.objects.filter(user=user).delete()
        if deleted:
            log_action(user, "meetings.calendar_feed.revoked", user)
