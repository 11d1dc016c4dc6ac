import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from komunigi.community.models import Role, User
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.needs import rounds
from komunigi.needs.tests.factories import (
    InterestFactory,
    NeedFactory,
    PriorityRoundFactory,
    QuoteFactory,
)

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_needs_list_filters_by_status_tag_and_organisation(client: Client) -> None:
    bees = OrganisationFactory(slug="bees")
    shifts = NeedFactory(organisation=bees, status="open")
    shifts.tags.create(name="Shifts", slug="shifts")
    labels = NeedFactory(status="quoted")
    NeedFactory(status="draft", organisation=bees)
    assert sorted(ids(client.get("/api/v1/needs"))) == sorted([shifts.pk, labels.pk])
    assert ids(client.get("/api/v1/needs?status=quoted")) == [labels.pk]
    assert ids(client.get("/api/v1/needs?tag=shifts")) == [shifts.pk]
    assert ids(client.get("/api/v1/needs?organisation=bees")) == [shifts.pk]
    assert client.get("/api/v1/needs?status=dreaming").status_code == 422


def test_needs_list_is_paginated(client: Client) -> None:
    NeedFactory.create_batch(3)
    page = client.get("/api/v1/needs?page=2&page_size=2").json()
    assert (page["count"], len(page["items"])) == (3, 1)


def test_drafts_are_listed_to_their_organisation_with_a_token(representative: User) -> None:
    draft = NeedFactory(status="draft", organisation=representative.memberships.get().organisation)
    _, raw = create_api_token(representative, name="script")
    client = Client()
    assert ids(client.get("/api/v1/needs", HTTP_AUTHORIZATION=f"Bearer {raw}")) == [draft.pk]
    assert client.get(f"/api/v1/needs/{draft.pk}").status_code == 404


def test_need_detail_has_interest_quotes_and_sanitised_html(client: Client) -> None:
    need = NeedFactory(problem="**Slow** <script>x</script>")
    InterestFactory(need=need, organisation=OrganisationFactory(slug="bees"), priority="must")
    QuoteFactory(need=need, provider=OrganisationFactory(slug="cie", kind="provider"))
    data = client.get(f"/api/v1/needs/{need.pk}").json()
    assert data["problem_html"] == "<p><strong>Slow</strong> </p>"
    assert data["interests"] == [{"organisation": "bees", "priority": "must", "comment": ""}]
    assert data["interested_supermarkets"] == 1
    assert [(q["provider"], q["amount"], q["status"]) for q in data["quotes"]] == [
        ("cie", "1000.00", "proposed")
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_needs_list_runs_a_bounded_number_of_queries(
    client: Client, django_assert_num_queries, count: int
) -> None:
    for need in NeedFactory.create_batch(count):
        need.tags.create(name=f"t{need.pk}", slug=f"t{need.pk}")
    with django_assert_num_queries(3):  # count, page, tags
        client.get("/api/v1/needs")


def test_round_shows_ballots_and_result_only_once_closed(facilitator: User) -> None:
    a, b = NeedFactory(), NeedFactory()
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set([a, b])
    bees = OrganisationFactory()
    voter = MembershipFactory(organisation=bees, role=Role.REPRESENTATIVE).user
    rounds.cast_ballot(priority_round, bees, actor=voter, ranking=[[b.pk], [a.pk]])
    client = Client()
    open_view = client.get(f"/api/v1/priority-rounds/{priority_round.pk}").json()
    assert (open_view["ballot_count"], open_view["ballots"], open_view["result"]) == (1, None, None)
    rounds.close_round(priority_round, actor=facilitator)
    closed = client.get(f"/api/v1/priority-rounds/{priority_round.pk}").json()
    assert closed["ballots"] == [{"ranking": [[b.pk], [a.pk]], "count": 1}]
    assert closed["result"]["order"] == [[b.pk], [a.pk]]


def tally(client: Client, payload: dict) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/tally/schulze",
        json.dumps(payload),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    return response.status_code, response.json()


def test_public_tally_recounts_an_election(client: Client) -> None:
    status, body = tally(
        client,
        {
            "candidates": ["A", "B", "C", "D", "E"],
            "ballots": [
                {"ranking": list("ACBED"), "count": 5},
                {"ranking": list("ADECB"), "count": 5},
                {"ranking": list("BEDAC"), "count": 8},
                {"ranking": list("CABED"), "count": 3},
                {"ranking": list("CAEBD"), "count": 7},
                {"ranking": list("CBADE"), "count": 2},
                {"ranking": list("DCEBA"), "count": 7},
                {"ranking": list("EBADC"), "count": 8},
            ],
        },
    )
    assert status == 200
    assert body["order"] == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert body["pairwise"]["A"]["B"] == 20
    assert body["strongest_paths"]["E"]["D"] == 31


def test_public_tally_keeps_ties_groups_and_default_counts(client: Client) -> None:
    status, body = tally(
        client,
        {"candidates": ["A", "B", "C", "D"], "ballots": [{"ranking": ["A", ["B", "C"]]}]},
    )
    assert (status, body["order"]) == (200, [["A"], ["B", "C"], ["D"]])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"candidates": ["A"], "ballots": [{"ranking": ["Z"]}]}, "Z, which is not a candidate"),
        ({"candidates": ["A", "B"], "ballots": [{"ranking": ["A", ["A"]]}]}, "A more than once"),
        ({"candidates": [], "ballots": []}, "There are no candidates."),
        ({"candidates": ["A", "A"], "ballots": []}, "The candidate A is listed twice."),
        ({"candidates": ["A"], "ballots": [{"ranking": ["A"], "count": 0}]}, "1 or more, not 0"),
    ],
)
def test_public_tally_names_the_problem_with_422(
    client: Client, payload: dict, message: str
) -> None:
    status, body = tally(client, payload)
    assert status == 422
    assert message in body["detail"]


def test_the_document_says_what_the_tally_refuses(client: Client) -> None:
    """The rules the count refuses in the caller's words are in the document too."""
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    candidates = schemas["TallyIn"]["properties"]["candidates"]
    assert (candidates["minItems"], candidates["uniqueItems"]) == (1, True)
    assert schemas["TallyBallotIn"]["properties"]["count"]["minimum"] == 1


def test_openapi_document_stays_valid_with_the_needs_endpoints(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    assert {"/api/v1/needs", "/api/v1/needs/{need_id}", "/api/v1/priority-rounds/{round_id}",
            "/api/v1/tally/schulze"} <= set(document["paths"])  # fmt: skip


def test_public_tally_refuses_oversized_elections(client: Client) -> None:
    many = [f"c{n}" for n in range(101)]
    status, body = tally(client, {"candidates": many, "ballots": []})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "payload", "candidates"]


def test_public_tally_is_rate_limited_per_network(client: Client, monkeypatch) -> None:
    from komunigi.needs import api

    monkeypatch.setattr(api, "TALLIES_PER_CLIENT_PER_HOUR", 2)
    payload = {"candidates": ["A"], "ballots": []}
    assert [tally(client, payload)[0] for _ in range(3)] == [200, 200, 429]
