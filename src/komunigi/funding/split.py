"""The split engine: who pays what of a pooled development (DESIGN.md §4.1).

Pure functions, no Django: anybody can read, test and recompute a split from its inputs.

- The amount to raise is ``A = (C − P − S) × (1 + r)`` rounded half up to the cent; the
  overhead ``A − (C − P − S)`` goes to the community fund.
- Shares are proportional to weights, except that nobody pays above its cap: capped
  participants pay their cap and the rest is spread over the others (water-filling).
- When the caps cannot cover ``A`` nothing is due at all (pledges are conditional) and the
  shortfall is reported.
- Shares are rounded to cents by largest remainder, ties going to the smallest key, so that
  they sum to ``A`` exactly and none exceeds its cap.

Computations are exact (whole cents and whole weights, integers only) until that one
rounding, and take O(n log n) for n participants.
"""

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from math import gcd

from komunigi.money import to_cents

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
RATE_STEP = Decimal("0.0001")
LARGEST = Decimal("9999999999.99")  # what a DecimalField(max_digits=12, decimal_places=2) holds
# How many more participants of average weight the "the more we are" curve looks at.
CURVE_EXTRA = 5


class SplitError(ValueError):
    """Inputs no split can be made from. ``field`` names the input at fault."""

    def __init__(self, code: str, field: str, **params: object) -> None:
        super().__init__(f"{field}: {code} {params}")
        self.code = code
        self.field = field
        self.params = params


# Error codes, worded for people by the callers (the engine knows no language).
MISSING = "missing"
NOT_A_NUMBER = "not_a_number"
NEGATIVE = "negative"
TOO_LARGE = "too_large"
TOO_PRECISE = "too_precise"
WEIGHT_NOT_POSITIVE = "weight_not_positive"
DUPLICATE_KEY = "duplicate_key"
NO_PARTICIPANTS = "no_participants"
CONTRIBUTIONS_ABOVE_TOTAL = "contributions_above_total"
RATE_OUT_OF_RANGE = "rate_out_of_range"


@dataclass(frozen=True)
class Participant:
    key: str
    weight: Decimal = Decimal(1)
    cap: Decimal | None = None  # the most it agrees to pay; None: no limit


@dataclass(frozen=True)
class CurvePoint:
    participants: int
    share: Decimal  # what each of that many participants of average weight would pay


@dataclass(frozen=True)
class Split:
    to_raise: Decimal
    overhead: Decimal
    fundable: bool
    shortfall: Decimal
    shares: tuple[tuple[str, Decimal], ...]  # in the participants' order; empty if not fundable
    participants: int

    @cached_property
    def curve(self) -> tuple[CurvePoint, ...]:
        """The share of a participant of average weight, from one participant to five more
        than today: the more we are, the less each pays. Computed when asked for."""
        return _curve(self.to_raise, self.participants)

    @cached_property
    def by_key(self) -> dict[str, Decimal]:
        return dict(self.shares)

    def share_of(self, key: str) -> Decimal:
        return self.by_key[key]


def split(
    total: Decimal,
    participants: Sequence[Participant],
    *,
    provider_contribution: Decimal = ZERO,
    community_contribution: Decimal = ZERO,
    overhead_rate: Decimal = ZERO,
) -> Split:
    """Split ``total`` among ``participants``; raises `SplitError` on inputs that make no sense."""
    _check_inputs(total, participants, provider_contribution, community_contribution, overhead_rate)
    cost = total - provider_contribution - community_contribution
    to_raise = to_cents(cost * (1 + overhead_rate))
    overhead = to_raise - cost
    weights = _scaled_weights(participants)
    caps = [None if p.cap is None else int(p.cap * 100) for p in participants]
    amount = int(to_raise * 100)
    filled = _fill(amount, weights, caps)
    count = len(participants)
    if filled is None:
        capped = sum((p.cap for p in participants if p.cap is not None), ZERO)
        return Split(to_raise, overhead, False, to_raise - capped, (), count)
    cents = largest_remainder_cents(participants, weights, caps, filled, amount)
    shares = tuple((p.key, Decimal(c) / 100) for p, c in zip(participants, cents, strict=True))
    return Split(to_raise, overhead, True, ZERO, shares, count)


