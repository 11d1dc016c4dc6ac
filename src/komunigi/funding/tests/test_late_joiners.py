"""Late joiners (DESIGN.md §4.3): the catch-up share and every earlier payer's credit."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from komunigi.community.models import User
from komunigi.community.tests.factories import UserFactory
from komunigi.errors import DomainError
from komunigi.funding import ledger, services, statements
from komunigi.funding.models import AccountKind, Campaign, LedgerLine, TransactionKind
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket

D = Decimal


def funded(facilitator: User, amount: str, names: list[str], **options) -> tuple[Campaign, list]:
    campaign = open_campaign(facilitator, amount, minimum_supermarkets=1, **options)
    people = [supermarket(name) for name in names]
    for organisation, person in people:
        services.pledge(campaign, organisation, actor=person)
    return services.close_campaign(campaign, actor=facilitator), people


def owed(organisation) -> Decimal:
    return ledger.balance(ledger.account(AccountKind.ORGANISATION, organisation))


@pytest.mark.django_db
def test_a_late_joiner_pays_its_new_share_and_earlier_payers_are_credited(
    facilitator: User,
) -> None:
    campaign, people = funded(facilitator, "300.00", ["BEES coop", "BLOUM", "Le NID"])
    newcomer, _ = supermarket("Coopéco")

    services.add_late_joiner(campaign, newcomer, actor=facilitator, premium_rate=D("0.10"))

    # 300 over 4: 75 each. Earlier payers bore 100 each: each gets 25 back.
    assert owed(newcomer) == D("-82.50")  # 75 and a 10 % premium for the fund
    assert [owed(o) for o, _ in people] == [D("-75.00")] * 3
    assert ledger.balance(ledger.fund()) == D("7.50")
    assert services.borne_shares(campaign) == {
        **{o.pk: D("75.00") for o, _ in people},
        newcomer.pk: D("75.00"),
    }
    assert ledger.total_of_all_lines() == 0


@pytest.mark.django_db
def test_credit_is_kept_against_what_was_already_paid(facilitator: User) -> None:
    campaign, people = funded(facilitator, "300.00", ["BEES coop", "BLOUM"])
    bees = people[0][0]
    services.record_payment(campaign, bees, D("150.00"), actor=facilitator, date=ledger_date())
    newcomer, _ = supermarket("Coopéco")
    services.add_late_joiner(campaign, newcomer, actor=facilitator)
    assert owed(bees) == D("50.00")  # paid 150, bears 100: 50 to set against a next share
    assert owed(newcomer) == D("-100.00")


def ledger_date():
    from komunigi.dates import instance_today

    return instance_today()


@pytest.mark.django_db
def test_a_credit_is_refunded_up_to_what_is_owed(facilitator: User) -> None:
    from django.test import Client

    campaign, people = funded(facilitator, "300.00", ["BEES coop", "BLOUM"])
    bees = people[0][0]
    services.record_payment(campaign, bees, D("150.00"), actor=facilitator, date=ledger_date())
    newcomer, _ = supermarket("Coopéco")
    services.add_late_joiner(campaign, newcomer, actor=facilitator)
    assert owed(bees) == D("50.00")

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(facilitator)
    url = f"/en/co-financing/statements/{bees.slug}/"
    assert 'name="amount" value="50.00"' in client.get(url).content.decode()
    too_much = client.post(url + "refunds/", {"amount": "60", "date": "2026-11-23"})
    assert too_much.status_code == 302
    assert owed(bees) == D("50.00")  # refused: BEES coop is owed 50 only
    client.post(url + "refunds/", {"amount": "50", "date": "2026-11-23", "reference": "R-1"})
    assert owed(bees) == D("0.00")
    with pytest.raises(PermissionDenied):
        services.refund_credit(bees, D("1.00"), actor=people[0][1], date=ledger_date())


@pytest.mark.django_db
def test_late_joining_is_refused_twice_before_funding_or_for_others(facilitator: User) -> None:
    campaign, people = funded(facilitator, "300.00", ["BEES coop", "BLOUM"])
    with pytest.raises(DomainError):
        services.add_late_joiner(campaign, people[0][0], actor=facilitator)
    newcomer, person = supermarket("Coopéco")
    with pytest.raises(PermissionDenied):
        services.add_late_joiner(campaign, newcomer, actor=person)
    collecting = open_campaign(facilitator)
    with pytest.raises(DomainError):
        services.add_late_joiner(collecting, newcomer, actor=facilitator)
    assert not LedgerLine.objects.filter(transaction__kind=TransactionKind.LATE_JOINER).exists()


class LateJoinerProperties(TestCase):
    @settings(max_examples=15, deadline=None)
    @given(
        cost=st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n) / 100),
        households=st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=6),
        newcomers=st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=3),
        premium=st.integers(min_value=0, max_value=3000).map(lambda n: Decimal(n) / 10_000),
    )
    def test_nothing_is_created_or_lost(
        self, cost: Decimal, households: list[int], newcomers: list[int], premium: Decimal
    ) -> None:
        facilitator = UserFactory(is_facilitator=True)
        campaign = open_campaign(
            facilitator, str(cost), minimum_supermarkets=1, split_rule="households"
        )
        for size in households:
            organisation, person = supermarket(households=size)
            services.pledge(campaign, organisation, actor=person)
        campaign = services.close_campaign(campaign, actor=facilitator)
        for size in newcomers:
            before = services.borne_shares(campaign)
            newcomer, _ = supermarket(households=size)
            services.add_late_joiner(campaign, newcomer, actor=facilitator, premium_rate=premium)
            after = services.borne_shares(campaign)
            credits = {pk: before[pk] - after[pk] for pk in before}
            assert all(credit >= 0 for credit in credits.values())  # nobody pays more
            assert sum(credits.values()) == after[newcomer.pk]  # the catch-up, exactly
            assert sum(after.values()) == campaign.to_raise
        assert ledger.total_of_all_lines() == 0


@pytest.mark.django_db
def test_shares_for_invoicing_follow_a_late_joiner(facilitator: User) -> None:
    """The provider invoices the newcomer its catch-up share; credits lower the others'
    shares rather than counting as payments, and the fund's premium is not the provider's."""
    campaign, people = funded(facilitator, "300.00", ["BEES coop", "BLOUM"])
    bees = people[0][0]
    services.record_payment(campaign, bees, D("150.00"), actor=facilitator, date=ledger_date())
    newcomer, _ = supermarket("Coopéco")
    services.add_late_joiner(campaign, newcomer, actor=facilitator, premium_rate=D("0.10"))

    rows = [(r.name, r.share, r.paid, r.due) for r in statements.campaign_shares(campaign)]
    assert rows == [
        ("BEES coop", D("100.00"), D("150.00"), D("-50.00")),
        ("BLOUM", D("100.00"), D("0.00"), D("100.00")),
        ("Coopéco", D("100.00"), D("0.00"), D("100.00")),
    ]
