"""Rate limits: count attempts per client (or account) in a sliding window."""

import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from komunigi.throttle.models import Hit

# Counts older than this serve no limit any more.
FORGET_AFTER = timedelta(days=1)


def client_ip(request: HttpRequest) -> str | None:
    if settings.KOMUNIGI_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            # The last address is the one our own proxy saw; earlier ones are client-supplied.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def client_key(request: HttpRequest) -> str:
    """The client's address, IPv6 ones widened to their /64: one home or host, one key."""
    address = client_ip(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def is_blocked(scope: str, key: str, *, limit: int, window: timedelta) -> bool:
    since = timezone.now() - window
    return Hit.objects.filter(scope=scope, key=key, at__gte=since).count() >= limit


def wait(
    scope: str,
    key: str,
    *,
    free: int,
    window: timedelta,
    longest: timedelta,
    now: datetime | None = None,
) -> timedelta:
    """How long ``key`` waits before its next attempt: nothing for its first ``free`` counted
    in ``window``, then a delay that doubles with each one (2 s, 4 s, 8 s …) from the last,
    never more than ``longest``."""
    now = now or timezone.now()
    hits = Hit.objects.filter(scope=scope, key=key, at__gte=now - window)
    count = hits.count()
    if count < free:
        return timedelta(0)
    delay = min(timedelta(seconds=2 ** min(count - free + 1, 20)), longest)
    last = hits.order_by("-at").values_list("at", flat=True)[0]
    return max(last + delay - now, timedelta(0))


def record(scope: str, key: str, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    Hit.objects.filter(at__lt=now - FORGET_AFTER).delete()
    Hit.objects.create(scope=scope, key=key, at=now)


def allow(scope: str, key: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt unless the limit is reached; True when the attempt may go on.

    Two processes checking at the same instant may both pass: a limit, not a lock.
    """
    if is_blocked(scope, key, limit=limit, window=window):
        return False
    record(scope, key)
    return True
