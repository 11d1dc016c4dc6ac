from typing import Any

from django.core.management.base import BaseCommand

from komunigi.notifications.outbox import deliver_due


class Command(BaseCommand):
    help = "Send the outgoing e-mails that are due, including retries of failed ones."

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = deliver_due()
        self.stdout.write(f"{sent} sent, {failed} failed")
