"""The maintenance pool's split: each module shared by who runs it, bills capped as a whole."""

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from komunigi.funding.maintenance_split import Sharer, pool_split
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
