from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from komunigi.web.translations import compile_all


class Command(BaseCommand):
    help = (
        "Compile Komunigi's translation catalogues; missing Dutch, German and Spanish "
        "translations show the English text (a development command: needs polib)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for mo_path in compile_all(Path(settings.LOCALE_PATHS[0]), settings.LANGUAGE_CODE):
            self.stdout.write(f"wrote {mo_path}")
