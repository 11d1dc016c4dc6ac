"""A page number past the end of any API list answers an empty page, never an error, on SQLite
and PostgreSQL alike (a number beyond the database's integers made it answer 500)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/organisations",
    "/api/v1/needs",
    "/api/v1/meetings",
    "/api/v1/commons/modules",
    "/api/v1/maintenance-plans",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", ["2", "9223372036854775807", str(10**30)])
def test_a_page_past_the_end_is_empty(representative, path: str, page: str) -> None:
    found = Client().get(path, {"page": page})
    assert found.status_code == 200, found.content
    assert found.json()["items"] == []
    assert found.json()["count"] >= 0


def test_the_first_page_still_lists_what_there_is(representative) -> None:
    found = Client().get("/api/v1/organisations", {"page": "1"}).json()
    assert [o["slug"] for o in found["items"]] == ["bees-coop"]
    assert found["count"] == 1
