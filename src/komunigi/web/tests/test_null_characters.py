"""A NUL character in an address or an API input is refused before any query: PostgreSQL
cannot compare one, and the API answered 500 (Schemathesis found it)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/needs?tag=a%00b", "/api/v1/organisations/bees%00coop", "/api/v1/needs?%00=1"]
)
def test_the_api_refuses_a_null_character_as_a_validation_error(path: str) -> None:
    answer = Client().get(path)
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["msg"] == "Null characters are not allowed."


def test_a_ballot_with_a_null_character_is_refused(representative) -> None:
    from komunigi.community.services import create_api_token

    _token, raw = create_api_token(representative, name="script")
    answer = Client().post(
        "/api/v1/decisions/1/ballot",
        '{"choice": "yes", "organisation": "bees\\u0000coop"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "payload", "organisation"]


def test_a_page_refuses_it_with_400_and_others_go_on() -> None:
    assert Client().get("/needs/?q=a%00b").status_code == 400
    assert Client().get("/needs/?q=ab").status_code == 200
