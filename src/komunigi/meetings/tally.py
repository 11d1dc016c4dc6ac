"""How a decision is counted (DESIGN.md §3). Pure: no Django, any meeting can check it.

- majority: approved when "yes" outnumbers "no" among the votes cast (abstentions are not
  votes cast);
- two_thirds: approved when "yes" is at least two thirds of the votes cast;
- consent: approved when nobody objects ("stand aside" is no objection); any objection blocks.
Without quorum there is no decision at all, whatever the ballots say.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

MAJORITY = "majority"
TWO_THIRDS = "two_thirds"
CONSENT = "consent"

YES, NO, ABSTAIN = "yes", "no", "abstain"
AGREE, STAND_ASIDE, OBJECT = "agree", "stand_aside", "object"

CHOICES = {
    MAJORITY: (YES, NO, ABSTAIN),
    TWO_THIRDS: (YES, NO, ABSTAIN),
    CONSENT: (AGREE, STAND_ASIDE, OBJECT),
}

APPROVED = "approved"
REJECTED = "rejected"
BLOCKED = "blocked"
NO_QUORUM = "no_quorum"
NO_VOTES = "no_votes"


@dataclass(frozen=True)
class Ballot:
    voter: str  # the supermarket, one ballot each
    choice: str


@dataclass(frozen=True)
class Outcome:
    result: str
    counts: dict[str, int]
    objectors: list[str] = field(default_factory=list)

    @property
    def approved(self) -> bool:
        return self.result == APPROVED


def tally(rule: str, ballots: Iterable[Ballot], *, quorum: bool) -> Outcome:
    """Count one decision's ballots under ``rule``; ``quorum`` says whether it was reached."""
    if rule not in CHOICES:
        raise ValueError(f"unknown rule {rule!r}")
    ballots = list(ballots)
    voters = [b.voter for b in ballots]
    if len(set(voters)) != len(voters):
        raise ValueError("one ballot per voter")
    unknown = {b.choice for b in ballots} - set(CHOICES[rule])
    if unknown:
        raise ValueError(f"choices not allowed by {rule}: {sorted(unknown)}")
    counted = Counter(b.choice for b in ballots)
    counts = {choice: counted.get(choice, 0) for choice in CHOICES[rule]}
    objectors = sorted(b.voter for b in ballots if b.choice == OBJECT)
    if not quorum:
        return Outcome(NO_QUORUM, counts, objectors)
    if not ballots:
        return Outcome(NO_VOTES, counts, objectors)
    if rule == CONSENT:
        return Outcome(BLOCKED if objectors else APPROVED, counts, objectors)
    cast = counts[YES] + counts[NO]
    if cast == 0:
        return Outcome(NO_VOTES, counts)
    needed = Fraction(1, 2) if rule == MAJORITY else Fraction(2, 3)
    share = Fraction(counts[YES], cast)
    passed = share > needed if rule == MAJORITY else share >= needed
    return Outcome(APPROVED if passed else REJECTED, counts)


def quorum_reached(represented: int, members: int, ratio: Fraction) -> bool:
    """At least ``ratio`` of the member supermarkets represented (present or by proxy)."""
    if members == 0:
        return False
    return Fraction(represented, members) >= ratio
