"""Importing manifests: read as data, never run; idempotent; from trees and git branches."""

import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from komunigi.commons import importer, manifests
from komunigi.commons.models import ImportReport, ModuleVersion

SHIFT_12 = """# -*- coding: utf-8 -*-
{
    "name": "Shift management",
    "summary": "Cooperators' shifts",
    "version": "12.0.1.4.2",
    "license": "AGPL-3",
    "author": "BEES coop, Coop IT Easy",
    "website": "https://github.com/beescoop/Obeesdoo",
    "category": "Cooperative management",
    "depends": ["mail", "beesdoo_base"],
    "installable": True,
}
"""
BASE_9 = """{'name': 'Beesdoo base', 'version': '9.0.1.0.0', 'depends': ['point_of_sale'],
'author': 'BEES coop'}"""


def write(root: Path, module: str, name: str, text: str) -> None:
    (root / module).mkdir(parents=True, exist_ok=True)
    (root / module / name).write_text(text)


def test_a_tree_mixing_old_and_new_manifests_imports_and_a_malicious_one_never_runs(
    tmp_path: Path, db: None
) -> None:
    marker = tmp_path / "pwned"
    tree = tmp_path / "addons"
    write(tree, "beesdoo_shift", "__manifest__.py", SHIFT_12)
    write(tree, "beesdoo_base", "__openerp__.py", BASE_9)
    write(tree, "evil", "__manifest__.py", f'__import__("os").system("touch {marker}")')
    write(
        tree,
        "evil_dict",
        "__manifest__.py",
        f'{{"name": __import__("os").system("touch {marker}")}}',
    )
    write(tree, "no_series", "__manifest__.py", '{"name": "No series", "version": "1.0"}')

    report = importer.import_tree(tree)

    assert not marker.exists()
    assert sorted(report.added) == ["beesdoo_base 9.0", "beesdoo_shift 12.0"]
    assert dict(report.skipped) == {
        "evil/__manifest__.py": "not a dict",
        "evil_dict/__manifest__.py": "not made of literals only (a call, a name or an import)",
        "no_series/__manifest__.py": "no series: give --series, or a version such as 12.0.1.0.0",
    }
    shift = ModuleVersion.objects.get(module__technical_name="beesdoo_shift")
    assert (shift.series, shift.authors, shift.license) == (
        "12.0",
        ["BEES coop", "Coop IT Easy"],
        "AGPL-3",
    )
    # Odoo's own addons told apart from the community's modules, for that series.
    assert (shift.core_depends, shift.community_depends) == (["mail"], ["beesdoo_base"])
    base = ModuleVersion.objects.get(module__technical_name="beesdoo_base")
    assert (base.series, base.core_depends) == ("9.0", ["point_of_sale"])


def test_importing_twice_changes_nothing_a_change_updates_and_a_removal_marks_gone(
    tmp_path: Path, db: None
) -> None:
    write(tmp_path, "beesdoo_shift", "__manifest__.py", SHIFT_12)
    write(tmp_path, "beesdoo_base", "__manifest__.py", BASE_9.replace("9.0.1", "12.0.1"))
    importer.import_tree(tmp_path)
    again = importer.import_tree(tmp_path)
    assert (again.added, again.updated, again.gone) == ([], [], [])

    write(tmp_path, "beesdoo_shift", "__manifest__.py", SHIFT_12.replace("1.4.2", "1.5.0"))
    (tmp_path / "beesdoo_base" / "__manifest__.py").unlink()
    changed = importer.import_tree(tmp_path)
    assert (changed.updated, changed.gone) == (["beesdoo_shift 12.0"], ["beesdoo_base 12.0"])
    assert ModuleVersion.objects.get(module__technical_name="beesdoo_shift").version == (
        "12.0.1.5.0"
    )
    gone = ModuleVersion.objects.get(module__technical_name="beesdoo_base")
    assert gone.gone_at is not None  # kept, marked gone
    assert ImportReport.objects.count() == 3


