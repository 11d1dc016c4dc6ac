"""The commons through the API: modules, versions, who runs what."""

import pytest
from django.test import Client

from komunigi.commons.models import Installation, Module
from komunigi.commons.tests.test_migration import version
from komunigi.community.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_modules_list_is_paginated_with_each_modules_series() -> None:
    version("beesdoo_shift", "16.0")
    version("beesdoo_shift", "9.0")
    version("beesdoo_shift", "12.0")
    for n in range(120):
        version(f"module_{n:03}", "16.0")
    first = Client().get("/api/v1/commons/modules").json()
    assert first["count"] == 121
    assert first["items"][0]["technical_name"] == "beesdoo_shift"
    assert first["items"][0]["series"] == ["9.0", "12.0", "16.0"]
    assert first["items"][0]["url"].endswith("/commons/beesdoo_shift/")
    last = Client().get("/api/v1/commons/modules", {"page": 2}).json()["items"]
    assert len(first["items"]) + len(last) == 121
    searched = Client().get("/api/v1/commons/modules", {"q": "shift", "series": "9.0"}).json()
    assert [m["technical_name"] for m in searched["items"]] == ["beesdoo_shift"]


def test_a_module_gives_its_versions_and_who_runs_it() -> None:
    version("beesdoo_shift", "12.0", ("beesdoo_base",), license="AGPL-3")
    Installation.objects.create(
        organisation=OrganisationFactory(slug="bees-coop"),
        module=Module.objects.get(technical_name="beesdoo_shift"),
        series="12.0",
    )
    found = Client().get("/api/v1/commons/modules/beesdoo_shift").json()
    assert [(v["series"], v["license"], v["community_depends"]) for v in found["versions"]] == [
        ("12.0", "AGPL-3", ["beesdoo_base"])
    ]
    assert found["run_by"] == [{"organisation": "bees-coop", "series": "12.0"}]
    assert Client().get("/api/v1/commons/modules/nothing").status_code == 404


def test_a_module_from_a_repository_names_it() -> None:
    """A version read from a repository answered 500: its row was read twice."""
    from komunigi.commons.models import ModuleVersion, Repository

    version("beesdoo_shift", "12.0")
    ModuleVersion.objects.update(
        repository=Repository.objects.create(url="https://github.com/beescoop/Obeesdoo")
    )
    found = Client().get("/api/v1/commons/modules/beesdoo_shift")
    assert found.status_code == 200
    assert found.json()["versions"][0]["repository"] == "https://github.com/beescoop/Obeesdoo"
