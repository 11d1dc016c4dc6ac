"""`komunigi backup` and `komunigi restore`: the round trip on the database the suite runs on
(run the file with DATABASE_URL=postgres://… for PostgreSQL), and the refusals."""

import io
import json
import stat
import tarfile
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django import Settings

from komunigi.community.models import Organisation, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.dates import instance_today
from komunigi.funding import ledger
from komunigi.funding.models import AccountKind, LedgerLine, LedgerTransaction, TransactionKind
from komunigi.needs.models import Attachment, Need
from komunigi.needs.services import add_attachment
from komunigi.needs.tests.factories import NeedFactory
from komunigi.web import backups
from komunigi.web.backups import BackupError, Manifest

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 500


@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _community() -> dict[str, Any]:
    """Two supermarkets, a need of one with two attachments, and money moved between them."""
    bees, coopeco = OrganisationFactory(slug="bees"), OrganisationFactory(slug="coopeco")
    rita = MembershipFactory(organisation=bees, role=Role.REPRESENTATIVE).user
    MembershipFactory(organisation=coopeco, role=Role.REPRESENTATIVE)
    need = NeedFactory(organisation=bees, author=rita)
    for name, data, kind in (("plan.pdf", PDF, "pdf"), ("screen.png", PNG, "png")):
        upload = SimpleUploadedFile(name, data)
        content_type = "application/pdf" if kind == "pdf" else "image/png"
        add_attachment(need, actor=rita, upload=upload, content_type=content_type, extension=kind)
    accounts = [ledger.account(AccountKind.ORGANISATION, o) for o in (bees, coopeco)]
    for account, amount in zip(accounts, (Decimal("120.50"), Decimal("80.25")), strict=True):
        ledger.post(
            TransactionKind.PAYMENT_RECEIVED,
            [(account, amount), (ledger.outside(), -amount)],
            date=instance_today(),
        )
    ledger.post(
        TransactionKind.FEE,
        [(accounts[0], Decimal("-50.00")), (ledger.fund(), Decimal("50.00"))],
        date=instance_today(),
    )
    return {"bees": bees, "coopeco": coopeco, "rita": rita, "need": need}


def _state() -> dict[str, Any]:
    """What a restore must bring back: rows, balances, attachments' bytes."""
    counted = (Organisation, User, Need, Attachment, LedgerTransaction, LedgerLine)
    accounts = {
        **{o.slug: ledger.account(AccountKind.ORGANISATION, o) for o in Organisation.objects.all()},
        "fund": ledger.fund(),
        "outside": ledger.outside(),
    }
    return {
        "rows": {model.__name__: model.objects.count() for model in counted},
        "balances": {name: ledger.balance(account) for name, account in accounts.items()},
        "total": ledger.total_of_all_lines(),
        "attachments": {a.name: _bytes(Path(a.file.path)) for a in Attachment.objects.all()},
    }


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _alter(community: dict[str, Any], media_root: Path) -> None:
    """What happens after a backup: more money, a new supermarket, an attachment's file lost
    and another's overwritten."""
    newcomer = OrganisationFactory(slug="newcomer")
    MembershipFactory(organisation=newcomer)
    amount, bees = Decimal("999.99"), ledger.account(AccountKind.ORGANISATION, community["bees"])
    ledger.post(
        TransactionKind.PAYMENT_RECEIVED,
        [(bees, amount), (ledger.outside(), -amount)],
        date=instance_today(),
    )
    pdf, png = Attachment.objects.order_by("name")
    Path(pdf.file.path).unlink()
    Path(png.file.path).write_bytes(b"not the screenshot")


@pytest.mark.django_db(transaction=True)
def test_restore_brings_back_the_rows_balances_and_attachments_of_the_backup(
    media_root: Path, tmp_path: Path
) -> None:
    community = _community()
    before = _state()
    archive = tmp_path / "komunigi.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    vendor = backups.vendor_name(connection.vendor)
    described = (
        f"{vendor} database (people: 2, organisations: 2, needs: 1, ledger transactions: 3, "
        "ledger lines: 6), media files: 2"
    )
    assert out.getvalue() == f"Wrote {archive}: {described}.\n"

    _alter(community, media_root)
    assert _state() != before
    out = io.StringIO()
    call_command("restore", str(archive), "--force", stdout=out)

    assert _state() == before
    assert before["total"] == Decimal("0.00")
    assert before["balances"]["bees"] == Decimal("70.50")
    manifest = Manifest.from_json(_member(archive, "manifest.json"))
    assert out.getvalue() == (
        f"Restored {archive} (made {manifest.created_at} by Komunigi "
        f"{manifest.komunigi_version}): {described} into {media_root}.\n"
    )


