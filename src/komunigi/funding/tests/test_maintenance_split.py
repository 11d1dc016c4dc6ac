"""The maintenance pool's split: each module shared by who runs it, bills capped as a whole."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from komunigi.funding.maintenance_split import Sharer, join_pro_rata, part_of, pool_split
from komunigi.money import to_cents

D = Decimal


def test_each_module_is_shared_by_who_runs_it_and_a_bill_is_the_sum() -> None:
    result = pool_split(
        {"shift": D("300.00"), "pos": D("100.00")},
        {"shift": [Sharer("bees"), Sharer("bloum"), Sharer("nid")], "pos": [Sharer("bees")]},
        overhead_rate=D("0.05"),
    )
    assert result.fundable
    assert result.bills["bees"] == [("pos", D("105.00")), ("shift", D("105.00"))]
    assert result.total("bees") == D("210.00")
    assert result.bills["nid"] == [("shift", D("105.00"))]
    assert (result.to_raise, result.overhead) == (D("420.00"), D("20.00"))


def test_a_cap_limits_the_whole_bill_and_the_rest_falls_on_the_others() -> None:
    result = pool_split(
        {"shift": D("300.00"), "pos": D("300.00")},
        {m: [Sharer("bees"), Sharer("bloum")] for m in ("shift", "pos")},
        caps={"bees": D("200.00")},
    )
    assert result.total("bees") == D("200.00")
    assert result.total("bloum") == D("400.00")


def test_a_module_nobody_shares_or_caps_too_low_fund_nothing() -> None:
    assert pool_split({"shift": D("10.00")}, {"shift": []}).unshared == ["shift"]
    low = pool_split({"shift": D("10.00")}, {"shift": [Sharer("a")]}, caps={"a": D("5.00")})
    assert not low.fundable
    assert low.bills == {}


organisations = st.sampled_from(["a", "b", "c", "d", "e"])
amounts = st.decimals(min_value=D("0.01"), max_value=D("5000.00"), places=2)
pools = st.dictionaries(
    st.sampled_from(["m1", "m2", "m3", "m4"]),
    st.tuples(amounts, st.sets(organisations, min_size=1)),
    min_size=1,
)
caps = st.dictionaries(organisations, st.decimals(min_value=D("0"), max_value=D("9000"), places=2))
rates = st.sampled_from([D("0"), D("0.05"), D("0.1234")])


def _inputs(pool):
    costs = {m: cost for m, (cost, _who) in pool.items()}
    sharers = {m: [Sharer(o) for o in sorted(who)] for m, (_cost, who) in pool.items()}
    return costs, sharers


@given(pools, caps, rates)
def test_shares_sum_to_each_modules_cost_and_nobody_pays_what_it_does_not_run(
    pool, limits, rate
) -> None:
    costs, sharers = _inputs(pool)
    result = pool_split(costs, sharers, caps=limits, overhead_rate=rate)
    assume(result.fundable)
    for module, cost in costs.items():
        shares = dict(result.modules[module].shares)
        assert sum(shares.values()) == to_cents(cost * (1 + rate))  # half up, as §4.1
        assert set(shares) <= {s.key for s in sharers[module]}
    for organisation, lines in result.bills.items():
        assert {m for m, _share in lines} <= {m for m, who in sharers.items()
                                             if organisation in {s.key for s in who}}  # fmt: skip
        if organisation in limits:
            assert result.total(organisation) <= limits[organisation]


@given(pools, rates, st.data())
def test_an_opt_out_never_lowers_anybody_elses_share(pool, rate, data) -> None:
    """Without caps. With them, a capped organisation's money follows its modules: leaving one
    module, it may pay more of another and lower that module's other shares."""
    limits: dict[str, Decimal] = {}
    costs, sharers = _inputs(pool)
    module = data.draw(st.sampled_from(sorted(costs)))
    leaving = data.draw(st.sampled_from([s.key for s in sharers[module]]))
    before = pool_split(costs, sharers, caps=limits, overhead_rate=rate)
    after_sharers = {**sharers, module: [s for s in sharers[module] if s.key != leaving]}
    after = pool_split(costs, after_sharers, caps=limits, overhead_rate=rate)
    assume(before.fundable and after.fundable)
    for organisation in before.bills:
        if organisation != leaving:
            assert after.total(organisation) >= before.total(organisation)
    for key, share in before.modules[module].shares:
        if key != leaving:
            assert dict(after.modules[module].shares)[key] >= share


