"""Signed tokens in unsubscribe links: they name a person and a kind, and never expire (an
old e-mail's unsubscribe button must keep working)."""

from typing import Any

from django.core import signing

UNSUBSCRIBE_SALT = "komunigi.notifications.unsubscribe"


def unsubscribe_token(person: Any, kind: str) -> str:
    return signing.dumps({"person": person.pk, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(person id, kind), or None for a token that was not made here or was altered."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    person, kind = data.get("person"), data.get("kind")
    if not isinstance(person, int) or not isinstance(kind, str):
        return None
    return person, kind
