"""The money pages run the same number of queries whatever the number of campaigns, entries,
sponsorships and fees (exact counts, at 1 and 3 of each)."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from komunigi.community.models import User
from komunigi.dates import instance_today
from komunigi.funding import fees, services
from komunigi.funding.models import FeeTier
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket

D = Decimal
pytestmark = pytest.mark.django_db


def community_with(count: int, facilitator: User) -> list:
    """``count`` of everything: funded campaigns shared by the same supermarkets, with
    payments and a late joiner each, subsidies and expenses, sponsorships and fees."""
    today = instance_today()
    people = [supermarket(f"Supermarket {n}") for n in range(count)]
    FeeTier.objects.create(name="Active", monthly_amount=D("25.00"), is_default=True)
    for number in range(count):
        campaign = open_campaign(
            facilitator, "300.00", minimum_supermarkets=1, community_contribution=D("30.00")
        )
        for organisation, person in people:
            services.pledge(campaign, organisation, actor=person)
        services.close_campaign(campaign, actor=facilitator)
        organisation = people[number][0]
        services.record_payment(campaign, organisation, D("10.00"), actor=facilitator, date=today)
        newcomer, _ = supermarket()
        services.grant_sponsorship(
            newcomer,
            actor=facilitator,
            percentage=D("50"),
            starts_on=today,
            ends_on=today + datetime.timedelta(days=30),
        )
        services.add_late_joiner(campaign, newcomer, actor=facilitator)
        for kind in ("subsidy", "expense"):
            services.record_fund_entry(
                kind, D("100.00"), actor=facilitator, date=today, description=f"{kind} {number}"
            )
    for row in fees.issue_fees(today.year, actor=facilitator)[:count]:
        fees.record_fee_payment(row, D("5.00"), actor=facilitator, date=today)
    return people


def logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize("count", [1, 3])
def test_money_pages_run_a_bounded_number_of_queries(
    facilitator: User, django_assert_num_queries, count: int
) -> None:
    people = community_with(count, facilitator)
    client = logged_in(facilitator)
    # session, user; the fund's account, its lines by year and source, its balance at the end
    # of each month (the last is its balance: no query of its own), its contributions to
    # campaigns, the maintenance plans by year; sponsorships and what each cost; the fee
    # schedule
    with django_assert_num_queries(10):
        assert client.get("/en/co-financing/budget/").status_code == 200
    # session, user; a page of funded campaigns and how many there are; how many share each,
    # the first of them with what they bear, late joiners without a line
    with django_assert_num_queries(7):
        assert client.get("/en/co-financing/history/").status_code == 200
    # session, user, the organisation; its balance, how many entries, a page of them with
    # their campaigns; its account and what it is owed (for the refund form)
    with django_assert_num_queries(8):
        page = client.get(f"/en/co-financing/statements/{people[0][0].slug}/")
    assert len(page.context["entries"]) >= count
    # session, user; a page of the year's fees and how many, their payments; what is due
    # (fees, payments); the schedule
    with django_assert_num_queries(8):
        assert client.get("/en/co-financing/fees/").status_code == 200
