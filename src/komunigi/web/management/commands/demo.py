import os
import re
import socket
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from komunigi.community.demo import DEMO_PASSWORD
from komunigi.web.demo import load_demo

ADDR = re.compile(r"^(?P<host>[\w.\-:\[\]]+):(?P<port>\d{1,5})$")


class Command(BaseCommand):
    help = (
        "Create the database, load the demo community (idempotent) and serve it. "
        "For trying Komunigi out, never for production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on (127.0.0.1:8000)"
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="load the data and stop, without serving"
        )

    def handle(self, *args: Any, addr: str, no_serve: bool, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo creates well-known passwords: not in production.")
        if not ADDR.match(addr):
            raise CommandError(f"--addr must look like 127.0.0.1:8000, not {addr!r}")
        call_command("migrate", interactive=False, verbosity=0)
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("The demo community is ready."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.email:40} {login.description}")
        self.stdout.write(
            f"\nE-mails are not sent: each one is written to {settings.EMAIL_FILE_PATH}/"
        )
        self.stdout.write(f"Data (SQLite database, secret key): {settings.DATA_DIR}/")
        if no_serve:
            return
        host, port = ADDR.match(addr).group("host", "port")  # type: ignore[union-attr]
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            # Served to other machines: accept whatever name they reach it by.
            settings.ALLOWED_HOSTS = ["*"]
        if not os.environ.get("KOMUNIGI_BASE_URL"):
            # Links in e-mails must lead to this server, by a name other machines can use.
            public = socket.gethostname() if host in ("0.0.0.0", "[::]") else host  # noqa: S104
            settings.KOMUNIGI_BASE_URL = f"http://{public}:{port}"
        self.stdout.write(f"\nOpen {settings.KOMUNIGI_BASE_URL}/ — stop with Ctrl+C.\n")
        call_command("runserver", addr, use_reloader=False)
