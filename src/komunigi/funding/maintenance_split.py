"""The maintenance pool's split (DESIGN.md §6.1): each module's upkeep is shared by the
organisations that run it, by the §4.1 engine (weights, overhead), and an organisation's
bill is the sum over its modules.

An organisation's cap limits its whole bill, not one module: when the uncapped bill is above
it, the cap is spread over its modules in proportion to its shares (whole cents, never more
than the cap in all), and each module's split is made again with those limits, the rest
falling on the others as §4.1 does. That repeats until no bill is above its cap; each round
caps at least one more organisation, so it ends. When the caps cannot cover a module, nothing
is due at all.

An organisation that starts running a module during the period joins its pool for the days left
(`join_pro_rata`), as late joiners do (§4.3). Pure: no Django.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from komunigi.funding import split

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Sharer:
    key: str
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class PoolSplit:
    fundable: bool
    modules: dict[str, split.Split]  # by module, each summing to its cost and overhead
    bills: dict[str, list[tuple[str, Decimal]]]  # by organisation: (module, share), by module
    unshared: list[str]  # modules nobody shares: the pool cannot be funded

    def total(self, organisation: str) -> Decimal:
        return sum((share for _module, share in self.bills.get(organisation, [])), ZERO)

    @property
    def to_raise(self) -> Decimal:
        return sum((s.to_raise for s in self.modules.values()), ZERO)

    @property
    def overhead(self) -> Decimal:
        return sum((s.overhead for s in self.modules.values()), ZERO)


def pool_split(
    costs: Mapping[str, Decimal],
    sharers: Mapping[str, Sequence[Sharer]],
    *,
    caps: Mapping[str, Decimal] | None = None,
    overhead_rate: Decimal = ZERO,
) -> PoolSplit:
    """Split each module's ``costs`` among its ``sharers``; ``caps`` limit whole bills. A
    module nobody shares makes the pool unfundable; the others' shares are still given, for
    people to see what they would pay."""
    caps = caps or {}
    unshared = sorted(module for module in costs if not sharers.get(module))
    costs = {module: cost for module, cost in costs.items() if module not in unshared}
    limits: dict[tuple[str, str], Decimal] = {}  # (module, organisation) → most it pays there
    for _round in range(len(caps) + 1):
        modules = {
            module: split.split(
                cost,
                [
                    split.Participant(s.key, s.weight, limits.get((module, s.key)))
                    for s in sharers[module]
                ],
                overhead_rate=overhead_rate,
            )
            for module, cost in sorted(costs.items())
        }
        if not all(result.fundable for result in modules.values()):
            return PoolSplit(False, modules, {}, unshared)
        bills = _bills(modules)
        over = [
            key
            for key, lines in bills.items()
            if key in caps and sum(share for _m, share in lines) > caps[key]
        ]
        if not over:
            return PoolSplit(not unshared, modules, bills, unshared)
        for key in over:
            limits.update(_spread_cap(key, caps[key], bills[key]))
    raise AssertionError("each round caps one more organisation")  # pragma: no cover


def _bills(modules: Mapping[str, split.Split]) -> dict[str, list[tuple[str, Decimal]]]:
    bills: dict[str, list[tuple[str, Decimal]]] = {}
    for module, result in modules.items():
        for key, share in result.shares:
            bills.setdefault(key, []).append((module, share))
    return bills


def _spread_cap(
    key: str, cap: Decimal, lines: list[tuple[str, Decimal]]
) -> dict[tuple[str, str], Decimal]:
    """``cap`` over the modules of ``key``'s bill, in proportion to its shares, in whole cents
    by largest remainder (ties to the first module): the limits sum to the cap exactly."""
    total = sum(share for _module, share in lines)
    exact = [(module, cap * share / total) for module, share in lines]
    limits = {module: amount.quantize(CENT, rounding=ROUND_FLOOR) for module, amount in exact}
    left = int((cap - sum(limits.values())) / CENT)
    by_remainder = sorted(exact, key=lambda item: (-(item[1] - limits[item[0]]), item[0]))
    for module, _amount in by_remainder[:left]:
        limits[module] += CENT
    return {(module, key): limit for module, limit in limits.items()}


@dataclass(frozen=True)
class Join:
    catch_up: Decimal  # what the newcomer bears of the days left
    credits: tuple[tuple[str, Decimal], ...]  # what each earlier sharer no longer bears
    stakes: dict[str, Decimal]  # who bears the days left now, the newcomer included


def join_pro_rata(
    stakes: Mapping[str, Decimal],
    weights: Mapping[str, Decimal],
    joiner: Sharer,
    *,
    days_left: int,
    days: int,
) -> Join:
    """A newcomer joins a module's pool for ``days_left`` of the ``days`` that ``stakes`` (what
    each sharer bears of those days) pay for. Each stake's part of the days left is taken in
    whole cents; that amount is split again with the newcomer by ``weights``, nobody above
    what it bore (`split.late_join`), so every credit is zero or more and the credits sum
    exactly to the newcomer's catch-up share. What was paid for the days gone is not touched.
    """
    if not 0 < days_left <= days:
        raise ValueError("a newcomer joins during the days the stakes pay for")
    rest = part_of(stakes, Fraction(days_left, days))
    if not any(rest.values()):
        credits = tuple((key, ZERO) for key in rest)
        return Join(ZERO, credits, {**rest, joiner.key: ZERO})
    joined = split.late_join(
        sum(rest.values(), ZERO),
        rest,
        weights,
        split.Participant(joiner.key, joiner.weight),
    )
    now = {key: rest[key] - credit for key, credit in joined.credits}
    return Join(joined.catch_up, joined.credits, {**now, joiner.key: joined.catch_up})


def part_of(stakes: Mapping[str, Decimal], fraction: Fraction) -> dict[str, Decimal]:
    """``fraction`` of each stake in whole cents, by largest remainder (ties to the first
    key): they sum to ``fraction`` of the whole, rounded half up, and none is above its stake.
    """
    exact = {key: Fraction(int(amount * 100)) * fraction for key, amount in stakes.items()}
    cents = {key: int(value) for key, value in exact.items()}  # floors: values are >= 0
    whole = sum(exact.values(), Fraction(0))
    left = int(whole + Fraction(1, 2)) - sum(cents.values())
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - cents[key]), key))
    for key in by_remainder[:left]:
        cents[key] += 1
    return {key: Decimal(value) / 100 for key, value in cents.items()}
