"""When the roadmap's order must be read afresh: a version that interests, statuses and rounds
bump (kept apart from `roadmap` so that the services and rounds it reads can bump it)."""

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "komunigi:roadmap:version"
CACHED_FOR = 60  # seconds: how stale another process's roadmap may be without Redis


def changed() -> None:
    """Interests, a need's status or a round changed: the roadmap's order is read afresh
    (after the change is committed, so that nobody caches the order before it)."""

    def bump() -> None:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set yet
            cache.set(VERSION_KEY, 1, timeout=None)

    transaction.on_commit(bump)
