"""The campaign's charts: its money meter (what the pledges would raise while it collects, what
is paid once funded) and the "the more we are, the less each pays" curve, on the campaign page
and in the simulator, read back against their tables and against the split's own figures."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client

from komunigi.community.models import User
from komunigi.dates import instance_today
from komunigi.funding import services, split, views
from komunigi.funding.models import Campaign
from komunigi.funding.tests.test_campaign_views import logged_in
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket
from komunigi.web.tests.chart_support import (
    Chart,
    amount,
    assert_chart_shows_its_table,
    charts_in,
    text,
)

D = Decimal
pytestmark = pytest.mark.django_db


def page_charts(client: Client, address: str) -> dict[str, Chart]:
    """The page's charts by id, each read back against its table."""
    response = client.get(address)
    assert response.status_code == 200
    found = {chart.id: chart for chart in charts_in(response.content.decode())}
    for chart in found.values():
        assert_chart_shows_its_table(chart, "en")
    return found


def cell(row: ET.Element, tag: str) -> str:
    found = row.find(tag)
    assert found is not None, f"a row of the table has its {tag}"
    return text(found)


def meter(chart: Chart) -> dict[str, Decimal]:
    """A meter's parts and marks as its table gives them, by key."""
    assert chart.kind == "meter"
    return {
        row.get("data-series") or row.get("data-mark") or "": amount(cell(row, "td"), "en")
        for row in chart.element.iter("tr")
    }


def curve(chart: Chart) -> list[tuple[str, Decimal]]:
    """A bars chart's rows as its table gives them: label and value."""
    assert chart.kind == "bars"
    return [
        (cell(row, "th"), amount(cell(row, "td"), "en"))
        for row in chart.element.iter("tr")
        if row.find("td") is not None
    ]


def current_row(chart: Chart) -> list[str]:
    return [cell(row, "th") for row in chart.element.iter("tr") if row.get("class") == "current"]


def url(campaign: Campaign, action: str = "") -> str:
    return f"/en/co-financing/{campaign.pk}/{action + '/' if action else ''}"


def pledged(facilitator: User, *pledges: tuple[str, bool], **options) -> Campaign:
    """A campaign of 3 000 € (5 % overhead: 3 150 € to raise) and its pledges, each firm or
    waiting for its board."""
    campaign = open_campaign(facilitator, "3000.00", overhead_rate=D("0.05"), **options)
    for name, firm in pledges:
        organisation, representative = supermarket(name)
        services.pledge(campaign, organisation, actor=representative, needs_board_approval=not firm)
    return campaign


@pytest.mark.parametrize(
    ("minimum", "firm", "pending"),
    [
        (2, D("3150.00"), D("0.00")),  # closed now, the two firm pledges fund it
        (3, D("0.00"), D("3150.00")),  # only once the third board agrees
        (4, D("0.00"), D("0.00")),  # not even then
    ],
)
def test_a_collecting_campaign_meters_what_its_pledges_would_raise(
    facilitator: User, minimum: int, firm: Decimal, pending: Decimal
) -> None:
    campaign = pledged(
        facilitator, ("BEES coop", True), ("BLOUM", True), ("Le NID", False),
        minimum_supermarkets=minimum,
    )  # fmt: skip
    money = page_charts(logged_in(facilitator), url(campaign))["campaign-money"]

    figures = services.outlook(campaign)
    assert meter(money) == {"firm": firm, "pending": pending, "to_raise": D("3150.00")}
    # The outlook's own figures: the firm pledges' shares if closed now, and what the pending
    # boards add to them once every one agrees.
    assert firm == sum(figures.shares_now.values(), D(0))
    once_all_agree = sum(figures.shares_once_all_agree.values(), D(0))
    assert pending == (once_all_agree - firm if figures.funds_once_all_agree else D(0))
    assert money.title == "What the pledges would raise"
    assert money.summary == (
        f"Of the €3,150.00 to raise, the firm pledges would pay €{firm:,} if the campaign closed "
        f"now; once every pending board agrees, €{pending:,} more."
    )


