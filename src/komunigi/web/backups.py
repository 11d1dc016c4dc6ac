"""One archive holding everything an instance cannot rebuild: its database and its media
files (needs' and posts' attachments). `komunigi backup` and `komunigi restore` call
``create_backup`` and ``restore_backup``.

The archive is a gzipped tar file of three parts, in this order:

- ``manifest.json``: the format version, the database vendor, Komunigi's version, when it was
  made, a few row counts (people, organisations, needs, ledger transactions and lines) and the
  number of media files. Restoring checks the vendor before touching anything, and the counts
  once the database is back.
- ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite: a copy made by SQLite's online backup API, consistent even while the site writes,
  which a copy of the file is not).
- ``media/``: the media directory as it was.

The archive holds password hashes and personal data: it is created readable by its owner
only.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Collection, Mapping
from contextlib import closing
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from komunigi.community.models import Organisation, User
from komunigi.funding.models import LedgerLine, LedgerTransaction
from komunigi.needs.models import Need

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}

# Counted into the manifest when backing up, and again after restoring: the same numbers
# say the whole database came back. Also what makes a database "not empty" for restore.
COUNTED: dict[str, type[models.Model]] = {
    "people": User,
    "organisations": Organisation,
    "needs": Need,
    "ledger transactions": LedgerTransaction,
    "ledger lines": LedgerLine,
}

# One transaction: a restore that fails halfway leaves the database as it was.
_PG_RESTORE_OPTIONS = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]

# libpq reads these from the environment; Django's PostgreSQL OPTIONS may hold them.
_PG_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """Something an operator must fix, said so that they can: the command shows it as is."""


@dataclass(frozen=True)
class Manifest:
    vendor: str
    komunigi_version: str
    created_at: str  # ISO 8601, UTC
    counts: dict[str, int]
    media_files: int
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2).encode() + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        try:
            fields = json.loads(data)
            return cls(
                vendor=str(fields["vendor"]),
                komunigi_version=str(fields["komunigi_version"]),
                created_at=str(fields["created_at"]),
                counts={str(name): int(count) for name, count in fields["counts"].items()},
                media_files=int(fields["media_files"]),
                format_version=int(fields["format_version"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError(f"The archive's {MANIFEST} is unreadable ({error!r}).") from error

    def describe(self) -> str:
        """'PostgreSQL database (people: 12, organisations: 3, …), media files: 2'"""
        counted = describe_counts(self.counts)
        return f"{vendor_name(self.vendor)} database ({counted}), media files: {self.media_files}"


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    media_files: list[str]  # paths inside the media directory


def describe_counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name}: {count}" for name, count in counts.items())


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def check_restorable(manifest: Manifest, vendor: str) -> None:
    """Refuse an archive this Komunigi cannot restore, before anything is changed."""
    if manifest.format_version > FORMAT_VERSION:
        raise BackupError(
            f"This archive is in backup format {manifest.format_version}, made by Komunigi "
            f"{manifest.komunigi_version}; this Komunigi reads format {FORMAT_VERSION} only. "
            "Restore it with that version of Komunigi or a newer one."
        )
    if manifest.vendor != vendor:
        raise BackupError(
            f"This archive holds a {vendor_name(manifest.vendor)} database, and this Komunigi "
            f"uses {vendor_name(vendor)}: an archive is restored on the kind of database it "
            f"was made from. Point DATABASE_URL at a {vendor_name(manifest.vendor)} database "
            "to restore it."
        )


def pg_connection(settings_dict: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection options of pg_dump and pg_restore for Django's settings of a database,
    and the environment that carries the password: never on the command line, where every
    user of the machine sees it. ``--no-password``: fail rather than wait for a prompt that
    nobody answers under cron."""
    arguments = ["--no-password"]
    for key, option in (("HOST", "--host"), ("PORT", "--port"), ("USER", "--username")):
        if settings_dict.get(key):
            arguments.append(f"{option}={settings_dict[key]}")
    if settings_dict.get("NAME"):
        arguments.append(f"--dbname={settings_dict['NAME']}")
    environment = {}
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in _PG_OPTION_VARIABLES.items():
        if options.get(option):
            environment[variable] = str(options[option])
    return arguments, environment


def archive_path(destination: Path, now: str) -> Path:
    """The archive to write: ``destination`` itself, or a dated file inside it if it is a
    directory (``komunigi-20261123T020000Z.tar.gz``), for a nightly cron line."""
    if destination.is_dir():
        return destination / f"komunigi-{now}.tar.gz"
    return destination


def count_rows(cursor: Any, present: Collection[str] | None = None) -> dict[str, int]:
    """The rows of each counted table (zero for a table not ``present``), through any DB-API
    cursor: Django's, or sqlite3's on a copy."""
    counts = {}
    for name, model in COUNTED.items():
        table = model._meta.db_table
        if present is not None and table not in present:
            counts[name] = 0
            continue
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - a table name of ours
        counts[name] = int(cursor.fetchone()[0])
    return counts


def create_backup(destination: Path, *, media_root: Path) -> tuple[Path, Manifest]:
    """Write the archive of the default database and ``media_root``; returns where, and its
    manifest. The archive appears whole or not at all (written aside, then renamed)."""
    vendor = _supported_vendor()
    now = timezone.now().replace(microsecond=0)
    target = archive_path(destination, now.strftime("%Y%m%dT%H%M%SZ"))
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory.")
    with tempfile.TemporaryDirectory(prefix="komunigi-backup-") as scratch:
        database = Path(scratch) / DATABASE_FILES[vendor]
        dump = _dump_postgresql if vendor == "postgresql" else _copy_sqlite
        counts = dump(database)
        # Listed after the dump: every attachment the dump holds has its file by now.
        media = sorted(_media_files(media_root))
        manifest = Manifest(
            vendor=vendor,
            komunigi_version=_komunigi_version(),
            created_at=now.isoformat(),
            counts=counts,
            media_files=len(media),
        )
        # mkstemp: readable by the owner only, in the target's directory for the rename.
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, manifest.to_json())
                tar.add(database, arcname=DATABASE_FILES[vendor])
                for relative in media:
                    tar.add(media_root / relative, arcname=f"{MEDIA}/{relative}")
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return target, manifest