@dataclass(frozen=True)
class LateJoin:
    catch_up: Decimal  # what the newcomer now bears
    credits: tuple[tuple[str, Decimal], ...]  # what each earlier payer gets back, in their order


def late_join(
    total: Decimal,
    borne: Mapping[str, Decimal],
    weights: Mapping[str, Decimal],
    joiner: Participant,
    *,
    provider_contribution: Decimal = ZERO,
    community_contribution: Decimal = ZERO,
    overhead_rate: Decimal = ZERO,
) -> LateJoin:
    """A funded split recomputed with one more participant (DESIGN.md §4.3).

    ``borne`` is what each earlier payer bears now, ``weights`` their weights. Earlier payers
    are capped at what they bear, so rounding never raises anybody's share: every credit is
    zero or more, and the credits sum exactly to the catch-up share."""
    result = split(
        total,
        [Participant(key, weights[key], amount) for key, amount in borne.items()]
        + [Participant(joiner.key, joiner.weight)],
        provider_contribution=provider_contribution,
        community_contribution=community_contribution,
        overhead_rate=overhead_rate,
    )
    new = dict(result.shares)
    return LateJoin(new[joiner.key], tuple((key, borne[key] - new[key]) for key in borne))


def water_fill(amount: Fraction, participants: Sequence[Participant]) -> dict[str, Fraction] | None:
    """Exact shares of ``amount`` in proportion to weights, nobody above its cap; ``None`` when
    the caps cannot cover ``amount``. (The engine itself works in cents: `_fill`.)"""
    weights = _scaled_weights(participants)
    caps = [None if p.cap is None else Fraction(p.cap) for p in participants]
    # The same water level in any unit: scale the amount and the caps to whole numbers.
    scale = amount.denominator
    for cap in caps:
        if cap is not None:
            scale = scale * cap.denominator // gcd(scale, cap.denominator)
    filled = _fill(
        int(amount * scale), weights, [None if c is None else int(c * scale) for c in caps]
    )
    if filled is None:
        return None
    rest, open_weight, capped = filled
    return {
        p.key: caps[i] if i in capped else Fraction(rest * weights[i], open_weight * scale)  # type: ignore[misc]
        for i, p in enumerate(participants)
    }


