from typing import Any

from django.core.management.base import BaseCommand

from komunigi.needs.rounds import send_round_reminders


class Command(BaseCommand):
    help = "Remind the supermarkets that have not ranked a priority round closing within two days."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_round_reminders()} round(s) reminded")
