import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from komunigi.discussions import inbound

# sysexits.h, as an MTA's pipe reads them: 67 bounces ("user unknown"), 75 retries later.
EX_OK, EX_DATAERR, EX_NOUSER, EX_TEMPFAIL = 0, 65, 67, 75

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Read one message on standard input for one address of the lists (Postfix's pipe)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipient", required=True, help="the address it was sent to")

    def handle(self, *args: Any, recipient: str, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        try:
            outcome = inbound.receive(raw, recipient)
        except DatabaseError as error:
            self.stderr.write(f"database unavailable, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        except Exception:
            # As the LMTP server does: nothing was kept (one transaction), and a traceback's
            # exit status 1 would have the MTA bounce the message.
            logger.exception("mail for %s kept by the MTA after an unexpected error", recipient)
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(outcome.value)
        if outcome is inbound.Outcome.UNKNOWN:
            sys.exit(EX_NOUSER)
        if outcome is inbound.Outcome.TOO_BIG:
            sys.exit(EX_DATAERR)
        if outcome is inbound.Outcome.DEFERRED:
            sys.exit(EX_TEMPFAIL)
