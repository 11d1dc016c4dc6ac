"""The Schulze method: a ranked-choice count that respects a Condorcet winner, ties kept as ties.

Pure Python, no Django: anybody can run it on a round's published ballots and get the same
order. See Markus Schulze, "A new monotonic, clone-independent, reversal symmetric, and
Condorcet-consistent single-winner election method" (2011).

A ballot ranks candidates from most to least preferred, in groups of equally ranked ones;
candidates a ballot does not mention rank together below all those it mentions.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Ranking = Sequence[Sequence[str]]  # groups, best first; each group holds equally ranked names


class BallotError(ValueError):
    """Input that cannot be counted. ``code`` and ``params`` let callers translate ``str()``."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Ballot:
    ranking: Ranking
    count: int = 1


@dataclass(frozen=True)
class Result:
    order: list[list[str]]  # groups from first to last, names sorted inside a group
    pairwise: dict[str, dict[str, int]]  # pairwise[a][b]: voters preferring a to b
    strongest_paths: dict[str, dict[str, int]]  # strength of the strongest path from a to b


def tally(candidates: Sequence[str], ballots: Iterable[Ballot]) -> Result:
    """Count ``ballots`` over ``candidates``; raises BallotError on input that cannot count.

    Identical ballots are counted once with their number; candidates are indices, so the
    pairwise count and the strongest paths work on lists of integers."""
    _check_candidates(candidates)
    index = {candidate: i for i, candidate in enumerate(candidates)}
    grouped: Counter[tuple[tuple[int, ...], ...]] = Counter()
    for ballot in ballots:
        grouped[_groups(ballot, index)] += ballot.count
    size = len(candidates)
    preferred = _pairwise(size, grouped)
    paths = _strongest_paths(size, preferred)
    return Result(
        order=[sorted(candidates[i] for i in group) for group in _order(size, paths)],
        pairwise=_named(candidates, preferred),
        strongest_paths=_named(candidates, paths),
    )


def _check_candidates(candidates: Sequence[str]) -> None:
    if not candidates:
        raise BallotError("no_candidates", "There are no candidates.")
    seen: set[str] = set()
    for candidate in candidates:
        if candidate in seen:
            raise BallotError(
                "duplicate_candidate",
                "The candidate %(candidate)s is listed twice.",
                candidate=candidate,
            )
        seen.add(candidate)


def _groups(ballot: Ballot, index: dict[str, int]) -> tuple[tuple[int, ...], ...]:
    """The ballot as groups of candidate indices, best first (sorted inside a group, so equal
    ballots compare equal); the candidates it leaves out make a last group."""
    if ballot.count < 1:
        raise BallotError(
            "bad_count", "A ballot's count must be 1 or more, not %(count)s.", count=ballot.count
        )
    get = index.get  # a ballot of 50 candidates is 50 look-ups: keep each one cheap
    groups = [
        (get(group[0], -1),) if len(group) == 1 else tuple(sorted(get(c, -1) for c in group))
        for group in ballot.ranking
        if group
    ]
    listed = [i for group in groups for i in group]
    if -1 in listed or len(set(listed)) != len(listed):
        _refuse(ballot, index)
    if len(listed) < len(index):
        seen = set(listed)
        groups.append(tuple(i for i in range(len(index)) if i not in seen))
    return tuple(groups)


def _refuse(ballot: Ballot, index: dict[str, int]) -> None:
    """Say what is wrong with a ballot: its first unknown or repeated candidate."""
    seen: set[str] = set()
    for group in ballot.ranking:
        for candidate in group:
            if candidate not in index:
                raise BallotError(
                    "unknown_candidate",
                    "A ballot ranks %(candidate)s, which is not a candidate.",
                    candidate=candidate,
                )
            if candidate in seen:
                raise BallotError(
                    "repeated_candidate",
                    "A ballot ranks %(candidate)s more than once.",
                    candidate=candidate,
                )
            seen.add(candidate)


def _pairwise(size: int, grouped: Counter[tuple[tuple[int, ...], ...]]) -> list[list[int]]:
    """``d[a][b]``: the voters who rank ``a`` above ``b``.

    Each candidate's row is one big integer made of fixed-width fields, one per opponent:
    a ballot adds its count times the mask of the candidates it ranks below ``a``, so a
    ballot costs one integer addition per candidate instead of one per pair."""
    width = max(sum(grouped.values()), 1).bit_length() + 1
    rows = [0] * size
    unit = [1 << (width * b) for b in range(size)]
    for groups, count in grouped.items():
        below = 0
        for group in reversed(groups):  # the mask of those below, from the last group up
            mask = below * count
            for a in group:
                rows[a] += mask
            for b in group:
                below += unit[b]
    field = (1 << width) - 1
    return [[(row >> (width * b)) & field for b in range(size)] for row in rows]


def _strongest_paths(size: int, d: list[list[int]]) -> list[list[int]]:
    """The widest path between every two candidates over the defeats (Floyd–Warshall)."""
    p = [[d[a][b] if a != b and d[a][b] > d[b][a] else 0 for b in range(size)] for a in range(size)]
    for via in range(size):
        through = p[via]
        for a in range(size):
            to_via = p[a][via]
            if a == via or not to_via:
                continue
            row = p[a]
            # max(row[b], min(to_via, through[b])), a row at a time
            p[a] = [
                old
                if old >= (new if new < to_via else to_via)
                else (new if new < to_via else to_via)
                for old, new in zip(row, through, strict=True)
            ]
    for a in range(size):  # a path never leads back to where it starts
        p[a][a] = 0
    return p


def _order(size: int, paths: list[list[int]]) -> list[list[int]]:
    """Peel off, again and again, the candidates that no remaining candidate beats."""
    remaining = list(range(size))
    order = []
    while remaining:
        unbeaten = [
            a for a in remaining if not any(paths[b][a] > paths[a][b] for b in remaining if b != a)
        ]
        order.append(unbeaten)
        left = set(unbeaten)
        remaining = [c for c in remaining if c not in left]
    return order


def _named(candidates: Sequence[str], matrix: list[list[int]]) -> dict[str, dict[str, int]]:
    return {
        a: {b: matrix[i][j] for j, b in enumerate(candidates) if j != i}
        for i, a in enumerate(candidates)
    }
