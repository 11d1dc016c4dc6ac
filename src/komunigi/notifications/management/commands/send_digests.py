from typing import Any

from django.core.management.base import BaseCommand

from komunigi.notifications.services import send_due_digests


class Command(BaseCommand):
    help = "Send every daily digest that is due (each person's at their hour, once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_due_digests()} digests sent")
