from typing import Any

from django.core.management.base import BaseCommand

from komunigi.news.services import send_due_newsletters


class Command(BaseCommand):
    help = (
        "Start the newsletter issues whose scheduled time has come and resume the sendings "
        "a stopped worker left halfway (run every few minutes, e.g. from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started, resumed = send_due_newsletters()
        self.stdout.write(f"{started} issue(s) started, {resumed} sending(s) resumed")
