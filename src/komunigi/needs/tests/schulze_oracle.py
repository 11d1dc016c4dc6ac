"""The Schulze count as it was before it worked on index arrays: the reference the new count is
checked against on random elections. Cubic in ballots × candidates²; tests only."""

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
    """Count ``ballots`` over ``candidates``; raises BallotError on input that cannot count."""
    _check_candidates(candidates)
    known = set(candidates)
    pairwise = {a: {b: 0 for b in candidates if b != a} for a in candidates}
    for ballot in ballots:
        position = _positions(ballot, known)
        for a in candidates:
            for b in candidates:
                if a != b and position[a] < position[b]:
                    pairwise[a][b] += ballot.count
    paths = strongest_paths(candidates, pairwise)
    return Result(order=_order(candidates, paths), pairwise=pairwise, strongest_paths=paths)


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


def _positions(ballot: Ballot, known: set[str]) -> dict[str, int]:
    """Each candidate's place on the ballot: 0 for the first group; unlisted ones come last."""
    if ballot.count < 1:
        raise BallotError(
            "bad_count", "A ballot's count must be 1 or more, not %(count)s.", count=ballot.count
        )
    position: dict[str, int] = {}
    for place, group in enumerate(ballot.ranking):
        for candidate in group:
            if candidate not in known:
                raise BallotError(
                    "unknown_candidate",
                    "A ballot ranks %(candidate)s, which is not a candidate.",
                    candidate=candidate,
                )
            if candidate in position:
                raise BallotError(
                    "repeated_candidate",
                    "A ballot ranks %(candidate)s more than once.",
                    candidate=candidate,
                )
            position[candidate] = place
    unlisted = len(ballot.ranking)
    return {candidate: position.get(candidate, unlisted) for candidate in known}


def strongest_paths(
    candidates: Sequence[str], pairwise: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """The widest path between every two candidates over the defeats (Floyd–Warshall)."""
    paths = {
        a: {b: pairwise[a][b] if pairwise[a][b] > pairwise[b][a] else 0 for b in pairwise[a]}
        for a in candidates
    }
    for via in candidates:
        for a in candidates:
            if a == via:
                continue
            for b in candidates:
                if b in (a, via):
                    continue
                paths[a][b] = max(paths[a][b], min(paths[a][via], paths[via][b]))
    return paths


def _order(candidates: Sequence[str], paths: dict[str, dict[str, int]]) -> list[list[str]]:
    """Peel off, again and again, the candidates that no remaining candidate beats."""
    remaining = list(candidates)
    order = []
    while remaining:
        unbeaten = [
            a for a in remaining if not any(paths[b][a] > paths[a][b] for b in remaining if b != a)
        ]
        order.append(sorted(unbeaten))
        remaining = [c for c in remaining if c not in unbeaten]
    return order
