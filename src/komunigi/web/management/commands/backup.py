from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError

from komunigi.web.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) of the database and the media files: pg_dump on "
        "PostgreSQL, SQLite's online backup API on SQLite (see the README's deployment section)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            type=Path,
            help="the archive to write, or a directory to write komunigi-<UTC time>.tar.gz in",
        )

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            written, manifest = create_backup(path, media_root=Path(settings.MEDIA_ROOT))
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OperationalError as error:
            raise CommandError(f"Cannot use the database (DATABASE_URL): {error}") from error
        self.stdout.write(f"Wrote {written}: {manifest.describe()}.")
