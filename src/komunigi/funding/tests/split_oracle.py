"""The split engine as it was before it became near-linear: the reference the new engine is
checked against (same shares, same refusals), on every Hypothesis example. Quadratic in the
number of capped participants; do not use outside the tests."""

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from komunigi.funding.split import ZERO, Participant, Split, _check_inputs
from komunigi.money import to_cents


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
    if exact is None:
        capped = sum((p.cap for p in participants if p.cap is not None), ZERO)
        return Split(to_raise, overhead, False, to_raise - capped, (), len(participants))
    shares = largest_remainder(exact, participants, to_raise)
    return Split(to_raise, overhead, True, ZERO, tuple(shares.items()), len(participants))


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
