from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from komunigi.dates import instance_today
from komunigi.funding.fees import send_fee_reminders


class Command(BaseCommand):
    help = "E-mail the organisations whose membership fee is not fully paid (once a fortnight)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the fees' year (this year by default)")

    def handle(self, *args: Any, year: int | None = None, **options: Any) -> None:
        self.stdout.write(f"{send_fee_reminders(year or instance_today().year)} fee(s) reminded")