@pytest.mark.django_db(transaction=True)
def test_the_archive_holds_a_manifest_the_database_and_the_media_readable_by_its_owner_only(
    media_root: Path, tmp_path: Path
) -> None:
    community = _community()
    call_command("backup", str(tmp_path), stdout=io.StringIO())

    (archive,) = tmp_path.glob("komunigi-*.tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    attachments = sorted(f"media/{a.file.name}" for a in community["need"].attachments.all())
    database = backups.DATABASE_FILES[connection.vendor]
    assert names == ["manifest.json", database, *attachments]
    manifest = json.loads(_member(archive, "manifest.json"))
    assert manifest["vendor"] == connection.vendor
    assert manifest["format_version"] == 1
    assert manifest["komunigi_version"] == metadata.version("komunigi")
    assert manifest["counts"] == {
        "people": 2,
        "organisations": 2,
        "needs": 1,
        "ledger transactions": 3,
        "ledger lines": 6,
    }
    assert manifest["media_files"] == 2


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_holds_data_without_force(
    media_root: Path, tmp_path: Path
) -> None:
    community = _community()
    archive = tmp_path / "komunigi.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    _alter(community, media_root)
    altered = _state()

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), stdout=io.StringIO())

    assert str(refused.value) == (
        "The database is not empty (people: 3, organisations: 3, needs: 1, "
        "ledger transactions: 4, ledger lines: 8). Restoring replaces all of it with the "
        "archive's: run restore again with --force to do so."
    )
    assert _state() == altered


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_emptied_database_needs_no_force(media_root: Path, tmp_path: Path) -> None:
    _community()
    before = _state()
    archive = tmp_path / "komunigi.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    call_command("flush", "--no-input")
    for path in media_root.rglob("*"):
        if path.is_file():
            path.unlink()

    call_command("restore", str(archive), stdout=io.StringIO())

    assert _state() == before


@pytest.mark.django_db
def test_restore_refuses_an_archive_of_the_other_vendor_before_touching_anything(
    media_root: Path, tmp_path: Path
) -> None:
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    archive = tmp_path / "other.tar.gz"
    _write_archive(archive, _manifest(vendor=other), {backups.DATABASE_FILES[other]: b"x"})

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force")

    ours, theirs = backups.vendor_name(connection.vendor), backups.vendor_name(other)
    assert str(refused.value) == (
        f"This archive holds a {theirs} database, and this Komunigi uses {ours}: an archive "
        f"is restored on the kind of database it was made from. Point DATABASE_URL at a "
        f"{theirs} database to restore it."
    )


@pytest.mark.django_db
def test_restore_refuses_a_media_file_outside_the_media_directory(
    media_root: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "evil.tar.gz"
    vendor = connection.vendor
    files = {backups.DATABASE_FILES[vendor]: b"x", "media/../../outside.txt": b"owned"}
    _write_archive(archive, _manifest(vendor=vendor), files)

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force")

    assert str(refused.value).startswith(
        "The archive's media/../../outside.txt would not be written inside "
    )
    assert not (tmp_path / "outside.txt").exists()


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(media_root: Path, tmp_path: Path) -> None:
    archive = tmp_path / "notes.tar.gz"
    _write_archive(archive, None, {"notes.txt": b"hello"})

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force")

    assert str(refused.value) == (
        "The archive holds no manifest.json: it is not a Komunigi backup."
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is for PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_backup_without_pg_dump_says_what_to_install(
    media_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path / "komunigi.tar.gz"))

    assert str(refused.value) == (
        "pg_dump is not installed (or not on PATH): it comes with PostgreSQL's client "
        "programs (Debian and Ubuntu: apt install postgresql-client), of the server's major "
        "version or newer."
    )
    assert list(tmp_path.iterdir()) == []


def test_check_restorable_refuses_an_archive_of_a_newer_format() -> None:
    newer = Manifest(
        vendor="sqlite",
        komunigi_version="9.0.0",
        created_at="2030-01-01T00:00:00+00:00",
        counts={},
        media_files=0,
        format_version=2,
    )

    with pytest.raises(BackupError) as refused:
        backups.check_restorable(newer, "sqlite")

    assert str(refused.value) == (
        "This archive is in backup format 2, made by Komunigi 9.0.0; this Komunigi reads "
        "format 1 only. Restore it with that version of Komunigi or a newer one."
    )


def test_manifest_survives_its_json() -> None:
    manifest = _manifest(vendor="postgresql")

    assert Manifest.from_json(manifest.to_json()) == manifest


def test_pg_connection_keeps_the_password_off_the_command_line() -> None:
    settings_dict = {
        "NAME": "komunigi",
        "USER": "komunigi",
        "PASSWORD": "s3cret",
        "HOST": "db.example.org",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }

    arguments, environment = backups.pg_connection(settings_dict)

    assert arguments == [
        "--no-password",
        "--host=db.example.org",
        "--port=5433",
        "--username=komunigi",
        "--dbname=komunigi",
    ]
    assert environment == {"PGPASSWORD": "s3cret", "PGSSLMODE": "require"}


def test_pg_connection_leaves_out_what_is_not_set() -> None:
    settings_dict = {"NAME": "komunigi", "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""}

    assert backups.pg_connection(settings_dict) == (["--no-password", "--dbname=komunigi"], {})


def test_archive_path_names_a_dated_file_inside_a_directory(tmp_path: Path) -> None:
    assert backups.archive_path(tmp_path, "20261123T020000Z") == (
        tmp_path / "komunigi-20261123T020000Z.tar.gz"
    )
    assert backups.archive_path(tmp_path / "b.tar.gz", "20261123T020000Z") == (
        tmp_path / "b.tar.gz"
    )


def _manifest(*, vendor: str) -> Manifest:
    return Manifest(
        vendor=vendor,
        komunigi_version="0.1.0",
        created_at="2026-11-23T02:00:00+00:00",
        counts={"people": 1, "ledger lines": 0},
        media_files=0,
    )


def _write_archive(path: Path, manifest: Manifest | None, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        if manifest is not None:
            files = {"manifest.json": manifest.to_json(), **files}
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive) as tar:
        extracted = tar.extractfile(name)
        assert extracted is not None
        return extracted.read()
