from pathlib import Path

import pytest
from django.test import Client

from komunigi.commons import importer
from komunigi.commons.tests.test_import import BASE_9, SHIFT_12, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tmp_path: Path) -> None:
    write(tmp_path, "beesdoo_shift", "__manifest__.py", SHIFT_12)
    write(tmp_path, "beesdoo_base", "__manifest__.py", BASE_9.replace("9.0.1", "12.0.1"))
    write(tmp_path / "v9", "beesdoo_base", "__openerp__.py", BASE_9)
    importer.import_tree(tmp_path)


def test_the_catalogue_lists_modules_with_their_series_and_is_searchable(catalogue) -> None:
    page = Client().get("/en/commons/")
    rows = [
        (m.technical_name, [v.series for v in versions]) for m, versions in page.context["rows"]
    ]
    assert rows == [("beesdoo_base", ["9.0", "12.0"]), ("beesdoo_shift", ["12.0"])]
    found = Client().get("/en/commons/", {"q": "shift"}).context["page"]
    assert [m.technical_name for m in found] == ["beesdoo_shift"]
    nine = Client().get("/en/commons/", {"series": "9.0"}).context["page"]
    assert [m.technical_name for m in nine] == ["beesdoo_base"]


def test_a_module_page_shows_its_versions_and_the_modules_that_depend_on_it(catalogue) -> None:
    page = Client().get("/en/commons/beesdoo_base/")
    assert [v.series for v in page.context["versions"]] == ["9.0", "12.0"]
    assert [(v.module.technical_name, v.series) for v in page.context["dependents"]] == [
        ("beesdoo_shift", "12.0")
    ]
    assert Client().get("/en/commons/nothing_here/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_the_catalogue_runs_a_fixed_number_of_queries(
    tmp_path: Path, django_assert_num_queries, count: int
) -> None:
    for n in range(count):
        write(tmp_path, f"module_{n}", "__manifest__.py", SHIFT_12)
    importer.import_tree(tmp_path)
    # the page's count, its modules, their versions; the filters' series, categories,
    # licences and repositories
    with django_assert_num_queries(7):
        Client().get("/en/commons/")


def test_the_demo_catalogue_holds_the_decks_modules_on_three_series() -> None:
    from komunigi.commons.demo import load_demo_modules
    from komunigi.commons.models import ImportReport, ModuleVersion

    load_demo_modules()
    load_demo_modules()  # loading the demo again adds nothing
    series = {
        v.series for v in ModuleVersion.objects.filter(module__technical_name="beesdoo_shift")
    }
    assert series == {"9.0", "12.0", "16.0"}
    assert all(report.skipped == [] for report in ImportReport.objects.all())
    page = Client().get("/en/commons/beesdoo_base/")
    assert "beesdoo_pos" in {v.module.technical_name for v in page.context["dependents"]}
