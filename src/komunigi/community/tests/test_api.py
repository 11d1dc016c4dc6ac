import pytest
from django.test import Client
from openapi_spec_validator import validate

from komunigi.community.models import Role, User
from komunigi.community.services import create_api_token, revoke_api_token
from komunigi.community.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations() -> None:
    OrganisationFactory(name="BEES coop", slug="bees-coop", country="BE", city="Schaerbeek")
    OrganisationFactory(name="Le NID", slug="le-nid", country="CH")
    OrganisationFactory(name="Coopdevs", slug="coopdevs", kind="provider", country="ES")
    OrganisationFactory(name="Gone coop", slug="gone", status="former")
    OrganisationFactory(name="Applicant coop", slug="applicant", status="applicant")


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]


def test_organisations_lists_everybody_but_applicants_to_visitors(
    client: Client, organisations: None
) -> None:
    response = client.get("/api/v1/organisations")
    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert slugs(response) == ["bees-coop", "coopdevs", "gone", "le-nid"]
    bees = response.json()["items"][0]
    assert {k: bees[k] for k in ["slug", "name", "kind", "status", "country", "city"]} == {
        "slug": "bees-coop",
        "name": "BEES coop",
        "kind": "supermarket",
        "status": "member",
        "country": "BE",
        "city": "Schaerbeek",
    }
    assert bees["url"] == "http://testserver/ecosystem/bees-coop/"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=provider", ["coopdevs"]),
        ("status=former", ["gone"]),
        ("country=ch", ["le-nid"]),
        ("kind=supermarket&country=BE&status=member", ["bees-coop"]),
    ],
)
def test_organisations_filters(
    client: Client, organisations: None, query: str, expected: list[str]
) -> None:
    assert slugs(client.get(f"/api/v1/organisations?{query}")) == expected


@pytest.mark.parametrize("query", ["kind=bank", "status=sleeping", "country=Belgium"])
def test_organisations_refuses_bad_filters_naming_the_parameter(client: Client, query: str) -> None:
    response = client.get(f"/api/v1/organisations?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", query.split("=")[0]]


def test_organisation_detail_and_not_found(client: Client, organisations: None) -> None:
    assert client.get("/api/v1/organisations/le-nid").json()["name"] == "Le NID"
    assert client.get("/api/v1/organisations/nope").status_code == 404
    assert client.get("/api/v1/organisations/applicant").status_code == 404


def test_country_names_follow_accept_language(client: Client, organisations: None) -> None:
    french = client.get("/api/v1/organisations/le-nid").json()
    english = client.get("/api/v1/organisations/le-nid", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (french["country_name"], english["country_name"]) == ("Suisse", "Switzerland")


@pytest.mark.parametrize("count", [1, 3])
def test_organisations_list_runs_a_bounded_number_of_queries(
    client: Client, django_assert_num_queries, count: int
) -> None:
    OrganisationFactory.create_batch(count)
    with django_assert_num_queries(2):  # count, page
        client.get("/api/v1/organisations")


def test_facilitator_token_also_lists_applicants(
    client: Client, organisations: None, facilitator: User
) -> None:
    _, raw = create_api_token(facilitator, name="script")
    response = client.get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert "applicant" in slugs(response)


def test_me_with_a_bearer_token(client: Client, representative: User) -> None:
    _, raw = create_api_token(representative, name="script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json() == {
        "email": "rep@bees.example",
        "full_name": "Rita Representative",
        "language": "fr",
        "time_zone": "Europe/Brussels",
        "is_facilitator": False,
        "memberships": [
            {
                "organisation": "bees-coop",
                "organisation_name": "BEES coop",
                "role": Role.REPRESENTATIVE.value,
            }
        ],
    }


def test_me_with_the_browser_session(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get("/api/v1/me").json()["email"] == "outsider@example.org"


def test_me_refuses_anonymous_revoked_and_wrong_tokens(client: Client, outsider: User) -> None:
    token, raw = create_api_token(outsider, name="script")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer kmg_wrong").status_code == 401
    revoke_api_token(token, actor=outsider)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid, expired or revoked API token."}


def test_a_wrong_token_is_refused_even_on_public_endpoints(client: Client) -> None:
    response = client.get("/api/v1/organisations", HTTP_AUTHORIZATION="Bearer kmg_wrong")
    assert response.status_code == 401


def test_openapi_document_is_valid_and_lists_the_endpoints(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)  # raises on any deviation from the OpenAPI specification
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/organisations",
        "/api/v1/organisations/{slug}",
        "/api/v1/me",
    } <= set(document["paths"])
    assert "BearerToken" in document["components"]["securitySchemes"]


def test_interactive_docs_page_is_served_with_local_assets(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
