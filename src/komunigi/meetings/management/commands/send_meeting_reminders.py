from typing import Any

from django.core.management.base import BaseCommand

from komunigi.meetings.services import send_due_reminders


class Command(BaseCommand):
    help = "Send the meeting reminders that are due (run every hour or so, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_due_reminders()} reminder(s) sent")
