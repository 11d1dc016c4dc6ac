from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor

from komunigi.web.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the database with the one of an archive made by `komunigi backup`, and write "
        "its media files into the media directory. Stop the site and its worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the archive made by `komunigi backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds data (everything in it is lost)",
        )

    def handle(self, *args: Any, path: Path, force: bool, **options: Any) -> None:
        media_root = Path(settings.MEDIA_ROOT)
        try:
            restored = restore_backup(path, media_root=media_root, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OperationalError as error:
            raise CommandError(f"Cannot use the database (DATABASE_URL): {error}") from error
        manifest = restored.manifest
        self.stdout.write(
            f"Restored {path} (made {manifest.created_at} by Komunigi "
            f"{manifest.komunigi_version}): {manifest.describe()} into {media_root}."
        )
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("This Komunigi is newer than the archive: run `komunigi migrate`.")
