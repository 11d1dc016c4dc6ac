"""POST /api/v1/funding/simulate: the split engine for scripts."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from openapi_spec_validator import validate

URL = "/api/v1/funding/simulate"


def simulate(client: Client, payload: dict, language: str = "en") -> tuple[int, dict]:
    response = client.post(
        URL, json.dumps(payload), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    return response.status_code, response.json()


def test_simulate_splits_equally_with_amounts_as_strings_of_two_decimals(client: Client) -> None:
    status, body = simulate(
        client,
        {"total": "300", "participants": [{"key": k} for k in ("bees", "bloum", "lenid", "gasap")]},
    )
    assert status == 200
    assert body == {
        "to_raise": "300.00",
        "overhead": "0.00",
        "fundable": True,
        "shortfall": "0.00",
        "shares": [
            {"key": "bees", "amount": "75.00"},
            {"key": "bloum", "amount": "75.00"},
            {"key": "lenid", "amount": "75.00"},
            {"key": "gasap", "amount": "75.00"},
        ],
        "curve": [
            {"participants": n, "share": share}
            for n, share in [
                (1, "300.00"),
                (2, "150.00"),
                (3, "100.00"),
                (4, "75.00"),
                (5, "60.00"),
                (6, "50.00"),
                (7, "42.86"),
                (8, "37.50"),
                (9, "33.33"),
            ]
        ],
    }


def test_simulate_applies_contributions_overhead_weights_and_caps(client: Client) -> None:
    status, body = simulate(
        client,
        {
            "total": "1000.00",
            "provider_contribution": "100.00",
            "community_contribution": "0",
            "overhead_rate": "0.05",
            "participants": [
                {"key": "small", "weight": "1", "cap": "100.00"},
                {"key": "large", "weight": "3", "cap": None},
                {"key": "middle", "weight": "2"},
            ],
        },
    )
    assert status == 200
    # (1000 − 100) × 1.05 = 945; 157.50 per unit of weight caps "small" at 100; the other
    # 845 go 3 : 2.
    assert (body["to_raise"], body["overhead"]) == ("945.00", "45.00")
    assert body["shares"] == [
        {"key": "small", "amount": "100.00"},
        {"key": "large", "amount": "507.00"},
        {"key": "middle", "amount": "338.00"},
    ]
    assert sum(Decimal(s["amount"]) for s in body["shares"]) == Decimal(body["to_raise"])


def test_simulate_reports_the_shortfall_when_caps_cannot_cover(client: Client) -> None:
    status, body = simulate(
        client,
        {
            "total": "400.00",
            "participants": [{"key": "a", "cap": "150.00"}, {"key": "b", "cap": "200"}],
        },
    )
    assert status == 200
    assert (body["fundable"], body["shortfall"], body["shares"]) == (False, "50.00", [])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"total": "abc"}, "total", "“abc” is not a number."),
        ({"total": "-5"}, "total", "An amount cannot be negative."),
        ({"total": "12.345"}, "total", "At most 2 decimals."),
        ({"provider_contribution": "1e400"}, "provider_contribution", "At most €9,999,999,999.99."),
        ({"overhead_rate": "1"}, "overhead_rate", "A rate from 0 to less than 1"),
        ({"overhead_rate": "0.12345"}, "overhead_rate", "At most 4 decimals."),
        ({"participants": []}, "participants", "Add at least one participant."),
        (
            {"participants": [{"key": "a"}, {"key": "b", "weight": "0"}]},
            "participants[1].weight",
            "A weight must be more than 0.",
        ),
        (
            {"participants": [{"key": "a"}, {"key": "a"}]},
            "participants[1].key",
            "“a” is already among the participants.",
        ),
        (
            {"participants": [{"key": "a", "cap": "-1"}]},
            "participants[0].cap",
            "An amount cannot be negative.",
        ),
        (
            {"provider_contribution": "250", "community_contribution": "100"},
            "provider_contribution",
            "The contributions (€350.00) are larger than the total (€300.00).",
        ),
    ],
)
def test_simulate_refuses_bad_input_naming_the_field(
    client: Client, change: dict, field: str, message: str
) -> None:
    payload = {"total": "300", "participants": [{"key": "a"}, {"key": "b"}], **change}
    status, body = simulate(client, payload)
    assert status == 422
    assert body["field"] == field
    assert body["detail"].startswith(f"{field}: {message}")


def test_simulate_speaks_the_clients_language(client: Client) -> None:
    status, body = simulate(client, {"total": "-1", "participants": [{"key": "a"}]}, "fr")
    assert (status, body["detail"]) == (422, "total: Un montant ne peut pas être négatif.")


def test_simulate_refuses_amounts_sent_as_json_numbers(client: Client) -> None:
    """Floats lose cents: amounts travel as strings."""
    status, body = simulate(client, {"total": 300.1, "participants": [{"key": "a"}]})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "payload", "total"]


def test_openapi_document_describes_the_simulation(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    operation = document["paths"][URL]["post"]
    assert set(operation["responses"]) == {"200", "422"}


@pytest.mark.parametrize(
    ("body", "detail"),
    [({"total": "", "participants": [{"key": "a"}]}, "total: Ce champ est obligatoire."),
     ({"total": "100", "participants": []}, "participants: Ajoutez au moins un participant.")],
)  # fmt: skip
def test_what_the_document_refuses_the_api_refuses_in_the_callers_words(
    client: Client, body: dict, detail: str
) -> None:
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["SimulationIn"]
    assert schema["properties"]["total"]["minLength"] == 1
    assert schema["properties"]["participants"]["minItems"] == 1
    answer = client.post(URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 422
    assert answer.json()["detail"] == detail
