"""Signed tokens in reply addresses (community+<token>@…) and list unsubscribe links.

A reply address must survive mail systems that change the case of an address, so its token
uses lowercase letters and digits only: the ids it names and a truncated HMAC (base32).
"""

import base64
import hmac
import re

from django.utils.crypto import salted_hmac

REPLY_SALT = "komunigi.discussions.reply"
UNSUBSCRIBE_SALT = "komunigi.discussions.unsubscribe"
BOUNCE_SALT = "komunigi.discussions.bounce"
TOKEN = re.compile(r"^t(?P<first>\d+)u(?P<second>\d+)x(?P<signature>[a-z2-7]{26})$")


def _signature(value: str, salt: str) -> str:
    digest = salted_hmac(salt, value, algorithm="sha256").digest()[:16]
    return base64.b32encode(digest).decode().lower().rstrip("=")


def _make(first: int, second: int, salt: str) -> str:
    return f"t{first}u{second}x{_signature(f'{first}.{second}', salt)}"


def _read(token: str, salt: str) -> tuple[int, int] | None:
    match = TOKEN.match(token.lower())
    if match is None:
        return None
    first, second = int(match["first"]), int(match["second"])
    if not hmac.compare_digest(match["signature"], _signature(f"{first}.{second}", salt)):
        return None
    return first, second


def reply_token(thread_id: int, user_id: int) -> str:
    """Names the thread a reply goes to and the person who replies."""
    return _make(thread_id, user_id, REPLY_SALT)


def read_reply_token(token: str) -> tuple[int, int] | None:
    """(thread id, person id), or None when the token was not made here or was altered."""
    return _read(token, REPLY_SALT)


def unsubscribe_token(list_id: int, user_id: int) -> str:
    return _make(list_id, user_id, UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    return _read(token, UNSUBSCRIBE_SALT)


def bounce_token(list_id: int, user_id: int) -> str:
    """In the return path (VERP): names the subscription whose mail bounced."""
    return _make(list_id, user_id, BOUNCE_SALT)


def read_bounce_token(token: str) -> tuple[int, int] | None:
    return _read(token, BOUNCE_SALT)
