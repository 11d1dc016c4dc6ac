"""The Schulze count on index arrays gives exactly what the former count gave (kept as the
oracle), on random elections with ties, partial ballots and repeated ballots."""

from hypothesis import given, settings
from hypothesis import strategies as st

from komunigi.needs import schulze
from komunigi.needs.tests import schulze_oracle as oracle


@st.composite
def elections(draw: st.DrawFn) -> tuple[list[str], list[tuple[list[list[str]], int]]]:
    candidates = draw(
        st.lists(st.sampled_from("ABCDEFGHIJKL"), min_size=1, max_size=8, unique=True)
    )
    ballots = []
    for _ in range(draw(st.integers(0, 25))):
        ranked = draw(st.permutations(candidates))
        kept = ranked[: draw(st.integers(0, len(ranked)))]  # a ballot may leave some out
        groups: list[list[str]] = []
        for name in kept:
            if groups and draw(st.booleans()) and draw(st.booleans()):
                groups[-1].append(name)  # tied with the one before
            else:
                groups.append([name])
        ballots.append((groups, draw(st.integers(1, 4))))
    return candidates, ballots


@settings(max_examples=300, deadline=None)
@given(elections())
def test_the_count_is_the_former_one(election: tuple) -> None:
    candidates, ballots = election
    new = schulze.tally(candidates, [schulze.Ballot(r, c) for r, c in ballots])
    old = oracle.tally(candidates, [oracle.Ballot(r, c) for r, c in ballots])
    assert (new.order, new.pairwise, new.strongest_paths) == (
        old.order,
        old.pairwise,
        old.strongest_paths,
    )
