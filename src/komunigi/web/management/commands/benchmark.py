from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from komunigi.web import benchmark


class Command(BaseCommand):
    help = (
        "Time every page against an empty view through the same stack, on a scratch database "
        "filled with the demo community multiplied by --scale. Your own data is not touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=100, help="copies of the demo (100)")
        parser.add_argument("--repeat", type=int, default=30, help="requests per page (30)")

    def handle(self, *args: Any, scale: int, repeat: int, **options: Any) -> None:
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            benchmark.populate(scale)
            self.stdout.write(f"{connection.vendor}, scale {scale}, {repeat} requests per page")
            benchmark.run(repeat=repeat, report=self.stdout.write)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
