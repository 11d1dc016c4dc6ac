"""The decision rules, counted by the pure tally module."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from komunigi.meetings.tally import (
    APPROVED,
    BLOCKED,
    CONSENT,
    MAJORITY,
    NO_QUORUM,
    NO_VOTES,
    REJECTED,
    TWO_THIRDS,
    Ballot,
    quorum_reached,
    tally,
)


def ballots(*choices: str) -> list[Ballot]:
    return [Ballot(f"coop {n}", choice) for n, choice in enumerate(choices)]


@pytest.mark.parametrize(
    ("choices", "result"),
    [
        (["yes", "yes", "no"], APPROVED),
        (["yes", "no"], REJECTED),  # a tie is no majority
        (["yes", "no", "no"], REJECTED),
        (["yes", "abstain", "abstain", "abstain"], APPROVED),  # abstentions are not votes cast
        (["abstain", "abstain"], NO_VOTES),
    ],
)
def test_simple_majority_of_the_votes_cast(choices: list[str], result: str) -> None:
    assert tally(MAJORITY, ballots(*choices), quorum=True).result == result


@pytest.mark.parametrize(
    ("choices", "result"),
    [
        (["yes", "yes", "no"], APPROVED),  # exactly two thirds
        (["yes", "yes", "yes", "no", "no"], REJECTED),  # 60 %
        (["yes", "yes", "no", "abstain"], APPROVED),
    ],
)
def test_two_thirds_of_the_votes_cast(choices: list[str], result: str) -> None:
    assert tally(TWO_THIRDS, ballots(*choices), quorum=True).result == result


def test_consent_passes_without_objection_even_with_people_standing_aside() -> None:
    outcome = tally(CONSENT, ballots("agree", "stand_aside", "agree"), quorum=True)
    assert (outcome.result, outcome.counts) == (
        APPROVED,
        {"agree": 2, "stand_aside": 1, "object": 0},
    )


def test_any_objection_blocks_consent_and_names_who_objected() -> None:
    votes = [Ballot("BEES coop", "agree"), Ballot("Le NID", "object"), Ballot("Bloum", "object")]
    outcome = tally(CONSENT, votes, quorum=True)
    assert (outcome.result, outcome.objectors) == (BLOCKED, ["Bloum", "Le NID"])


def test_without_quorum_there_is_no_decision_whatever_the_votes() -> None:
    outcome = tally(MAJORITY, ballots("yes", "yes", "yes"), quorum=False)
    assert (outcome.result, outcome.counts) == (NO_QUORUM, {"yes": 3, "no": 0, "abstain": 0})


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one ballot per voter"):
        tally(MAJORITY, [Ballot("a", "yes"), Ballot("a", "no")], quorum=True)
    with pytest.raises(ValueError, match="not allowed"):
        tally(MAJORITY, [Ballot("a", "object")], quorum=True)


@pytest.mark.parametrize(
    ("represented", "members", "reached"),
    [(5, 10, True), (4, 10, False), (6, 11, True), (5, 11, False), (0, 0, False)],
)
def test_quorum_is_half_of_the_member_supermarkets_by_default(
    represented: int, members: int, reached: bool
) -> None:
    assert quorum_reached(represented, members, Fraction(1, 2)) is reached


@given(st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=30))
def test_two_thirds_never_passes_what_a_majority_rejects(choices: list[str]) -> None:
    votes = ballots(*choices)
    if tally(TWO_THIRDS, votes, quorum=True).result == APPROVED:
        assert tally(MAJORITY, votes, quorum=True).result == APPROVED


@given(st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=30))
def test_counts_add_up_to_the_ballots(choices: list[str]) -> None:
    outcome = tally(MAJORITY, ballots(*choices), quorum=True)
    assert sum(outcome.counts.values()) == len(choices)
