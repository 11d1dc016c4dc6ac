from typing import Any

from django.core.management.base import BaseCommand

from komunigi.needs.rounds import close_due_rounds


class Command(BaseCommand):
    help = "Close the priority rounds whose deadline has passed and publish their result."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{close_due_rounds()} round(s) closed")
