import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Komunigi with gunicorn, for production (see the README's deployment section)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("KOMUNIGI_BIND", "127.0.0.1:8000"),
            help="address to listen on (KOMUNIGI_BIND, default 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default: WEB_CONCURRENCY, or gunicorn's own default)",
        )
        parser.add_argument("gunicorn_args", nargs="*", help="further gunicorn options, after --")

    def handle(
        self, *args: Any, bind: str, workers: int | None, gunicorn_args: list[str], **options: Any
    ) -> None:
        argv = [sys.executable, "-m", "gunicorn", "komunigi.wsgi:application", "--bind", bind]
        argv += ["--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1,::1"]
        if workers is not None:
            argv += ["--workers", str(workers)]
        argv += gunicorn_args
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
