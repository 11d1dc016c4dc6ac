"""The signed links of the newsletter: confirm a subscription, unsubscribe.

Each names a subscriber by its random key, signed with ``django.core.signing`` and a salt of
its own purpose, so that one kind of link can never be used as the other.
"""

from datetime import timedelta

from django.core import signing

CONFIRM_SALT = "komunigi.news.confirm"
UNSUBSCRIBE_SALT = "komunigi.news.unsubscribe"
# How long a confirmation link works; a new request sends a fresh one.
CONFIRMATION_VALIDITY = timedelta(days=7)


class BadToken(Exception):
    """A link that was altered, made for another purpose, or is too old."""


def confirmation_token(key: str, language: str) -> str:
    """The language asked for travels in the link: confirming it is what changes it."""
    return signing.dumps({"k": key, "l": language}, salt=CONFIRM_SALT, compress=True)


def read_confirmation_token(token: str) -> tuple[str, str]:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_VALIDITY)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise BadToken from error
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        raise BadToken
    return data["k"], str(data.get("l", ""))


def unsubscribe_token(key: str) -> str:
    """Without expiry: the link of a newsletter read years later must still work."""
    return signing.dumps(key, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> str:
    try:
        key = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(key, str):
        raise BadToken
    return key