def restore_backup(archive: Path, *, media_root: Path, force: bool) -> Restored:
    """Replace the default database by the archive's and write its media files into
    ``media_root`` (files already there that the archive does not hold stay). Refuses a
    database that holds data unless ``force``, and an archive of another vendor."""
    vendor = _supported_vendor()
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed by the "with" below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Cannot read the archive {archive}: {error}") from error
    with tar:
        manifest = Manifest.from_json(_read_member(tar, MANIFEST))
        check_restorable(manifest, vendor)
        media = _media_members(tar, media_root)
        pg_restore = _tool("pg_restore") if vendor == "postgresql" else ""
        if not force:
            _refuse_unless_empty()
        with tempfile.TemporaryDirectory(prefix="komunigi-restore-") as scratch:
            database_file = DATABASE_FILES[vendor]
            tar.extract(_member(tar, database_file), scratch, filter="data")
            # Nothing of ours may hold the database while it is replaced underneath.
            connection.close()
            if vendor == "postgresql":
                _run(pg_restore, *_PG_RESTORE_OPTIONS, str(Path(scratch) / database_file))
            else:
                _restore_sqlite(Path(scratch) / database_file)
        media_root.mkdir(parents=True, exist_ok=True)
        tar.extractall(media_root, members=media, filter="data")
    with connection.cursor() as cursor:
        counts = count_rows(cursor)
    if counts != manifest.counts:
        raise BackupError(
            f"The database was restored but holds {describe_counts(counts)}, where the "
            f"archive counted {describe_counts(manifest.counts)}: the archive is damaged. "
            "Restore another one."
        )
    return Restored(manifest=manifest, media_files=[member.name for member in media])


def _supported_vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
            f"Backups cover PostgreSQL and SQLite; this database is {connection.vendor}."
        )
    return connection.vendor


def _komunigi_version() -> str:
    try:
        return metadata.version("komunigi")
    except metadata.PackageNotFoundError:
        return "unknown"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (or not on PATH): it comes with PostgreSQL's client "
            "programs (Debian and Ubuntu: apt install postgresql-client), of the server's "
            "major version or newer."
        )
    return found


def _run(tool: str, *arguments: str) -> None:
    """Run pg_dump or pg_restore on the default database; raise with its own words."""
    connection_arguments, environment = pg_connection(connection.settings_dict)
    finished = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [tool, *connection_arguments, *arguments],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise BackupError(
            f"{Path(tool).name} failed (exit status {finished.returncode}):\n"
            f"{finished.stderr.strip()}"
        )


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump the default database, and count its rows in the very snapshot it dumps (a
    transaction that exports its snapshot and stays open while pg_dump reads it), so the
    manifest's counts are the dump's even while the site writes."""
    pg_dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = count_rows(cursor)
        _run(pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}")
    return counts


def _copy_sqlite(target: Path) -> dict[str, int]:
    source_path = Path(connection.settings_dict["NAME"])
    if not source_path.is_file():
        raise BackupError(f"There is no SQLite database at {source_path}.")
    with (
        closing(sqlite3.connect(source_path, timeout=20)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
        return count_rows(copy.cursor())


def _restore_sqlite(copy_path: Path) -> None:
    target_path = Path(connection.settings_dict["NAME"])
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(copy_path)) as copy,
        closing(sqlite3.connect(target_path, timeout=20)) as target,
    ):
        copy.backup(target)


def _refuse_unless_empty() -> None:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        counts = count_rows(cursor, present=tables)
    if any(counts.values()):
        raise BackupError(
            f"The database is not empty ({describe_counts(counts)}). Restoring replaces "
            "all of it with the archive's: run restore again with --force to do so."
        )


def _media_files(media_root: Path) -> list[str]:
    """The regular files under ``media_root``, as paths relative to it."""
    if not media_root.is_dir():
        return []
    return [
        path.relative_to(media_root).as_posix()
        for path in media_root.rglob("*")
        if path.is_file() and not path.is_symlink()
    ]


def _media_members(tar: tarfile.TarFile, media_root: Path) -> list[tarfile.TarInfo]:
    """The archive's media files, renamed to their paths inside ``media_root``. Checked
    before anything is restored: a path that would land outside it ("..", absolute), a link
    or a device refuses the whole archive."""
    members = []
    for member in tar.getmembers():
        if not (member.isfile() and member.name.startswith(f"{MEDIA}/")):
            continue
        relative = member.replace(name=member.name.removeprefix(f"{MEDIA}/"), deep=False)
        try:
            members.append(tarfile.data_filter(relative, str(media_root)))
        except tarfile.FilterError as error:
            raise BackupError(
                f"The archive's {member.name} would not be written inside {media_root} "
                f"({error}): it was not made by `komunigi backup`."
            ) from error
    return members


def _member(tar: tarfile.TarFile, name: str) -> tarfile.TarInfo:
    try:
        return tar.getmember(name)
    except KeyError:
        raise BackupError(f"The archive holds no {name}: it is not a Komunigi backup.") from None


def _read_member(tar: tarfile.TarFile, name: str) -> bytes:
    extracted = tar.extractfile(_member(tar, name))
    if extracted is None:
        raise BackupError(f"The archive's {name} is not a file: it is not a Komunigi backup.")
    with extracted:
        return extracted.read()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
