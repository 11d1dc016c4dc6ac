"""The Schulze count on a published example and on properties any correct count has."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from komunigi.needs.schulze import Ballot, BallotError, tally

CANDIDATES = ["A", "B", "C", "D", "E"]


def ballots_from(spec: list[tuple[int, str]]) -> list[Ballot]:
    return [Ballot([[c] for c in ranking], count) for count, ranking in spec]


# The 45-voter example of Schulze's method on Wikipedia (and in Schulze 2011, section 3.1).
WIKIPEDIA = ballots_from(
    [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]
)


def test_published_example_order() -> None:
    assert tally(CANDIDATES, WIKIPEDIA).order == [["E"], ["A"], ["C"], ["B"], ["D"]]


def test_published_example_pairwise_preferences() -> None:
    d = tally(CANDIDATES, WIKIPEDIA).pairwise
    assert [[d[a].get(b) for b in CANDIDATES] for a in CANDIDATES] == [
        [None, 20, 26, 30, 22],
        [25, None, 16, 33, 18],
        [19, 29, None, 17, 24],
        [15, 12, 28, None, 14],
        [23, 27, 21, 31, None],
    ]


def test_published_example_strongest_paths() -> None:
    p = tally(CANDIDATES, WIKIPEDIA).strongest_paths
    assert [[p[a].get(b) for b in CANDIDATES] for a in CANDIDATES] == [
        [None, 28, 28, 30, 24],
        [25, None, 28, 33, 24],
        [25, 29, None, 29, 24],
        [25, 28, 28, None, 24],
        [25, 28, 28, 31, None],
    ]


def test_a_condorcet_cycle_of_equal_strength_is_a_three_way_tie() -> None:
    cycle = [Ballot([["A"], ["B"], ["C"]]), Ballot([["B"], ["C"], ["A"]])]
    cycle.append(Ballot([["C"], ["A"], ["B"]]))
    result = tally(["A", "B", "C"], cycle)
    assert result.order == [["A", "B", "C"]]
    assert {result.strongest_paths[a][b] for a in "ABC" for b in "ABC" if a != b} == {2}


def test_ties_are_kept_as_ties() -> None:
    result = tally(["A", "B", "C"], [Ballot([["A"], ["B"]]), Ballot([["B"], ["A"]])])
    assert result.order == [["A", "B"], ["C"]]


def test_a_group_ranks_its_members_equal_and_unlisted_candidates_last() -> None:
    result = tally(["A", "B", "C", "D"], [Ballot([["B", "C"]], count=3)])
    assert result.order == [["B", "C"], ["A", "D"]]
    assert result.pairwise["B"] == {"A": 3, "C": 0, "D": 3}


def test_no_ballot_ties_everybody() -> None:
    assert tally(["B", "A"], []).order == [["A", "B"]]


@pytest.mark.parametrize(
    ("candidates", "ballots", "code", "message"),
    [
        ([], [], "no_candidates", "There are no candidates."),
        (["A", "A"], [], "duplicate_candidate", "The candidate A is listed twice."),
        (
            ["A"],
            [Ballot([["Z"]])],
            "unknown_candidate",
            "A ballot ranks Z, which is not a candidate.",
        ),
        (
            ["A", "B"],
            [Ballot([["A"], ["A"]])],
            "repeated_candidate",
            "A ballot ranks A more than once.",
        ),
        (
            ["A"],
            [Ballot([["A"]], count=0)],
            "bad_count",
            "A ballot's count must be 1 or more, not 0.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    candidates: list[str], ballots: list[Ballot], code: str, message: str
) -> None:
    with pytest.raises(BallotError) as raised:
        tally(candidates, ballots)
    assert (raised.value.code, str(raised.value)) == (code, message)


# --- properties -------------------------------------------------------------------------------

names = st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=7, unique=True)


@st.composite
def elections(draw: st.DrawFn) -> tuple[list[str], list[Ballot]]:
    candidates = draw(names)
    ballots = []
    for _ in range(draw(st.integers(0, 12))):
        ranked = draw(st.permutations(candidates))
        listed = ranked[: draw(st.integers(0, len(ranked)))]
        groups: list[list[str]] = []
        for candidate in listed:
            if groups and draw(st.booleans()):
                groups[-1].append(candidate)  # tied with the previous one
            else:
                groups.append([candidate])
        ballots.append(Ballot(groups, draw(st.integers(1, 5))))
    return candidates, ballots


@settings(max_examples=300)
@given(elections())
def test_every_candidate_is_placed_exactly_once(election: tuple[list[str], list[Ballot]]) -> None:
    candidates, ballots = election
    order = tally(candidates, ballots).order
    assert sorted(c for group in order for c in group) == sorted(candidates)
    assert all(group == sorted(group) for group in order)


@settings(max_examples=300)
@given(elections(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_of_candidates_or_ballots(
    election: tuple[list[str], list[Ballot]], random: object
) -> None:
    candidates, ballots = election
    shuffled_candidates = list(candidates)
    shuffled_ballots = list(ballots)
    random.shuffle(shuffled_candidates)  # type: ignore[attr-defined]
    random.shuffle(shuffled_ballots)  # type: ignore[attr-defined]
    assert tally(shuffled_candidates, shuffled_ballots) == tally(candidates, ballots)


@settings(max_examples=300)
@given(elections())
def test_a_condorcet_winner_always_wins(election: tuple[list[str], list[Ballot]]) -> None:
    candidates, ballots = election
    result = tally(candidates, ballots)
    d = result.pairwise
    winners = [w for w in candidates if all(d[w][x] > d[x][w] for x in candidates if x != w)]
    if winners:
        assert result.order[0] == winners


@settings(max_examples=300)
@given(elections())
def test_an_earlier_group_never_loses_to_a_later_one(
    election: tuple[list[str], list[Ballot]],
) -> None:
    candidates, ballots = election
    result = tally(candidates, ballots)
    p = result.strongest_paths
    for i, group in enumerate(result.order):
        for later in result.order[i + 1 :]:
            for a in group:
                for b in later:
                    assert p[a][b] >= p[b][a]


@settings(max_examples=200)
@given(elections())
def test_doubling_every_ballot_changes_no_order(
    election: tuple[list[str], list[Ballot]],
) -> None:
    candidates, ballots = election
    doubled = [Ballot(b.ranking, b.count * 2) for b in ballots]
    assert tally(candidates, doubled).order == tally(candidates, ballots).order
