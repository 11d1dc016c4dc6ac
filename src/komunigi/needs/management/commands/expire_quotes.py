from typing import Any

from django.core.management.base import BaseCommand

from komunigi.needs.services import expire_quotes


class Command(BaseCommand):
    help = "Mark quotes past their validity date as expired (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{expire_quotes()} quote(s) expired")
