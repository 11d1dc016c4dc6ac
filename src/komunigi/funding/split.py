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

Computations are exact (fractions) until that one rounding.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

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
    curve: tuple[CurvePoint, ...]

    def share_of(self, key: str) -> Decimal:
        return dict(self.shares)[key]


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
    exact = water_fill(Fraction(to_raise), participants)
    curve = _curve(to_raise, len(participants))
    if exact is None:
        capped = sum((p.cap for p in participants if p.cap is not None), ZERO)
        return Split(to_raise, overhead, False, to_raise - capped, (), curve)
    shares = largest_remainder(exact, participants, to_raise)
    return Split(to_raise, overhead, True, ZERO, tuple(shares.items()), curve)


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
    the caps cannot cover ``amount``.

    Whoever would pay more than its cap pays its cap, and the others share the rest; capping
    only raises the others' shares, so once nobody new is capped the split is final."""
    shares: dict[str, Fraction] = {}
    remaining = amount
    open_ = list(participants)
    while open_:
        weights = sum(Fraction(p.weight) for p in open_)
        level = remaining / weights  # what one unit of weight pays
        capped = [
            p for p in open_ if p.cap is not None and Fraction(p.cap) < level * Fraction(p.weight)
        ]
        if not capped:
            shares.update({p.key: level * Fraction(p.weight) for p in open_})
            break
        for p in capped:
            shares[p.key] = Fraction(p.cap)  # type: ignore[arg-type]
            remaining -= Fraction(p.cap)  # type: ignore[arg-type]
        open_ = [p for p in open_ if p not in capped]
    else:
        if remaining > 0:
            return None
    return {p.key: shares[p.key] for p in participants}


def largest_remainder(
    exact: dict[str, Fraction], participants: Sequence[Participant], amount: Decimal
) -> dict[str, Decimal]:
    """Cents for each: the floor of its exact share, then the cents left over one each to the
    largest remainders, ties to the smallest key. Caps are whole cents, so a capped share has
    no remainder and never gets a cent above its cap."""
    cents = {key: (share * 100).__floor__() for key, share in exact.items()}
    left = int(amount * 100) - sum(cents.values())
    by_remainder = sorted(
        (p.key for p in participants), key=lambda key: (-(exact[key] * 100 - cents[key]), key)
    )
    for key in by_remainder[:left]:
        cents[key] += 1
    return {key: Decimal(cents[key]) / 100 for key in exact}


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
