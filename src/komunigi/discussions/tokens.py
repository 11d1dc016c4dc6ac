"""Signed tokens in reply addresses (community+<token>@…), return paths and list
unsubscribe links.

A reply address must survive mail systems that change the case of an address, so its token
uses lowercase letters and digits only: the ids it names, for a reply the day it was issued,
and a truncated HMAC (base32). A reply token works for REPLY_VALIDITY after its e-mail was
sent; after that, a reply waits for moderation.
"""

import base64
import datetime
import hmac
import re

from django.utils import timezone
from django.utils.crypto import salted_hmac

REPLY_SALT = "komunigi.discussions.reply"
UNSUBSCRIBE_SALT = "komunigi.discussions.unsubscribe"
BOUNCE_SALT = "komunigi.discussions.bounce"
REPLY_VALIDITY = datetime.timedelta(days=365)
EPOCH = datetime.date(2020, 1, 1)
# Numbers as we write them, without leading zeros: "t012…" would read as 12, so one signature
# would stand for several addresses.
TOKEN = re.compile(
    r"^t(?P<first>[1-9]\d*)u(?P<second>[1-9]\d*)(?:d(?P<day>0|[1-9]\d*))?"
    r"x(?P<signature>[a-z2-7]{26})$"
)


def _signature(value: str, salt: str) -> str:
    digest = salted_hmac(salt, value, algorithm="sha256").digest()[:16]
    return base64.b32encode(digest).decode().lower().rstrip("=")


def _make(salt: str, first: int, second: int, day: int | None = None) -> str:
    dated = "" if day is None else f"d{day}"
    value = f"{first}.{second}" + ("" if day is None else f".{day}")
    return f"t{first}u{second}{dated}x{_signature(value, salt)}"


def _read(token: str, salt: str, *, dated: bool) -> tuple[int, int, int | None] | None:
    match = TOKEN.match(token.lower())
    if match is None or (match["day"] is not None) != dated:
        return None
    first, second = int(match["first"]), int(match["second"])
    day = int(match["day"]) if match["day"] is not None else None
    value = f"{first}.{second}" + ("" if day is None else f".{day}")
    if not hmac.compare_digest(match["signature"], _signature(value, salt)):
        return None
    return first, second, day


def _today() -> int:
    return (timezone.localdate() - EPOCH).days


def reply_token(thread_id: int, user_id: int, *, day: int | None = None) -> str:
    """Names the thread a reply goes to, the person who replies and the day it was issued."""
    return _make(REPLY_SALT, thread_id, user_id, _today() if day is None else day)


def read_reply_token(token: str) -> tuple[int, int] | None:
    """(thread id, person id), or None when the token was not made here, was altered or has
    expired."""
    found = _read(token, REPLY_SALT, dated=True)
    if found is None or found[2] is None:
        return None
    if _today() - found[2] > REPLY_VALIDITY.days:
        return None
    return found[0], found[1]


def unsubscribe_token(list_id: int, user_id: int) -> str:
    return _make(UNSUBSCRIBE_SALT, list_id, user_id)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    found = _read(token, UNSUBSCRIBE_SALT, dated=False)
    return None if found is None else (found[0], found[1])


def bounce_token(list_id: int, user_id: int) -> str:
    """In the return path (VERP): names the subscription whose mail bounced."""
    return _make(BOUNCE_SALT, list_id, user_id)


def read_bounce_token(token: str) -> tuple[int, int] | None:
    found = _read(token, BOUNCE_SALT, dated=False)
    return None if found is None else (found[0], found[1])
