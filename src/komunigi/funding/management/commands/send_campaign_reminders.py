from typing import Any

from django.core.management.base import BaseCommand

from komunigi.funding.services import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "Three days before a campaign's deadline, remind the interested supermarkets that have "
        "not pledged, and those whose pledge waits for their board."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_deadline_reminders()} campaign(s) reminded")