def git(*args: str, cwd: Path) -> None:
    command = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args]
    subprocess.run(  # noqa: S603 - a test's own fixed arguments
        command,
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_a_git_repository_is_read_branch_by_branch_as_series(tmp_path: Path, db: None) -> None:
    repo = tmp_path / "obeesdoo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    write(repo, "README", "x", "")
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "start", cwd=repo)
    for series, name, text in [
        ("9.0", "__openerp__.py", BASE_9),
        ("12.0", "__manifest__.py", SHIFT_12),
        ("16.0", "__manifest__.py", SHIFT_12.replace("12.0.1.4.2", "16.0.1.0.0")),
    ]:
        git("checkout", "-q", "-b", series, "main", cwd=repo)
        write(repo, "beesdoo_shift", name, text.replace("Beesdoo base", "Shift management"))
        git("add", ".", cwd=repo)
        git("commit", "-q", "-m", series, cwd=repo)
    git("checkout", "-q", "-b", "feature-x", "main", cwd=repo)  # not a series: ignored

    call_command("import_modules", git=str(repo))
    versions = ModuleVersion.objects.filter(module__technical_name="beesdoo_shift")
    assert sorted(versions.values_list("series", flat=True)) == ["12.0", "16.0", "9.0"]
    assert {v.path for v in versions} == {
        "9.0:beesdoo_shift/__openerp__.py",
        "12.0:beesdoo_shift/__manifest__.py",
        "16.0:beesdoo_shift/__manifest__.py",
    }


def test_a_repository_that_cannot_be_read_imports_nothing_with_a_clear_error(
    tmp_path: Path, db: None
) -> None:
    with pytest.raises(CommandError, match=r"^Nothing imported: "):
        call_command("import_modules", git=str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("import_modules", str(tmp_path / "nowhere"))
    assert ModuleVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (b"{'name': 'A', 'x': " + b"[" * 30 + b"]" * 30 + b"}", "nested too deeply"),
        (b"{" * 5000 + b"}" * 5000, "not readable as Python"),
        (b"x = {'name': 'A'}", "not a single expression"),
        (b"{'name': 'A', 'depends': 'base'}", "“depends” is not a list of strings"),
        (b"{'name': 'A', 'installable': 'yes'}", "“installable” is not true or false"),
        (b"{'name': 'A'} " + b" " * manifests.MAX_BYTES, "too large"),
        (b"[1, 2]", "not a dict"),
    ],
)
def test_manifests_that_are_not_plain_data_are_refused_with_their_reason(
    source: bytes, reason: str
) -> None:
    with pytest.raises(manifests.ManifestError) as refused:
        manifests.parse(source)
    assert str(refused.value).startswith(reason)


def test_facilitators_register_and_refresh_repositories_with_the_report_shown(
    tmp_path: Path, facilitator, representative, django_capture_on_commit_callbacks
) -> None:
    from django.test import Client

    from komunigi.commons.models import Repository

    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "12.0", cwd=repo)
    write(repo, "beesdoo_shift", "__manifest__.py", SHIFT_12)
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "start", cwd=repo)
    # The site reads HTTPS addresses only; an operator registers a local one by command.
    client = Client()
    client.force_login(facilitator)
    for url, why in ((f"file://{repo}", "Enter a valid URL."),
                     ("http://example.org/a.git", "Only HTTPS addresses")):  # fmt: skip
        refused = client.post("/en/facilitation/repositories/", {"url": url})
        assert refused.status_code == 400
        assert why in refused.content.decode()
    assert not Repository.objects.exists()
    repository = Repository.objects.create(url=str(repo), name="Obeesdoo")
    # The tasks run at once in tests: the refresh is done when the answer comes back.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/facilitation/repositories/{repository.pk}/refresh/")
    page = client.get("/en/facilitation/repositories/")
    repository.refresh_from_db()
    assert repository.last_report.added == ["beesdoo_shift 12.0"]
    assert repository.refresh_requested_at is None
    assert "1 added, 0 updated, 0 gone, 0 skipped" in page.content.decode()
    (repo / "beesdoo_shift" / "__manifest__.py").unlink()
    git("commit", "-qam", "gone", cwd=repo)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/facilitation/repositories/{repository.pk}/refresh/")
    repository.refresh_from_db()
    assert repository.last_report.gone == ["beesdoo_shift 12.0"]
    broken = Repository.objects.create(url=str(tmp_path / "nowhere"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/facilitation/repositories/{broken.pk}/refresh/")
    broken.refresh_from_db()
    assert broken.last_error
    assert "read nothing" in client.get("/en/facilitation/repositories/").content.decode()
    other = Client()
    other.force_login(representative)
    assert other.get("/en/facilitation/repositories/").status_code == 403
    assert other.post(f"/en/facilitation/repositories/{repository.pk}/refresh/").status_code == 403
