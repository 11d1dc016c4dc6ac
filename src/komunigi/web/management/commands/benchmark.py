import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from komunigi.web.benchmark import concurrency, data, engines, pages


class Command(BaseCommand):
    help = (
        "Time every page against the framework's floors (an empty view, a 50-row page) through "
        "the same stack, and the engines, on a scratch database holding --scale times a real "
        "community. Your own data is not touched. With --check, exit 1 when a page or an "
        "engine is over its budget."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=100, help="times a community (100)")
        parser.add_argument("--repeat", type=int, default=30, help="requests per page (30)")
        parser.add_argument("--check", action="store_true", help="fail when over budget")
        parser.add_argument(
            "--http",
            action="store_true",
            help="also drive writes over HTTP from 16 clients (needs PostgreSQL)",
        )

    def handle(
        self, *args: Any, scale: int, repeat: int, check: bool, http: bool, **options: Any
    ) -> None:
        # The demo's own e-mails and tasks would fill the report.
        logging.getLogger("django_tasks").setLevel(logging.WARNING)
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        failed = benchmark(scale=scale, repeat=repeat, http=http, report=self.stdout.write)
        if check and failed:
            self.stderr.write("Over budget: " + ", ".join(failed))
            sys.exit(1)


def benchmark(*, scale: int, repeat: int, http: bool = False, report: Any) -> list[str]:
    """Fill a scratch database, measure, and return the names of what is over its budget."""
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        report(f"{connection.vendor}, scale {scale}: loading the data")
        data.populate(scale, report=report)
        report(f"{repeat} requests per page")
        _floors, measured = pages.run(repeat=repeat, report=report)
        timed = engines.run(repeat=5, report=report)
        writes = concurrency.run(report=report) if http else None
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    failed = [m.page.name for m in measured if not m.within_budget]
    failed += [e.name for e in timed if not e.within_budget]
    if writes is not None and (writes.problems or writes.failures):
        failed.append("writes under concurrency")
    return failed