def test_a_campaign_without_pledges_meters_nothing_against_its_amount_to_raise(
    facilitator: User,
) -> None:
    campaign = pledged(facilitator)
    found = page_charts(Client(HTTP_ACCEPT_LANGUAGE="en"), url(campaign))
    assert meter(found["campaign-money"]) == {
        "firm": D("0.00"),
        "pending": D("0.00"),
        "to_raise": D("3150.00"),
    }
    assert found["campaign-money"].summary == (
        "Of the €3,150.00 to raise, the firm pledges would pay €0.00 if the campaign closed now."
    )
    assert curve(found["campaign-curve"])[0] == ("1 supermarket", D("3150.00"))


def test_the_polled_fragment_carries_the_meter_as_it_changes(facilitator: User) -> None:
    campaign = pledged(facilitator, ("BEES coop", True), minimum_supermarkets=2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    before = page_charts(client, url(campaign, "split"))
    assert meter(before["campaign-money"])["firm"] == D("0.00")

    organisation, representative = supermarket("BLOUM")
    services.pledge(campaign, organisation, actor=representative)
    after = page_charts(client, url(campaign, "split"))
    assert meter(after["campaign-money"])["firm"] == D("3150.00")
    assert current_row(after["campaign-curve"]) == ["2 supermarkets"]


def test_a_collecting_campaigns_curve_is_its_splits_own(facilitator: User) -> None:
    campaign = pledged(facilitator, ("BEES coop", True), ("BLOUM", True), ("Le NID", False))
    found = page_charts(Client(HTTP_ACCEPT_LANGUAGE="en"), url(campaign))

    seen = services.preview(campaign)
    every_pledge = seen.all_agree
    assert every_pledge is not None
    assert every_pledge.participants == 3
    # From today's three pledges to five more.
    expected = [(f"{p.participants} supermarkets", p.share) for p in every_pledge.curve[2:]]
    assert curve(found["campaign-curve"]) == expected
    assert expected[0] == ("3 supermarkets", D("1050.00"))
    assert expected[-1] == ("8 supermarkets", D("393.75"))
    assert current_row(found["campaign-curve"]) == ["3 supermarkets"]
    assert found["campaign-curve"].summary == (
        "The share of a supermarket of average weight falls from €1,050.00 with 3 supermarkets "
        "to €393.75 with 8 supermarkets. Today: 3 supermarkets, €1,050.00 each."
    )


def funded(facilitator: User) -> tuple[Campaign, list]:
    """Three supermarkets share 300 € equally (100 € each), funded."""
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    people = [supermarket(name) for name in ("BEES coop", "BLOUM", "Le NID")]
    for organisation, representative in people:
        services.pledge(campaign, organisation, actor=representative)
    services.close_campaign(campaign, actor=facilitator)
    return campaign, people


def test_a_payment_grows_the_paid_part_even_off_the_page_of_shares(
    facilitator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "SHARES_PER_PAGE", 2)  # Le NID's share is on the second page
    campaign, people = funded(facilitator)
    client = logged_in(facilitator)
    before = page_charts(client, url(campaign))
    assert meter(before["campaign-money"]) == {
        "paid": D("0.00"),
        "due": D("300.00"),
        "raised": D("300.00"),
    }
    assert "campaign-curve" not in before, "the curve is for campaigns still collecting"

    le_nid = people[2][0]
    services.record_payment(campaign, le_nid, D("60.00"), actor=facilitator, date=instance_today())
    after = page_charts(client, url(campaign))["campaign-money"]
    assert meter(after) == {"paid": D("60.00"), "due": D("240.00"), "raised": D("300.00")}
    assert after.title == "What is paid"
    assert after.summary == "Of the €300.00 raised, €60.00 is paid and €240.00 still due."


def test_where_shares_are_hidden_the_page_reveals_no_more_than_before(
    facilitator: User, settings: pytest.FixtureRequest
) -> None:
    settings.KOMUNIGI_PUBLIC_SHARES = False
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    collecting = pledged(facilitator, ("Coopéco", True), ("GASAP", True), minimum_supermarkets=2)
    # Closed now it is funded and raises its amount to raise: the page says so in words.
    assert meter(page_charts(visitor, url(collecting))["campaign-money"])["firm"] == D("3150.00")

    campaign, _people = funded(facilitator)
    html = visitor.get(url(campaign)).content.decode()
    assert charts_in(html) == [], "what each paid, and so what all paid, stays hidden"
    assert "Raised from the supermarkets: <strong>€300.00</strong>" in html


def test_the_simulators_curve_is_the_splits_curve(client: Client) -> None:
    response = client.post(
        "/en/co-financing/simulator/",
        {
            "total": "1000",
            "overhead": "5",
            "p-TOTAL_FORMS": "3",
            "p-INITIAL_FORMS": "0",
            **{f"p-{i}-name": name for i, name in enumerate(["A", "B", "C"])},
            **{f"p-{i}-weight": weight for i, weight in enumerate(["1", "2", "3"])},
            "p-0-cap": "100",
        },
    )
    (chart,) = charts_in(response.content.decode())
    assert_chart_shows_its_table(chart, "en")
    result = response.context["result"]
    assert isinstance(result, split.Split)
    labels = ["1 supermarket"] + [f"{n} supermarkets" for n in range(2, 9)]
    assert curve(chart) == list(zip(labels, (p.share for p in result.curve), strict=True))
    assert [p.share for p in result.curve][:3] == [D("1050.00"), D("525.00"), D("350.00")]
    assert current_row(chart) == ["3 supermarkets"]
    assert chart.title == "The more we are, the less each pays"
    assert chart.summary == (
        "The share of a supermarket of average weight falls from €1,050.00 with 1 supermarket "
        "to €131.25 with 8 supermarkets. Today: 3 supermarkets, €350.00 each."
    )


def test_an_unfundable_simulation_still_shows_its_curve(client: Client) -> None:
    response = client.post(
        "/en/co-financing/simulator/",
        {
            "total": "300",
            "p-TOTAL_FORMS": "2",
            "p-INITIAL_FORMS": "0",
            "p-0-name": "A",
            "p-0-cap": "100",
            "p-1-name": "B",
            "p-1-cap": "100",
        },
    )
    (chart,) = charts_in(response.content.decode())
    assert_chart_shows_its_table(chart, "en")
    assert "Not fundable" in response.content.decode()
    assert current_row(chart) == ["2 supermarkets"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_campaign_page_and_its_fragment_run_a_fixed_number_of_queries(
    facilitator: User, django_assert_num_queries, count: int
) -> None:
    pledges = ((f"Supermarket {n}", n % 2 == 0) for n in range(count))
    campaign = pledged(facilitator, *pledges, minimum_supermarkets=1)
    client = logged_in(facilitator)
    client.get(url(campaign))  # the outlook, cached for the same pledges
    # session, user; the campaign with its need and quote; a page of pledges and how many;
    # the facilitator's supermarkets and own pledges
    with django_assert_num_queries(7):
        assert client.get(url(campaign)).status_code == 200
    # session, user; the campaign; a page of pledges and how many
    with django_assert_num_queries(5):
        assert client.get(url(campaign, "split")).status_code == 200

    services.close_campaign(campaign, actor=facilitator)
    # session, user, the campaign; the shares: what each bears, the late joiners twice, what
    # each paid (one list of all of them for the table's page and the meter); the facilitator's
    # own pledges, the payment and late-joiner forms' choices, the ledger entries (as before
    # the meter: it adds none)
    with django_assert_num_queries(17):
        assert client.get(url(campaign)).status_code == 200