def _scaled_weights(participants: Sequence[Participant]) -> list[int]:
    """The weights as whole numbers of one common scale: the same proportions, exactly."""
    ratios = [p.weight.as_integer_ratio() for p in participants]
    scale = 1
    for _numerator, denominator in ratios:
        scale = scale * denominator // gcd(scale, denominator)
    return [numerator * (scale // denominator) for numerator, denominator in ratios]


def _fill(
    amount: int, weights: list[int], caps: list[int | None]
) -> tuple[int, int, set[int]] | None:
    """Water-filling in whole units (cents): ``(rest, open_weight, capped)``, where each capped
    participant pays its cap and each other one ``rest × weight / open_weight``; ``None``
    when the caps cannot cover ``amount``.

    Whoever would pay more than its cap pays its cap, and the others share the rest; capping
    only raises the others' shares. Taking capped participants by increasing cap per unit of
    weight, the first one that no longer reaches its cap ends the capping: one sort and one
    pass, O(n log n). The order comes from floating-point ratios, so a last pass checks every
    participant left exactly (integers only) and caps any that the order misplaced; it almost
    never finds one, and would repeat until none is left."""
    rest, open_weight = amount, sum(weights)
    capped: set[int] = set()
    pending = sorted(
        (i for i, cap in enumerate(caps) if cap is not None),
        key=lambda i: caps[i] / weights[i],  # type: ignore[operator]
    )
    for position, i in enumerate(pending):
        cap: int = caps[i]  # type: ignore[assignment]  # pending holds capped participants
        if cap * open_weight < rest * weights[i]:  # its share would be above its cap
            rest, open_weight = rest - cap, open_weight - weights[i]
            capped.add(i)
        else:
            pending = pending[position:]
            break
    else:
        pending = []
    while pending and open_weight:
        newly = [
            i
            for i in pending
            if caps[i] * open_weight < rest * weights[i]  # type: ignore[operator]
        ]
        if not newly:
            break
        for i in newly:
            rest, open_weight = rest - caps[i], open_weight - weights[i]  # type: ignore[operator]
            capped.add(i)
        pending = [i for i in pending if i not in capped]
    if not open_weight and rest > 0:
        return None
    return rest, open_weight, capped


def largest_remainder_cents(
    participants: Sequence[Participant],
    weights: list[int],
    caps: list[int | None],
    filled: tuple[int, int, set[int]],
    amount: int,
) -> list[int]:
    """Cents for each: the floor of its exact share, then the cents left over one each to the
    largest remainders, ties to the smallest key. Every open participant's exact share has the
    same denominator, so remainders compare as integers; capped shares are whole cents, with
    no remainder, and never get a cent above their cap."""
    rest, open_weight, capped = filled
    cents: list[int] = []
    remainders: list[tuple[int, str, int]] = []
    for i, participant in enumerate(participants):
        if i in capped:
            cents.append(caps[i])  # type: ignore[arg-type]
            continue
        whole, remainder = divmod(rest * weights[i], open_weight) if open_weight else (0, 0)
        cents.append(whole)
        if remainder:
            remainders.append((-remainder, participant.key, i))
    left = amount - sum(cents)
    for _remainder, _key, i in heapq.nsmallest(left, remainders):
        cents[i] += 1
    return cents


def _curve(to_raise: Decimal, count: int) -> tuple[CurvePoint, ...]:
    """The share of a participant of average weight, from one participant to five more than
    today: the more we are, the less each pays."""
    return tuple(CurvePoint(n, to_cents(to_raise / n)) for n in range(1, count + CURVE_EXTRA + 1))


def _check_inputs(
    total: Decimal,
    participants: Sequence[Participant],
    provider_contribution: Decimal,
    community_contribution: Decimal,
    overhead_rate: Decimal,
) -> None:
    amounts = {
        "total": total,
        "provider_contribution": provider_contribution,
        "community_contribution": community_contribution,
    }
    for index, participant in enumerate(participants):
        if participant.cap is not None:
            amounts[f"participants[{index}].cap"] = participant.cap
    for field, amount in amounts.items():
        check_amount(amount, field)
    if not overhead_rate.is_finite():
        raise SplitError(NOT_A_NUMBER, "overhead_rate", value=str(overhead_rate))
    if not 0 <= overhead_rate < 1:
        raise SplitError(RATE_OUT_OF_RANGE, "overhead_rate")
    if overhead_rate != overhead_rate.quantize(RATE_STEP):
        raise SplitError(TOO_PRECISE, "overhead_rate", places=4)
    if not participants:
        raise SplitError(NO_PARTICIPANTS, "participants")
    seen: set[str] = set()
    for index, participant in enumerate(participants):
        if not participant.weight.is_finite():
            raise SplitError(
                NOT_A_NUMBER, f"participants[{index}].weight", value=str(participant.weight)
            )
        if participant.weight <= 0:
            raise SplitError(WEIGHT_NOT_POSITIVE, f"participants[{index}].weight")
        if participant.weight > LARGEST:
            raise SplitError(TOO_LARGE, f"participants[{index}].weight", largest=LARGEST)
        if participant.key in seen:
            raise SplitError(DUPLICATE_KEY, f"participants[{index}].key", key=participant.key)
        seen.add(participant.key)
    contributions = provider_contribution + community_contribution
    if contributions > total:
        raise SplitError(
            CONTRIBUTIONS_ABOVE_TOTAL,
            "provider_contribution",
            contributions=contributions,
            total=total,
        )


def check_amount(amount: Decimal, field: str) -> None:
    """An amount is a whole number of cents, not negative, below ten billion."""
    if not amount.is_finite():
        raise SplitError(NOT_A_NUMBER, field, value=str(amount))
    if amount < 0:
        raise SplitError(NEGATIVE, field)
    if amount > LARGEST:
        raise SplitError(TOO_LARGE, field, largest=LARGEST)
    if amount != amount.quantize(CENT):
        raise SplitError(TOO_PRECISE, field, places=2)
