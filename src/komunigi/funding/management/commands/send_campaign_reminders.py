from typing import Any

from django.core.management.base import BaseCommand

from komunigi.funding.services import maintenance, send_deadline_reminders


class Command(BaseCommand):
    help = (
        "Three days before a campaign's or a maintenance plan's deadline, remind the "
        "organisations concerned that have not pledged or committed, and those whose pledge or "
        "commitment waits for their board."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_deadline_reminders()} campaign(s) reminded")
        self.stdout.write(f"{maintenance.send_plan_reminders()} maintenance plan(s) reminded")
