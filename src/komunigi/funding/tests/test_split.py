"""The split engine (DESIGN.md §4.1): worked examples, then properties over random inputs."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from komunigi.funding.split import (
    CONTRIBUTIONS_ABOVE_TOTAL,
    DUPLICATE_KEY,
    NEGATIVE,
    NO_PARTICIPANTS,
    NOT_A_NUMBER,
    RATE_OUT_OF_RANGE,
    TOO_PRECISE,
    WEIGHT_NOT_POSITIVE,
    Participant,
    SplitError,
    split,
    water_fill,
)

D = Decimal


def equal(*keys: str) -> list[Participant]:
    return [Participant(key) for key in keys]


def test_equal_split_of_the_shift_reminder_emails() -> None:
    result = split(D("300.00"), equal("bees", "bloum", "lenid", "coopeco"))
    assert result.fundable
    assert result.shares == (
        ("bees", D("75.00")),
        ("bloum", D("75.00")),
        ("lenid", D("75.00")),
        ("coopeco", D("75.00")),
    )


def test_amount_to_raise_deducts_contributions_and_adds_the_overhead() -> None:
    result = split(
        D("10000.00"),
        equal("a", "b", "c"),
        provider_contribution=D("1000.00"),
        community_contribution=D("500.00"),
        overhead_rate=D("0.05"),
    )
    # (10 000 − 1 000 − 500) × 1.05
    assert (result.to_raise, result.overhead) == (D("8925.00"), D("425.00"))
    assert [amount for _, amount in result.shares] == [D("2975.00")] * 3


def test_amount_to_raise_is_rounded_half_up_to_the_cent() -> None:
    result = split(D("0.10"), equal("a"), overhead_rate=D("0.05"))
    assert (result.to_raise, result.overhead) == (D("0.11"), D("0.01"))  # 0.105 → 0.11


def test_leftover_cents_go_to_the_largest_remainders_then_to_the_smallest_key() -> None:
    result = split(D("100.00"), equal("c", "a", "b"))
    # 33.333… each: one cent is left, all remainders tie, "a" comes first.
    assert result.shares == (("c", D("33.33")), ("a", D("33.34")), ("b", D("33.33")))
    weighted = split(D("1.00"), [Participant("a", D(1)), Participant("b", D(2))])
    assert weighted.shares == (("a", D("0.33")), ("b", D("0.67")))  # 0.666… has the larger rest


def test_capped_participants_pay_their_cap_and_the_others_share_the_rest() -> None:
    participants = [
        Participant("bees", cap=D("50.00")),
        Participant("bloum", D(2)),
        Participant("lenid", D(1), cap=D("90.00")),
        Participant("coopeco"),
    ]
    result = split(D("400.00"), participants)
    # 100 per unit of weight caps BEES; 350 over 4 units caps Le NID only at 87.50? No: 87.50
    # is below its cap of 90, so Le NID is not capped, and the water level stays 87.50.
    assert result.shares == (
        ("bees", D("50.00")),
        ("bloum", D("175.00")),
        ("lenid", D("87.50")),
        ("coopeco", D("87.50")),
    )


def test_capping_one_participant_can_cap_the_next() -> None:
    participants = [
        Participant("a", cap=D("10.00")),
        Participant("b", cap=D("40.00")),
        Participant("c"),
    ]
    # 50 each would cap a; then 90 / 2 = 45 caps b; c pays the remaining 50.
    assert split(D("100.00"), participants).shares == (
        ("a", D("10.00")),
        ("b", D("40.00")),
        ("c", D("50.00")),
    )


def test_caps_below_the_amount_make_it_unfundable_and_nobody_pays() -> None:
    participants = [Participant("a", cap=D("100.00")), Participant("b", cap=D("150.00"))]
    result = split(D("300.00"), participants)
    assert (result.fundable, result.shortfall, result.shares) == (False, D("50.00"), ())


def test_caps_that_exactly_cover_the_amount_are_fundable() -> None:
    participants = [Participant("a", cap=D("100.00")), Participant("b", cap=D("200.00"))]
    result = split(D("300.00"), participants)
    assert (result.fundable, result.shares) == (True, (("a", D("100.00")), ("b", D("200.00"))))


def test_the_more_we_are_the_less_each_pays() -> None:
    result = split(D("300.00"), equal("a", "b", "c", "d"))
    assert [(p.participants, p.share) for p in result.curve] == [
        (1, D("300.00")),
        (2, D("150.00")),
        (3, D("100.00")),
        (4, D("75.00")),
        (5, D("60.00")),
        (6, D("50.00")),
        (7, D("42.86")),
        (8, D("37.50")),
        (9, D("33.33")),
    ]


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"total": D("-1")}, NEGATIVE, "total"),
        ({"total": D("1.001")}, TOO_PRECISE, "total"),
        ({"total": D("NaN")}, NOT_A_NUMBER, "total"),
        ({"provider_contribution": D("-0.01")}, NEGATIVE, "provider_contribution"),
        ({"overhead_rate": D("1")}, RATE_OUT_OF_RANGE, "overhead_rate"),
        ({"overhead_rate": D("0.00001")}, TOO_PRECISE, "overhead_rate"),
        ({"participants": []}, NO_PARTICIPANTS, "participants"),
        ({"participants": [Participant("a", D(0))]}, WEIGHT_NOT_POSITIVE, "participants[0].weight"),
        ({"participants": equal("a", "b", "a")}, DUPLICATE_KEY, "participants[2].key"),
        ({"participants": [Participant("a", cap=D("-5"))]}, NEGATIVE, "participants[0].cap"),
        (
            {"provider_contribution": D("60.00"), "community_contribution": D("50.00")},
            CONTRIBUTIONS_ABOVE_TOTAL,
            "provider_contribution",
        ),
    ],
)
def test_inputs_that_make_no_sense_are_refused_naming_the_field(
    arguments: dict, code: str, field: str
) -> None:
    inputs = {"total": D("100.00"), "participants": equal("a", "b"), **arguments}
    total, participants = inputs.pop("total"), inputs.pop("participants")
    with pytest.raises(SplitError) as raised:
        split(total, participants, **inputs)
    assert (raised.value.code, raised.value.field) == (code, field)


# Properties -------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda n: Decimal(n) / 100)
weights = st.integers(min_value=1, max_value=5_000).map(lambda n: Decimal(n) / 10)
caps = st.none() | cents


@st.composite
def participants(draw: st.DrawFn, *, capped: bool = True) -> list[Participant]:
    keys = draw(
        st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=12, unique=True)
    )
    return [Participant(key, draw(weights), draw(caps) if capped else None) for key in keys]


rates = st.integers(min_value=0, max_value=9_999).map(lambda n: Decimal(n) / 10_000)


@given(cents, participants(), rates)
def test_shares_sum_exactly_to_the_amount_raised_and_respect_caps(
    total: Decimal, people: list[Participant], rate: Decimal
) -> None:
    result = split(total, people, overhead_rate=rate)
    if result.fundable:
        assert sum(amount for _, amount in result.shares) == result.to_raise
        assert [key for key, _ in result.shares] == [p.key for p in people]
        for person, (_, amount) in zip(people, result.shares, strict=True):
            assert amount >= 0
            assert amount == amount.quantize(Decimal("0.01"))
            assert person.cap is None or amount <= person.cap
        assert result.shortfall == 0
    else:
        assert result.shares == ()
        assert result.shortfall > 0


@given(cents, participants())
def test_not_fundable_exactly_when_the_caps_sum_below_the_amount(
    total: Decimal, people: list[Participant]
) -> None:
    result = split(total, people)
    uncapped = any(p.cap is None for p in people)
    caps_cover = uncapped or sum(p.cap for p in people if p.cap is not None) >= result.to_raise
    assert result.fundable == caps_cover
    if not result.fundable:
        assert result.shortfall == result.to_raise - sum(p.cap for p in people)  # type: ignore[misc]


@given(cents, participants(capped=False))
def test_without_caps_shares_are_proportional_to_weights_within_a_cent(
    total: Decimal, people: list[Participant]
) -> None:
    result = split(total, people)
    weight = sum(p.weight for p in people)
    for person, (_, amount) in zip(people, result.shares, strict=True):
        exact = Fraction(total) * Fraction(person.weight) / Fraction(weight)
        assert abs(Fraction(amount) - exact) < Fraction(1, 100)


@given(cents, participants(), st.randoms(use_true_random=False))
def test_shares_do_not_depend_on_the_order_of_participants(
    total: Decimal, people: list[Participant], shuffler: random.Random
) -> None:
    shuffled = list(people)
    shuffler.shuffle(shuffled)
    before, after = split(total, people), split(total, shuffled)
    assert dict(before.shares) == dict(after.shares)
    assert (before.fundable, before.shortfall) == (after.fundable, after.shortfall)


@given(cents, participants(), weights)
def test_adding_an_uncapped_participant_never_raises_an_exact_share(
    total: Decimal, people: list[Participant], weight: Decimal
) -> None:
    before = water_fill(Fraction(total), people)
    after = water_fill(Fraction(total), [*people, Participant("newcomer", weight)])
    assert after is not None
    if before is not None:
        assert all(after[p.key] <= before[p.key] for p in people)


@given(cents, participants(), weights)
def test_adding_an_uncapped_participant_raises_no_share_beyond_rounding(
    total: Decimal, people: list[Participant], weight: Decimal
) -> None:
    """Largest remainder has the "new state paradox" of apportionment: when a newcomer
    shifts the remainders, the leftover cent may go to someone who did not get it before
    (0.09 € over weights 0.1, 0.8, 0.9, 0.9, then a fifth 0.9: the first goes from 0.00 to
    0.01). Rounded shares therefore never rise by more than that one cent."""
    before = split(total, people)
    assume(before.fundable)
    after = split(total, [*people, Participant("newcomer", weight)])
    for key, amount in before.shares:
        assert after.share_of(key) <= amount + Decimal("0.01")


def test_the_new_state_paradox_costs_one_cent_at_most() -> None:
    people = [
        Participant("a", D("0.1")),
        Participant("b", D("0.8")),
        Participant("aa", D("0.9")),
        Participant("aaa", D("0.9")),
    ]
    before = split(D("0.09"), people)
    after = split(D("0.09"), [*people, Participant("newcomer", D("0.9"))])
    assert (before.share_of("a"), after.share_of("a")) == (D("0.00"), D("0.01"))
