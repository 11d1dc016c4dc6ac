"""A closed round's pairwise preferences drawn as a graded grid: the numbers of its table, in the
order of the result, each place outlined against the next."""

import pytest
from django.test import Client

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.needs import rounds
from komunigi.needs.models import Need, PriorityRound
from komunigi.needs.tests.factories import NeedFactory, PriorityRoundFactory
from komunigi.web.tests.chart_support import (
    Chart,
    assert_chart_shows_its_table,
    charts_in,
    grid_cells,
    grid_path,
    text,
)

pytestmark = pytest.mark.django_db


def closed_round(facilitator: User, needs: list[Need], ballots: list[list[Need]]) -> PriorityRound:
    """A round over ``needs``, each of ``ballots`` (needs best first) cast by a supermarket."""
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set(needs)
    for ranking in ballots:
        supermarket = OrganisationFactory()
        voter = MembershipFactory(organisation=supermarket, role=Role.REPRESENTATIVE).user
        rounds.cast_ballot(
            priority_round, supermarket, actor=voter, ranking=[[need.pk] for need in ranking]
        )
    return rounds.close_round(priority_round, actor=facilitator)


def the_grid(priority_round: PriorityRound, user: User) -> Chart:
    client = Client()
    client.force_login(user)
    html = client.get(f"/en/priorities/{priority_round.pk}/").content.decode()
    (chart,) = charts_in(html)
    return chart


def test_the_grid_shows_the_pairwise_matrix_in_the_order_of_the_result(
    facilitator: User, representative: User
) -> None:
    a, b, c = NeedFactory.create_batch(3)
    # A beats B 4 to 2, B beats C 5 to 1, A and C tie 3 to 3: A, B, C, without a need that
    # beats every other directly.
    ballots = [[a, b, c]] * 3 + [[b, c, a]] * 2 + [[c, a, b]]
    chart = the_grid(closed_round(facilitator, [c, b, a], ballots), representative)
    assert_chart_shows_its_table(chart, "en")
    written = {key: text(cell) for key, cell in grid_cells(chart).items()}
    ref = {need: need.reference for need in (a, b, c)}
    assert written == {
        (ref[a], ref[a]): "",
        (ref[a], ref[b]): "4",
        (ref[a], ref[c]): "3",
        (ref[b], ref[a]): "2",
        (ref[b], ref[b]): "",
        (ref[b], ref[c]): "5",
        (ref[c], ref[a]): "3",
        (ref[c], ref[b]): "1",
        (ref[c], ref[c]): "",
    }
    grades = {key: cell.get("data-grade") for key, cell in grid_cells(chart).items()}
    # Fifths of the 6 ballots: 4 is 3, 3 is 2 (exactly half), 2 is 1, 5 is 4, 1 is 0.
    assert [grades[ref[a], ref[b]], grades[ref[a], ref[c]], grades[ref[b], ref[c]]] == [
        "3",
        "2",
        "4",
    ]
    assert [grades[ref[b], ref[a]], grades[ref[c], ref[b]]] == ["1", "0"]
    assert grid_path(chart) == [(ref[a], ref[b]), (ref[b], ref[c])]
    assert chart.title == "How many ballots prefer each need to each other"
    assert chart.summary == (
        "How many of the 6 ballots prefer the need of each row to the need of each column, "
        "the needs in the order of the result: the darker a cell, the more ballots. "
        "The outlined cells set each place against the next one."
    )


def test_tied_places_are_each_set_against_the_next_and_a_condorcet_winner_is_said(
    facilitator: User, representative: User
) -> None:
    a, b, c = NeedFactory.create_batch(3)
    ballots = [[a, b, c]] * 2 + [[a, c, b]] * 2  # B and C tie below A
    chart = the_grid(closed_round(facilitator, [a, b, c], ballots), representative)
    assert_chart_shows_its_table(chart, "en")
    assert grid_path(chart) == [(a.reference, b.reference), (a.reference, c.reference)]
    assert chart.summary.endswith(
        f"{a.title}, first, is preferred to each other need by more ballots than prefer the other."
    )


def test_a_round_closed_without_ballots_draws_an_ungraded_grid(
    facilitator: User, representative: User
) -> None:
    a, b = NeedFactory.create_batch(2)
    chart = the_grid(closed_round(facilitator, [a, b], []), representative)
    assert_chart_shows_its_table(chart, "en")
    assert {cell.get("data-grade") for cell in grid_cells(chart).values()} == {"0", None}
    assert chart.summary.startswith("How many of the 0 ballots prefer")
