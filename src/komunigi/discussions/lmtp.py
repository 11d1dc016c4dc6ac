"""The LMTP server an MTA (Postfix: `transport_maps`) delivers the lists' domain to.

LMTP answers for each recipient: 250 once the message is stored (posted or held), 550 5.1.1
for an address that is not one of ours, 552 5.3.4 for a message too big, 451 4.7.1 once an
hour's share of its sender's messages waits for moderation, 451 4.3.0 when the
database cannot be reached or anything else went wrong while storing it, so that the MTA keeps
the message and tries again (a 5xx would have it bounced: lost for the list).
"""

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.db import DatabaseError, close_old_connections, connections

from komunigi.discussions import inbound

logger = logging.getLogger(__name__)

ANSWERS = {
    inbound.Outcome.UNKNOWN: "550 5.1.1 No such list here",
    inbound.Outcome.TOO_BIG: "552 5.3.4 Message too big for the list",
    inbound.Outcome.DEFERRED: "451 4.7.1 Too many messages from this sender, try again later",
}
OK = "250 2.0.0 Stored"
# What the server reads at most; the lists' own limit is checked per recipient (552 5.3.4).
SERVER_SIZE_LIMIT = 64 * 1024 * 1024
TRY_LATER = "451 4.3.0 Temporary failure, try again later"


def receive_for(raw: bytes, recipient: str) -> str:
    """One recipient's LMTP answer; run in a worker thread (the ORM is synchronous)."""
    close_old_connections()
    try:
        outcome = inbound.receive(raw, recipient)
    except DatabaseError as error:
        logger.warning("mail for %s kept by the MTA: %s", recipient, error)
        connections.close_all()
        return TRY_LATER
    except Exception:
        # A bug or a full disk: `receive` wrote in one transaction, so nothing of the message
        # stays; the MTA tries again later, once the cause is fixed (its queue keeps it days).
        logger.exception("mail for %s kept by the MTA after an unexpected error", recipient)
        return TRY_LATER
    return ANSWERS.get(outcome, OK)


def check_recipient(address: str) -> str:
    close_old_connections()
    try:
        known = inbound.parse_address(address) is not None
    except DatabaseError as error:
        logger.warning("recipient %s not checked: %s", address, error)
        connections.close_all()
        return TRY_LATER
    return "250 2.1.5 OK" if known else ANSWERS[inbound.Outcome.UNKNOWN]


class Handler:
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list
    ) -> str:
        answer = await asyncio.get_running_loop().run_in_executor(None, check_recipient, address)
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        loop = asyncio.get_running_loop()
        raw = envelope.original_content or envelope.content
        answers = [
            await loop.run_in_executor(None, receive_for, raw, recipient)
            for recipient in envelope.rcpt_tos
        ]
        return "\r\n".join(answers)  # LMTP: one answer per accepted recipient, in order


class LMTPController(Controller):
    """Runs the LMTP server in a thread (for `komunigi lmtp` and the tests)."""

    def factory(self) -> LMTP:
        return LMTP(self.handler, data_size_limit=SERVER_SIZE_LIMIT, decode_data=False)
