"""Sponsorship, the fund's own entries, the public budget and history, and statements."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from pytest_django import Settings

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory
from komunigi.funding import budget, ledger, services
from komunigi.funding.models import AccountKind, LedgerTransaction, Sponsorship
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket
from komunigi.funding.tests.test_late_joiners import funded

D = Decimal
pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_fund_pays_a_sponsored_supermarkets_percentage(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    newcomer, person = supermarket("Coopéco")
    other, other_person = supermarket("BEES coop")
    Sponsorship.objects.create(
        organisation=newcomer,
        percentage=D("50"),
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2099, 12, 31),
    )
    Sponsorship.objects.create(  # over: it no longer counts
        organisation=other,
        percentage=D("100"),
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    services.pledge(campaign, newcomer, actor=person)
    services.pledge(campaign, other, actor=other_person)
    services.close_campaign(campaign, actor=facilitator)

    assert ledger.balance(ledger.account(AccountKind.ORGANISATION, newcomer)) == D("-75.00")
    assert ledger.balance(ledger.account(AccountKind.ORGANISATION, other)) == D("-150.00")
    assert ledger.balance(ledger.fund()) == D("-75.00")
    [year] = budget.years()
    assert year.expenses["sponsorship"] == D("75.00")


def test_budget_counts_income_and_expenses_by_source_and_year(facilitator: User) -> None:
    campaign, _people = funded(
        facilitator, "1000.00", ["BEES coop", "BLOUM"], overhead_rate=D("0.05")
    )
    newcomer, _ = supermarket("Coopéco")
    services.add_late_joiner(campaign, newcomer, actor=facilitator, premium_rate=D("0.10"))
    services.record_fund_entry(
        "subsidy", D("20000.00"), actor=facilitator, date=datetime.date(2021, 3, 1),
        description="Prove your social innovation",
    )  # fmt: skip
    mistake = services.record_fund_entry(
        "expense", D("900.00"), actor=facilitator, date=datetime.date(2021, 6, 1),
        description="Coordination", category="coordination",
    )  # fmt: skip
    services.reverse_transaction(mistake, actor=facilitator, reason="Typed twice")
    services.record_fund_entry(
        "expense", D("450.00"), actor=facilitator, date=datetime.date(2021, 6, 1),
        description="Annual meeting", category="events",
    )  # fmt: skip

    years = {y.year: y for y in budget.years()}
    this_year = years[max(years)]
    assert this_year.income["overhead"] == D("50.00")
    assert this_year.income["premiums"] == D("35.00")  # 10 % of 350
    # The reversal is dated today but counts against coordination.
    assert this_year.expenses["coordination"] == D("-900.00")
    assert years[2021].income["subsidies"] == D("20000.00")
    assert (years[2021].expenses["coordination"], years[2021].expenses["events"]) == (
        D("900.00"),
        D("450.00"),
    )
    assert ledger.balance(ledger.fund()) == D("19635.00")  # 50 + 35 + 20000 − 450

    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/en/co-financing/budget/").content.decode()
    assert "Balance of the community fund: <strong>€19,635.00</strong>" in html
    assert '<th scope="row">Subsidies</th><td class="amount">€20,000.00</td>' in html


def test_only_facilitators_record_fund_entries(facilitator: User, representative: User) -> None:
    assert logged_in(representative).post("/en/co-financing/budget/entries/").status_code == 403
    response = logged_in(facilitator).post(
        "/en/co-financing/budget/entries/",
        {"kind": "subsidy", "amount": "-5", "date": "2026-11-01", "description": "Grant"},
    )
    assert response.status_code == 400
    assert "An amount cannot be negative." in response.content.decode()
    assert LedgerTransaction.objects.count() == 0
    logged_in(facilitator).post(
        "/en/co-financing/budget/entries/",
        {"kind": "subsidy", "amount": "5000", "date": "2026-11-01", "description": "Grant"},
    )
    assert ledger.balance(ledger.fund()) == D("5000.00")


def test_history_shows_who_bears_what_unless_the_community_hides_it(
    facilitator: User, settings: Settings
) -> None:
    funded(facilitator, "300.00", ["BEES coop", "BLOUM"])
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    html = visitor.get("/en/co-financing/history/").content.decode()
    assert '<th scope="row">BEES coop</th><td class="amount">€150.00</td>' in html

    settings.KOMUNIGI_PUBLIC_SHARES = False
    hidden = visitor.get("/en/co-financing/history/").content.decode()
    assert "€150.00" not in hidden
    assert "BEES coop, BLOUM" in hidden
    member = MembershipFactory(role=Role.MEMBER).user
    assert "€150.00" in logged_in(member).get("/en/co-financing/history/").content.decode()


def test_statement_is_for_the_organisations_own_people(facilitator: User) -> None:
    campaign, people = funded(facilitator, "300.00", ["BEES coop", "BLOUM"])
    bees, _bees_rep = people[0]
    services.record_payment(campaign, bees, D("100.00"), actor=facilitator, date=TODAY)
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    page = logged_in(member).get(f"/en/co-financing/statements/{bees.slug}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Balance: -€50.00 (to pay)." in html
    assert (
        logged_in(people[1][1]).get(f"/en/co-financing/statements/{bees.slug}/").status_code == 403
    )
    assert Client().get(f"/co-financing/statements/{bees.slug}/").status_code == 302


def test_a_new_member_without_any_entry_sees_an_empty_statement(facilitator: User) -> None:
    from komunigi.community.tests.factories import OrganisationFactory

    newcomer = OrganisationFactory(slug="newcomer")
    member = MembershipFactory(organisation=newcomer, role=Role.MEMBER).user
    page = logged_in(member).get("/en/co-financing/statements/newcomer/")
    assert page.status_code == 200
    assert "No entry yet." in page.content.decode()


def test_a_long_statement_is_paginated_newest_first_with_the_running_balance(
    facilitator: User,
) -> None:
    from komunigi.community.tests.factories import OrganisationFactory
    from komunigi.dates import instance_today
    from komunigi.funding.models import TransactionKind
    from komunigi.funding.statements import ENTRIES_PER_PAGE

    bees = OrganisationFactory(slug="bees")
    MembershipFactory(organisation=bees, user=facilitator)
    account, outside = ledger.account(AccountKind.ORGANISATION, bees), ledger.outside()
    for number in range(1, ENTRIES_PER_PAGE + 6):  # 1 €, 2 €, … 55 €, oldest first
        ledger.post(
            TransactionKind.PAYMENT_RECEIVED,
            [(account, Decimal(number)), (outside, -Decimal(number))],
            date=instance_today(),
        )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(facilitator)
    first = client.get("/en/co-financing/statements/bees/").context["entries"]
    total = sum(Decimal(n) for n in range(1, ENTRIES_PER_PAGE + 6))
    assert (first[0].amount, first[0].balance) == (Decimal(55), total)
    last = client.get("/en/co-financing/statements/bees/?page=2").context["entries"]
    assert [(e.amount, e.balance) for e in last][-2:] == [
        (Decimal(2), Decimal(3)),
        (Decimal(1), Decimal(1)),
    ]