def test_a_newcomer_bears_its_part_of_the_days_left_and_the_others_are_credited_as_much() -> None:
    # 730 € for 365 days, two sharers; a third runs the module for the last 146 days (40 %):
    # those days cost 292 €, now shared by three.
    joined = join_pro_rata(
        {"bees": D("365.00"), "bloum": D("365.00")},
        {"bees": D(1), "bloum": D(1)},
        Sharer("nid"),
        days_left=146,
        days=365,
    )
    assert joined.catch_up == D("97.33")
    # The cent left over goes to the first earlier sharer by key, as the engine gives it.
    assert dict(joined.credits) == {"bees": D("48.66"), "bloum": D("48.67")}
    assert joined.stakes == {"bees": D("97.34"), "bloum": D("97.33"), "nid": D("97.33")}


def test_a_newcomer_on_the_first_day_shares_the_whole_period() -> None:
    joined = join_pro_rata(
        {"bees": D("100.00")}, {"bees": D(1)}, Sharer("nid", D(3)), days_left=10, days=10
    )
    assert (joined.catch_up, dict(joined.credits)) == (D("75.00"), {"bees": D("75.00")})


def test_part_of_stakes_is_whole_cents_summing_to_the_part_of_the_whole() -> None:
    assert part_of({"a": D("0.01"), "b": D("0.01")}, Fraction(1, 2)) == {"a": D("0.01"), "b": 0}
    assert part_of({"a": D("10.00")}, Fraction(1, 3)) == {"a": D("3.33")}


stakes = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.integers(0, 100_000_00).map(lambda cents: Decimal(cents) / 100),
    min_size=1,
)
weights = st.integers(1, 500).map(Decimal)


@given(
    stakes=stakes,
    newcomers=st.lists(st.tuples(weights, st.integers(0, 40)), min_size=1, max_size=4),
    days=st.integers(1, 366),
    data=st.data(),
)
def test_newcomers_credit_earlier_sharers_exactly_what_they_pay_and_nothing_is_lost(
    stakes: dict[str, Decimal], newcomers: list, days: int, data: st.DataObject
) -> None:
    """Whatever the stakes, weights and days, one newcomer after another: each newcomer's
    catch-up share is what the earlier sharers are credited in all, no credit is negative,
    nobody's stake grows, and the module's amounts still sum to what was raised."""
    amounts = dict(stakes)  # what each bears of the whole period
    raised = sum(amounts.values())
    sharer_weights = {key: data.draw(weights) for key in stakes}
    left = days
    for number, (weight, gone) in enumerate(newcomers):
        joiner = f"new{number}"
        days_left = max(1, left - gone)
        joined = join_pro_rata(
            stakes, sharer_weights, Sharer(joiner, weight), days_left=days_left, days=left
        )
        credits = dict(joined.credits)
        assert sum(credits.values()) == joined.catch_up
        assert all(credit >= 0 for credit in credits.values())
        assert all(joined.stakes[key] <= stakes[key] for key in stakes)
        rest = part_of(stakes, Fraction(days_left, left))
        assert sum(joined.stakes.values()) == sum(rest.values())
        for key, credit in credits.items():
            amounts[key] -= credit
        amounts[joiner] = joined.catch_up
        assert sum(amounts.values()) == raised
        assert all(amount >= 0 for amount in amounts.values())
        stakes, left = joined.stakes, days_left
        sharer_weights[joiner] = weight
