from typing import Any

from django.core.management.base import BaseCommand

from komunigi.funding.services import close_due_campaigns, maintenance


class Command(BaseCommand):
    help = (
        "Close the co-financing campaigns and the maintenance plans whose deadline has "
        "passed: funded or failed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{close_due_campaigns()} campaign(s) closed")
        self.stdout.write(f"{maintenance.close_due_plans()} maintenance plan(s) closed")
