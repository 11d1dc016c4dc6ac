"""The demo's catalogue: manifests written for the demo on 9.0, 12.0 and 16.0 (the deck's
co-financed work: shifts, cooperator shares, product labels, the point of sale, reminders)."""

from pathlib import Path

from komunigi.commons import importer
from komunigi.commons.models import ModuleVersion

DEMO_ADDONS = Path(__file__).parent / "demo_addons"
REPOSITORY = "https://github.com/beescoop/Obeesdoo"


def load_demo_modules() -> None:
    if ModuleVersion.objects.exists():
        return
    for series_tree in sorted(DEMO_ADDONS.iterdir()):
        importer.import_tree(series_tree, repository=f"{REPOSITORY}#{series_tree.name}")
