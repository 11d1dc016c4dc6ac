"""The near-linear split engine gives exactly what the former engine gave, on every example:
same shares, same refusals, same shortfall (the former one is kept as the oracle)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from komunigi.funding import split as engine
from komunigi.funding.split import Participant, SplitError
from komunigi.funding.tests import split_oracle as oracle

totals = st.integers(min_value=0, max_value=100_000_000).map(lambda n: Decimal(n) / 100)
# Weights with one to three decimals, so that the engine's common scale is exercised.
weights = st.one_of(
    st.integers(1, 5_000).map(lambda n: Decimal(n) / 10),
    st.integers(1, 50_000).map(lambda n: Decimal(n) / 1000),
    st.sampled_from([Decimal(1), Decimal(2), Decimal("0.5")]),
)


@st.composite
def people(draw: st.DrawFn, total: Decimal) -> list[Participant]:
    """Participants whose caps sit around the equal share, where water-filling decides;
    repeated caps and weights give ties of cap per weight."""
    count = draw(st.integers(1, 40))
    around = int(total * 100) // count + 1
    cap_cents = st.one_of(
        st.none(),
        st.integers(0, around * 2),
        st.sampled_from([around, around - 1, around + 1, 0]),
    )
    found = []
    for index in range(count):
        cap = draw(cap_cents)
        found.append(
            Participant(
                f"p{index:03}" if draw(st.booleans()) else f"q{count - index}",
                draw(weights),
                None if cap is None else Decimal(max(cap, 0)) / 100,
            )
        )
    keys = [p.key for p in found]
    return [p for index, p in enumerate(found) if p.key not in keys[:index]]


rates = st.integers(min_value=0, max_value=9_999).map(lambda n: Decimal(n) / 10_000)


@settings(max_examples=300, deadline=None)
@given(st.data(), totals, rates)
def test_the_engine_splits_exactly_as_the_former_one(
    data: st.DataObject, total: Decimal, rate: Decimal
) -> None:
    participants = data.draw(people(total))
    contribution = data.draw(st.sampled_from([Decimal(0), total / 4, total]).map(engine.to_cents))
    options = {"provider_contribution": contribution, "overhead_rate": rate}
    refusal = None
    try:
        expected = oracle.split(total, participants, **options)
    except SplitError as error:
        refusal = (error.code, error.field)
    if refusal is not None:
        with pytest.raises(SplitError) as raised:
            engine.split(total, participants, **options)
        assert (raised.value.code, raised.value.field) == refusal
        return
    assert engine.split(total, participants, **options) == expected


@settings(max_examples=200, deadline=None)
@given(st.data(), totals)
def test_exact_shares_are_those_of_the_former_water_filling(
    data: st.DataObject, total: Decimal
) -> None:
    participants = data.draw(people(total))
    amount = Fraction(total)
    assert engine.water_fill(amount, participants) == oracle.water_fill(amount, participants)


def test_ten_thousand_participants_a_third_capped_are_split_as_before() -> None:
    """The benchmark's own case, small enough for a test: the same result as the oracle."""
    participants = [
        Participant(f"s{n:05}", Decimal(1 + n % 7), Decimal(500 + n % 300) if n % 3 == 0 else None)
        for n in range(1_500)
    ]
    total = Decimal("1500000.00")
    assert engine.split(total, participants) == oracle.split(total, participants)
