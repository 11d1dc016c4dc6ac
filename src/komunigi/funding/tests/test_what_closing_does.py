"""What a campaign page shows is what closing it does: the live split, the confirmation of an
early close, the shares after a late joiner, and the roadmap's estimate."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import User
from komunigi.funding import services
from komunigi.funding.models import Campaign, CampaignStatus
from komunigi.funding.tests.test_campaign_views import logged_in, url
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket
from komunigi.needs.tests.factories import InterestFactory, NeedFactory, QuoteFactory

D = Decimal
pytestmark = pytest.mark.django_db


def three_pledges_one_pending(facilitator: User) -> tuple[Campaign, list[tuple]]:
    """Two firm pledges and one "subject to our board's approval" not confirmed yet."""
    campaign = open_campaign(facilitator, "4500.00", minimum_supermarkets=2)
    people = [supermarket(name) for name in ("BEES coop", "BLOUM", "Le NID")]
    for organisation, person in people[:2]:
        services.pledge(campaign, organisation, actor=person)
    services.pledge(campaign, people[2][0], actor=people[2][1], needs_board_approval=True)
    return campaign, people


def shown_shares(campaign: Campaign) -> dict[str, tuple[str, str]]:
    """The live split's table as a visitor reads it: each row's two share columns."""
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(url(campaign, "split")).content.decode()
    table = html[html.index('<table class="shares">') :]  # not the charts' tables
    rows = {}
    for row in table[: table.index("</table>")].split("<tr>")[2:]:
        name = row.split('<th scope="row">')[1].split("</th>")[0]
        cells = [c.split("</td>")[0] for c in row.split('<td class="amount">')[2:]]
        rows[name] = (cells[0], cells[1])
    return rows


def test_the_live_split_counts_firm_pledges_as_the_close_does(facilitator: User) -> None:
    campaign, people = three_pledges_one_pending(facilitator)

    assert shown_shares(campaign) == {
        "BEES coop": ("€2,250.00", "€1,500.00"),
        "BLOUM": ("€2,250.00", "€1,500.00"),
        "Le NID": ("—", "€1,500.00"),
    }
    closed = services.close_campaign(campaign, actor=facilitator)

    assert closed.status == CampaignStatus.FUNDED
    assert services.borne_shares(closed) == {
        people[0][0].pk: D("2250.00"),
        people[1][0].pk: D("2250.00"),
    }


def test_the_live_split_says_when_closing_now_would_fail(facilitator: User) -> None:
    campaign, people = three_pledges_one_pending(facilitator)
    services.withdraw_pledge(campaign, people[1][0], actor=people[1][1])

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(url(campaign)).content.decode()

    assert "Closed now, the campaign would fail: 1 firm pledge, 2 needed." in page
    assert "Once every pending board agrees, it would be funded" in page
    assert services.close_campaign(campaign, actor=facilitator).status == CampaignStatus.FAILED


def test_closing_before_the_deadline_asks_for_confirmation_and_names_who_is_left_out(
    facilitator: User,
) -> None:
    campaign, _people = three_pledges_one_pending(facilitator)
    client = logged_in(facilitator)

    page = client.post(url(campaign, "close"))

    assert page.status_code == 200
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.COLLECTING
    text = page.content.decode()
    assert "Closed now, the campaign is funded" in text
    assert "These supermarkets' boards have not confirmed their pledges yet" in text
    assert [p.organisation.name for p in page.context["outlook"].pending] == ["Le NID"]

    client.post(url(campaign, "close"), {"confirm": "1", "version": page.context["version"]})
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.FUNDED


def test_a_confirmation_given_for_other_pledges_closes_nothing(facilitator: User) -> None:
    campaign, people = three_pledges_one_pending(facilitator)
    client = logged_in(facilitator)
    version = client.post(url(campaign, "close")).context["version"]
    services.confirm_pledge(campaign, people[2][0], actor=people[2][1])  # meanwhile

    again = client.post(url(campaign, "close"), {"confirm": "1", "version": version})

    assert again.status_code == 409
    assert "The pledges changed since you looked" in again.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.COLLECTING


def test_a_campaign_past_its_deadline_closes_without_confirmation(facilitator: User) -> None:
    campaign, _people = three_pledges_one_pending(facilitator)
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - datetime.timedelta(1))

    logged_in(facilitator).post(url(campaign, "close"))

    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.FUNDED


def test_late_joiners_appear_on_the_page_the_csv_and_the_history_alike(
    facilitator: User,
) -> None:
    campaign, _people = three_pledges_one_pending(facilitator)
    closed = services.close_campaign(campaign, actor=facilitator)
    newcomer, _ = supermarket("Coopéco")
    services.add_late_joiner(closed, newcomer, actor=facilitator)
    client = logged_in(facilitator)

    on_page = [(r.name, r.share) for r in client.get(url(closed)).context["shares"]]
    in_csv = [
        (row[0], D(row[1]))
        for row in list(
            csv.reader(io.StringIO(client.get(url(closed) + "shares.csv").content.decode()))
        )[1:]
    ]
    history = client.get("/en/co-financing/history/").context["campaigns"]
    in_history = {c: shares for c, shares, _count in history}[closed]

    expected = [("BEES coop", D("1500.00")), ("BLOUM", D("1500.00")), ("Coopéco", D("1500.00"))]
    assert on_page == in_csv == [(n, s) for n, s in in_history] == expected
    assert "joined later" in client.get(url(closed)).content.decode()


def test_the_roadmap_shows_what_a_campaign_with_the_defaults_charges(
    facilitator: User, settings
) -> None:
    settings.KOMUNIGI_OVERHEAD_RATE = D("0.05")
    need = NeedFactory(status="open")
    quote = QuoteFactory(need=need, amount=D("1500.00"))
    people = [supermarket(name) for name in ("BEES coop", "BLOUM")]
    for organisation, _person in people:
        InterestFactory(need=need, organisation=organisation)

    ((_item, estimate),) = Client().get("/en/roadmap/").context["rows"]
    assert (estimate.lowest, estimate.highest) == (D("787.50"), D("787.50"))

    need.status = "approved"
    need.save()
    campaign = services.open_campaign(
        need, quote, actor=facilitator, deadline=timezone.now() + datetime.timedelta(days=3)
    )
    for organisation, person in people:
        services.pledge(campaign, organisation, actor=person)
    closed = services.close_campaign(campaign, actor=facilitator)
    assert set(services.borne_shares(closed).values()) == {estimate.highest}
