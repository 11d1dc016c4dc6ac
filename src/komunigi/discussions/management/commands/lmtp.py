import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from komunigi.discussions.lmtp import Handler, LMTPController


class Command(BaseCommand):
    help = "Serve LMTP for the lists' domain: the MTA delivers the lists' mail here."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8024", help="HOST:PORT (127.0.0.1:8024)")

    def handle(self, *args: Any, bind: str, **options: Any) -> None:
        host, _colon, port = bind.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--bind must look like 127.0.0.1:8024, not {bind!r}")
        controller = LMTPController(Handler(), hostname=host, port=int(port))
        controller.start()
        self.stdout.write(f"LMTP on {host}:{port} — stop with Ctrl+C or SIGTERM.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
