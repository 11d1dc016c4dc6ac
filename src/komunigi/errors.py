"""The error every service raises when a request breaks a rule of the domain."""


class DomainError(Exception):
    """A refused action. ``message`` is already translated and safe to show to the user;
    ``code`` (optional) lets an API choose its status without reading the message."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
