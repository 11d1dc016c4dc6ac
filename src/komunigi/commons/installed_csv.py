"""Read the module list an organisation exports from its Odoo (Apps, list view, Export).

Odoo names the columns by the field (``name``, ``state``) in an import-compatible export and
by their label in the user's language otherwise ("Technical Name", "Nom technique", "Status",
"Statut", …); states come as values (``installed``) or labels ("Installed", "Installé", …).
Only installed modules count (a module waiting to be upgraded or removed is still installed).
Pure: no Django, so that it is tested on its own.
"""

import csv
import io
import re
from dataclasses import dataclass, field

MAX_BYTES = 2 * 1024 * 1024  # an Odoo with every addon of a series exports about 100 KB
MAX_LINES = 20_000
TECHNICAL_NAME = re.compile(r"^[a-z0-9_]{1,100}$")

NAME_COLUMNS = {
    "name", "technical name", "nom technique", "technischer name", "technische naam",
    "nombre técnico", "module", "technical_name",
}  # fmt: skip
STATE_COLUMNS = {"state", "status", "statut", "état", "etat", "estado", "zustand", "staat"}
INSTALLED = {
    "installed", "to upgrade", "to remove",
    "installé", "à mettre à jour", "à supprimer",
    "installiert", "zu aktualisieren", "zu entfernen",
    "geïnstalleerd", "bij te werken", "te verwijderen",
    "instalado", "para actualizar", "para eliminar", "por actualizar",
}  # fmt: skip


class UnreadableList(Exception):
    """The file is not such a list at all: nothing is changed."""


@dataclass
class InstalledList:
    installed: list[tuple[int, str]] = field(default_factory=list)  # (line, name), once each
    not_installed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _column(header: list[str], wanted: set[str]) -> int | None:
    for index, title in enumerate(header):
        if title.strip().lower().split("/")[0] in wanted:
            return index
    return None


def read(data: bytes) -> InstalledList:
    """The installed modules of an exported list; raises `UnreadableList` with the reason."""
    if len(data) > MAX_BYTES:
        raise UnreadableList("too large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableList("not UTF-8 text") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    header = next(rows, None)
    if not header:
        raise UnreadableList("empty")
    name_at, state_at = _column(header, NAME_COLUMNS), _column(header, STATE_COLUMNS)
    if name_at is None or state_at is None:
        raise UnreadableList("columns")
    found = InstalledList()
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        if line > MAX_LINES:
            raise UnreadableList("too many lines")
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(name_at, state_at):
            found.skipped.append((line, "incomplete"))
            continue
        name, state = row[name_at].strip(), row[state_at].strip().lower()
        if not TECHNICAL_NAME.match(name):
            found.skipped.append((line, "name"))
        elif state not in INSTALLED:
            found.not_installed += 1
        elif name not in seen:
            seen.add(name)
            found.installed.append((line, name))
    return found
