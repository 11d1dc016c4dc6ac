"""The errors every service raises: a rule of the domain broken, or an actor without the right.

Services check who acts themselves (`require`), so that a page, the API, an inbound e-mail and
a task that call the same service get the same answer; views and the API only translate the
refusal (Django's `PermissionDenied` becomes a 403 page or a 403 JSON answer)."""

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A refused action. ``message`` is already translated and safe to show to the user;
    ``code`` (optional) lets an API choose its status without reading the message."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def require(allowed: bool) -> None:
    """Refuse the action unless ``allowed`` (a permission predicate's answer)."""
    if not allowed:
        raise PermissionDenied
