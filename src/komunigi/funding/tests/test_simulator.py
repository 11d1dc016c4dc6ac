"""The public split simulator page, with and without JavaScript."""

import re

import pytest
from django.test import Client

URL = "/en/co-financing/simulator/"
pytestmark = pytest.mark.django_db


def rows(*participants: tuple[str, str, str]) -> dict[str, str]:
    data = {"p-TOTAL_FORMS": str(len(participants)), "p-INITIAL_FORMS": "0"}
    for index, (name, weight, cap) in enumerate(participants):
        data |= {f"p-{index}-name": name, f"p-{index}-weight": weight, f"p-{index}-cap": cap}
    return data


def shares(html: str) -> list[tuple[str, str]]:
    table = html[html.index('<table class="shares">') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row">([^<]+)</th><td class="amount">([^<]+)</td>', table)


def test_simulator_opens_on_the_decks_example(client: Client) -> None:
    html = client.get(URL).content.decode()
    assert shares(html) == [
        ("BEES coop", "€75.00"),
        ("BLOUM Coop", "€75.00"),
        ("Le NID", "€75.00"),
        ("Coopéco", "€75.00"),
    ]
    # The curve's table: today's four supermarkets, 75 € each.
    assert (
        '<tr class="current"><th scope="row">4 supermarkets</th>'
        '<td class="amount" data-series="share">€75.00</td></tr>'
    ) in html


def test_simulator_recomputes_on_a_plain_post(client: Client) -> None:
    response = client.post(
        URL,
        {
            "total": "1 000,00",
            "provider_contribution": "100",
            "community_contribution": "",
            "overhead": "5",
            **rows(
                ("BEES coop", "1", "100"), ("Bloum", "3", ""), ("Le NID", "2", ""), ("", "", "")
            ),
        },
    )
    html = response.content.decode()
    assert "<title>Split simulator" in html  # the whole page, the form kept as typed
    assert 'value="1 000,00"' in html
    assert shares(html) == [("BEES coop", "€100.00"), ("Bloum", "€507.00"), ("Le NID", "€338.00")]
    assert "To raise from the supermarkets: <strong>€945.00</strong>" in html


def test_simulator_answers_htmx_with_the_results_only(client: Client) -> None:
    response = client.post(
        URL,
        {"total": "300", "overhead": "0", **rows(("A", "1", ""), ("B", "2", ""))},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="simulation"')
    assert shares(html) == [("A", "€100.00"), ("B", "€200.00")]


def test_simulator_says_when_caps_leave_the_cost_uncovered(client: Client) -> None:
    html = client.post(
        URL, {"total": "300", **rows(("A", "1", "100"), ("B", "1", "150"))}
    ).content.decode()
    assert "Not fundable: the supermarkets' limits leave €50.00 uncovered." in html
    assert '<table class="shares">' not in html


def test_simulator_marks_bad_input_where_it_was_typed_and_keeps_it(client: Client) -> None:
    html = client.post(
        URL,
        {"total": "trois cents", "overhead": "150", **rows(("A", "0", ""), ("B", "1", "x"))},
    ).content.decode()
    assert "“trois cents” is not a number." in html
    assert 'value="trois cents"' in html
    assert "Pays at most, row 2: “x” is not a number." in html
    assert '<table class="shares">' not in html


def test_simulator_refuses_a_zero_weight_and_a_duplicate_name(client: Client) -> None:
    zero = client.post(URL, {"total": "300", **rows(("A", "0", ""), ("B", "1", ""))})
    assert "Weight, row 1: A weight must be more than 0." in zero.content.decode()
    twice = client.post(URL, {"total": "300", **rows(("A", "1", ""), ("A", "1", ""))})
    assert "Supermarket, row 2: “A” is already among the participants." in twice.content.decode()


def test_simulator_words_the_overhead_in_percent(client: Client) -> None:
    html = client.post(URL, {"total": "300", "overhead": "100", **rows(("A", "1", ""))})
    assert "Overhead for the community (%): From 0 to less than 100." in html.content.decode()


def test_simulator_adds_a_row_without_javascript(client: Client) -> None:
    html = client.post(
        URL, {"total": "300", "add": "1", **rows(("A", "1", ""), ("B", "1", ""))}
    ).content.decode()
    assert 'name="p-2-name"' in html
    assert 'name="p-TOTAL_FORMS" value="3"' in html
    assert shares(html) == [("A", "€150.00"), ("B", "€150.00")]


def test_simulator_is_in_french_by_default(client: Client) -> None:
    html = client.get("/co-financing/simulator/").content.decode()
    assert '<html lang="fr">' in html
    assert "75,00\xa0€" in html
