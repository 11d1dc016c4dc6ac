"""Import the modules of a directory tree or of a git repository's series branches.

Manifests are read as data (`manifests.parse`), never imported. An import is idempotent:
the same tree twice changes nothing; a changed manifest updates its version; a module that
disappeared from its repository's series is marked gone, not deleted. Each import leaves an
`ImportReport`.
"""

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from manifestoo_core.core_addons import is_core_ce_addon
from manifestoo_core.odoo_series import OdooSeries

from komunigi.commons import manifests
from komunigi.commons.models import (
    Dependency,
    ImportReport,
    Module,
    ModuleVersion,
    Repository,
)

GIT_TIMEOUT = 300  # seconds for a clone


class ImportFailed(Exception):
    """The source cannot be read at all (no such directory, bad URL): nothing is imported."""


@dataclass(frozen=True)
class Found:
    technical_name: str
    series: str
    manifest: manifests.Manifest
    path: str


@dataclass
class Scan:
    found: dict[str, list[Found]] = field(default_factory=dict)  # by series
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    # Series read even when they hold no module (a branch emptied of them: all are gone).
    series_read: set[str] = field(default_factory=set)


def scan_tree(root: Path, *, series: str | None = None) -> Scan:
    """Every manifest under ``root`` (a module's manifest names its directory)."""
    if not root.is_dir():
        raise ImportFailed(f"{root} is not a directory")
    scan = Scan()
    for path in sorted(root.rglob("__*__.py")):
        if path.name not in manifests.MANIFEST_NAMES or _hidden(path, root):
            continue
        if path.name == "__openerp__.py" and (path.parent / "__manifest__.py").exists():
            continue  # both: the newer name wins
        relative = str(path.relative_to(root))
        if path.stat().st_size > manifests.MAX_BYTES:
            scan.skipped.append((relative, f"too large ({path.stat().st_size} bytes)"))
            continue
        _add(scan, path.parent.name, path.read_bytes(), relative, series)
    return scan


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts[:-1])


def _add(scan: Scan, technical_name: str, source: bytes, relative: str, series: str | None) -> None:
    try:
        manifest = manifests.parse(source)
        found_series = manifests.series_of(manifest, series)
    except manifests.ManifestError as error:
        scan.skipped.append((relative, str(error)))
        return
    found = Found(technical_name, found_series, manifest, relative)
    scan.found.setdefault(found_series, []).append(found)


def _git(*args: str, cwd: str | None = None) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["git", *args],  # noqa: S607 - git from the PATH, as an operator would run it
            cwd=cwd,
            capture_output=True,
            check=True,
            timeout=GIT_TIMEOUT,
            env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
    except FileNotFoundError:
        raise ImportFailed("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise ImportFailed("the repository did not answer in time") from None
    except subprocess.CalledProcessError as error:
        message = error.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ImportFailed(message[-1] if message else "git failed") from None
    return done.stdout.decode("utf-8", "replace")


def scan_git(url: str) -> Scan:
    """Each series branch (``9.0``, ``12.0`` …) of a local or remote repository, read from a
    bare clone (no work tree); branches named otherwise are ignored."""
    if url.startswith("-"):
        raise ImportFailed(f"“{url}” is not a repository address")
    scan = Scan()
    with tempfile.TemporaryDirectory(prefix="komunigi-git-") as bare:
        _git("clone", "--bare", "--quiet", "--no-tags", "--", url, bare)
        branches = _git("for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=bare)
        for branch in branches.split():
            if not manifests.SERIES.match(branch):
                continue
            scan.series_read.add(branch)
            listing = _git("ls-tree", "-r", "-l", branch, cwd=bare)
            _scan_branch(scan, bare, branch, listing)
    return scan


def _scan_branch(scan: Scan, bare: str, branch: str, listing: str) -> None:
    paths: dict[str, tuple[str, int]] = {}
    for line in listing.splitlines():
        meta, _tab, path = line.partition("\t")
        parts = meta.split()
        if len(parts) < 4 or parts[1] != "blob":
            continue
        name = path.rsplit("/", 1)[-1]
        if name in manifests.MANIFEST_NAMES and "/" in path:
            size = int(parts[3]) if parts[3].isdigit() else 0
            paths[path] = (parts[2], size)
    for path, (blob, size) in sorted(paths.items()):
        directory, name = path.rsplit("/", 1)
        if name == "__openerp__.py" and f"{directory}/__manifest__.py" in paths:
            continue
        where = f"{branch}:{path}"
        if size > manifests.MAX_BYTES:
            scan.skipped.append((where, f"too large ({size} bytes)"))
            continue
        source = _git("cat-file", "blob", blob, cwd=bare).encode()
        _add(scan, directory.rsplit("/", 1)[-1], source, where, branch)


def core_addon(name: str, series: str) -> bool:
    try:
        return is_core_ce_addon(name, OdooSeries(series))
    except ValueError:  # a series the library does not know yet: nothing counts as core
        return False


def apply(scan: Scan, *, repository_url: str, source: str) -> ImportReport:
    """Write what ``scan`` found for ``repository_url``: add, update, mark gone; report it."""
    report = ImportReport(source=source[:500], skipped=[list(s) for s in scan.skipped])
    with transaction.atomic():
        repository, _created = Repository.objects.get_or_create(url=repository_url[:500])
        for series in sorted(set(scan.found) | scan.series_read):
            found = scan.found.get(series, [])
            seen = set()
            for item in found:
                seen.add(item.technical_name)
                _upsert(item, repository, report)
            gone = ModuleVersion.objects.filter(
                repository=repository, series=series, gone_at=None
            ).exclude(module__technical_name__in=seen)
            report.gone += [
                f"{v.module.technical_name} {series}" for v in gone.select_related("module")
            ]
            gone.update(gone_at=timezone.now())
        report.save()
    return report


def _upsert(item: Found, repository: Repository, report: ImportReport) -> None:
    manifest = item.manifest
    fields = {
        "name": manifest.name,
        "summary": manifest.summary,
        "version": manifest.version,
        "license": manifest.license,
        "authors": manifest.authors,
        "maintainers": manifest.maintainers,
        "website": manifest.website,
        "category": manifest.category,
        "core_depends": [d for d in manifest.depends if core_addon(d, item.series)],
        "community_depends": [d for d in manifest.depends if not core_addon(d, item.series)],
        "installable": manifest.installable,
        "development_status": manifest.development_status,
        "repository": repository,
        "path": item.path[:500],
        "gone_at": None,
    }
    module, _created = Module.objects.get_or_create(technical_name=item.technical_name[:100])
    label = f"{item.technical_name} {item.series}"
    version = ModuleVersion.objects.filter(module=module, series=item.series).first()
    if version is None:
        version = ModuleVersion.objects.create(module=module, series=item.series, **fields)
        _depends(version)
        report.added.append(label)
        return
    changed = [name for name, value in fields.items() if getattr(version, name) != value]
    if changed:
        for name in changed:
            setattr(version, name, fields[name])
        version.save(update_fields=[*changed, "updated_at"])
        _depends(version)
        report.updated.append(label)


def _depends(version: ModuleVersion) -> None:
    version.dependencies.all().delete()
    Dependency.objects.bulk_create(
        Dependency(version=version, name=name[:100]) for name in version.community_depends
    )


def import_tree(root: Path, *, series: str | None = None, repository: str = "") -> ImportReport:
    scan = scan_tree(root, series=series)
    url = repository or str(root.resolve())
    return apply(scan, repository_url=url, source=str(root))


def import_git(url: str) -> ImportReport:
    return apply(scan_git(url), repository_url=url, source=url)
