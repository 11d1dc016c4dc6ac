"""Helpers for the tests: a real SMTP server on localhost, free ports. Not used at run time."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class SmtpServer:
    """A real SMTP server on localhost that keeps what it receives."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)  # each message's envelope sender
    received: threading.Event = field(default_factory=threading.Event)
    # How many of the next messages to turn away with a temporary failure (451), as a server
    # that drops a message does, after reading it; those are kept in ``refused``.
    refuse: int = 0
    refused: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[attr-defined]
        if self.refuse > 0:
            self.refuse -= 1
            self.refused.append(message)
            return "451 4.3.0 Try again later"
        self.messages.append(message)
        self.senders.append(envelope.mail_from)  # type: ignore[attr-defined]
        self.received.set()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
