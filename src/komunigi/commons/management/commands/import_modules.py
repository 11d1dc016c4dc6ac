from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from komunigi.commons import importer


class Command(BaseCommand):
    help = (
        "Import the Odoo modules of a directory tree (every __manifest__.py and __openerp__.py, "
        "read as data, never run) or of a git repository's series branches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="a directory tree of modules")
        parser.add_argument("--series", help="the Odoo series of the tree, such as 12.0")
        parser.add_argument("--repository", default="", help="the tree's repository address")
        parser.add_argument("--git", help="a local or remote git repository")

    def handle(self, *args: Any, path: str | None, series: str | None, repository: str,
               git: str | None, **options: Any) -> None:  # fmt: skip
        if bool(path) == bool(git):
            raise CommandError("Give a directory PATH or --git REPOSITORY (one of them).")
        try:
            if git:
                report = importer.import_git(git)
            else:
                report = importer.import_tree(
                    Path(path or ""), series=series, repository=repository
                )
        except importer.ImportFailed as error:
            raise CommandError(f"Nothing imported: {error}") from None
        self.stdout.write(
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.gone)} gone, {len(report.skipped)} skipped"
        )
        for skipped_path, reason in report.skipped:
            self.stdout.write(f"  skipped {skipped_path}: {reason}")
