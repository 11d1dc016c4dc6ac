import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from komunigi.community.models import User, normalize_email
from komunigi.news.services import import_subscribers


class Command(BaseCommand):
    help = (
        "Add the subscribers of a former mailing list from a CSV file (columns: e-mail, "
        "language). Addresses that unsubscribed or were erased are never added back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file: e-mail,language per line")
        parser.add_argument("--as", dest="actor", required=True, help="a facilitator's e-mail")

    def handle(self, *args: Any, path: Path, actor: str, **options: Any) -> None:
        facilitator = User.objects.filter(email=normalize_email(actor)).first()
        if facilitator is None:
            raise CommandError(f"No account has the address {actor!r}")
        with path.open(newline="", encoding="utf-8") as file:
            rows = [
                (row[0], row[1] if len(row) > 1 else "fr")
                for row in csv.reader(file)
                if row and "@" in row[0]
            ]
        try:
            added, skipped = import_subscribers(rows, actor=facilitator)
        except PermissionDenied:
            raise CommandError(f"{actor} is not a facilitator") from None
        self.stdout.write(f"{added} subscriber(s) added, {skipped} skipped")
