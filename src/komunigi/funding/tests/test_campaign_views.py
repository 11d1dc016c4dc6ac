"""The campaign pages: who sees which control, what each write does, and what it refuses."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.funding import ledger, services
from komunigi.funding.models import AccountKind, Campaign, LedgerTransaction, Pledge
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket
from komunigi.needs.tests.factories import NeedFactory, QuoteFactory

D = Decimal
pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(campaign: Campaign, action: str = "") -> str:
    return f"/en/co-financing/{campaign.pk}/{action + '/' if action else ''}"


def close_early(client: Client, campaign: Campaign) -> str:
    """Close before the deadline: the first post shows what closing does, the second confirms
    it. Returns the confirmation page."""
    page = client.post(url(campaign, "close"))
    assert page.status_code == 200
    assert Campaign.objects.get(pk=campaign.pk).status == "collecting"
    version = page.context["version"]
    client.post(url(campaign, "close"), {"confirm": "1", "version": version})
    return page.content.decode()


def test_facilitator_opens_a_campaign_from_an_approved_need(facilitator: User) -> None:
    need = NeedFactory(status="approved")
    quote = QuoteFactory(need=need, amount=D("400.00"))
    client = logged_in(facilitator)
    page = client.get(f"/en/needs/{need.pk}/co-financing/")
    assert page.status_code == 200
    deadline = (timezone.localtime() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/en/needs/{need.pk}/co-financing/",
        {
            "quote": quote.pk,
            "split_rule": "equal",
            "overhead": "5",
            "minimum_supermarkets": "2",
            "deadline": deadline,
        },
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/en/co-financing/{campaign.pk}/"
    assert (campaign.overhead_rate, campaign.cost) == (D("0.05"), D("400.00"))


def test_opening_form_keeps_what_was_typed_when_refused(facilitator: User) -> None:
    need = NeedFactory(status="approved")
    quote = QuoteFactory(need=need)
    response = logged_in(facilitator).post(
        f"/en/needs/{need.pk}/co-financing/",
        {
            "quote": quote.pk,
            "split_rule": "equal",
            "overhead": "150",
            "deadline": "2020-01-01T10:00",
            "minimum_supermarkets": "3",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "From 0 to less than 100, with at most 2 decimals." in html
    assert "The deadline must be in the future." in html
    assert 'value="150"' in html
    assert Campaign.objects.count() == 0


def test_only_facilitators_open_or_close(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    _bees, representative = supermarket("BEES coop")
    client = logged_in(representative)
    assert client.get(f"/en/needs/{campaign.need_id}/co-financing/").status_code == 403
    assert client.post(url(campaign, "close")).status_code == 403
    campaign.refresh_from_db()
    assert campaign.is_collecting


def test_representative_pledges_with_a_cap_and_sees_the_split(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00")
    bees, bees_rep = supermarket("BEES coop")
    bloum, bloum_rep = supermarket("BLOUM")
    services.pledge(campaign, bloum, actor=bloum_rep)
    client = logged_in(bees_rep)

    response = client.post(
        url(campaign, "pledge"), {"supermarket": bees.pk, "cap": "100", "action": "pledge"}
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get(organisation=bees)
    assert (pledge.cap, pledge.pledged_by) == (D("100.00"), bees_rep)
    html = client.get(url(campaign)).content.decode()
    assert '<td class="amount">€100.00</td>' in html  # its cap, and its share
    assert '<td class="amount">€200.00</td>' in html  # BLOUM pays the rest


def test_pledge_form_refuses_a_bad_cap_and_keeps_it(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    bees, representative = supermarket("BEES coop")
    response = logged_in(representative).post(
        url(campaign, "pledge"), {"supermarket": bees.pk, "cap": "-3", "action": "pledge"}
    )
    assert response.status_code == 400
    assert "An amount cannot be negative." in response.content.decode()
    assert 'value="-3"' in response.content.decode()
    assert Pledge.objects.count() == 0


def test_nobody_pledges_for_another_supermarket(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    bees, _ = supermarket("BEES coop")
    _, bloum_rep = supermarket("BLOUM")
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    for person in (bloum_rep, member):
        response = logged_in(person).post(url(campaign, "pledge"), {"supermarket": bees.pk})
        assert response.status_code in (400, 403)
    assert Pledge.objects.count() == 0


def test_conditional_pledge_is_confirmed_then_withdrawn(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    bees, representative = supermarket("BEES coop")
    client = logged_in(representative)
    client.post(
        url(campaign, "pledge"),
        {"supermarket": bees.pk, "needs_board_approval": "on", "action": "pledge"},
    )
    assert "waiting for its board" in client.get(url(campaign)).content.decode()
    client.post(url(campaign, "pledge"), {"supermarket": bees.pk, "action": "confirm"})
    assert Pledge.objects.get().is_firm
    client.post(url(campaign, "pledge"), {"supermarket": bees.pk, "action": "withdraw"})
    assert Pledge.objects.count() == 0


def test_facilitator_closes_records_a_payment_and_exports_the_shares(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00")
    people = [supermarket(name) for name in ("BEES coop", "BLOUM", "Le NID")]
    for organisation, representative in people:
        services.pledge(campaign, organisation, actor=representative)
    client = logged_in(facilitator)
    close_early(client, campaign)
    campaign.refresh_from_db()
    assert campaign.status == "funded"

    bees = people[0][0]
    response = client.post(
        url(campaign, "payments"),
        {"organisation": bees.pk, "amount": "100,00", "date": "2026-11-20", "reference": "VIR-42"},
    )
    assert response.status_code == 302
    assert ledger.balance(ledger.account(AccountKind.ORGANISATION, bees)) == 0
    page = client.get(url(campaign)).content.decode()
    assert "VIR-42" in page

    rows = list(csv.reader(io.StringIO(client.get(url(campaign) + "shares.csv").content.decode())))
    assert rows == [
        ["organisation", "share", "paid", "due", "currency"],
        ["BEES coop", "100.00", "100.00", "0.00", "EUR"],
        ["BLOUM", "100.00", "0.00", "100.00", "EUR"],
        ["Le NID", "100.00", "0.00", "100.00", "EUR"],
    ]
    payment = LedgerTransaction.objects.get(reference="VIR-42")
    client.post(f"/en/ledger/{payment.pk}/reverse/", {"reason": "Wrong supermarket"})
    assert ledger.balance(ledger.account(AccountKind.ORGANISATION, bees)) == D("-100.00")


def test_payment_form_refuses_bad_amounts(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    bees, representative = supermarket("BEES coop")
    services.pledge(campaign, bees, actor=representative)
    services.close_campaign(campaign, actor=facilitator)
    response = logged_in(facilitator).post(
        url(campaign, "payments"),
        {"organisation": bees.pk, "amount": "12.345", "date": "2026-11-20"},
    )
    assert response.status_code == 400
    assert "At most 2 decimals." in response.content.decode()
    assert LedgerTransaction.objects.exclude(kind="campaign_funded").count() == 0


def test_shares_export_is_for_facilitators_and_the_provider(facilitator: User) -> None:
    campaign = open_campaign(facilitator, minimum_supermarkets=1)
    bees, representative = supermarket("BEES coop")
    services.pledge(campaign, bees, actor=representative)
    services.close_campaign(campaign, actor=facilitator)
    provider_person = MembershipFactory(organisation=campaign.quote.provider).user
    other_provider = MembershipFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.PROVIDER)
    ).user
    csv_url = url(campaign) + "shares.csv"
    assert logged_in(provider_person).get(csv_url).status_code == 200
    assert logged_in(other_provider).get(csv_url).status_code == 403
    assert logged_in(representative).get(csv_url).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_campaign_page_queries_do_not_grow_with_pledges(facilitator: User, count: int) -> None:
    campaign = open_campaign(facilitator)
    for _ in range(count):
        organisation, representative = supermarket()
        services.pledge(campaign, organisation, actor=representative)
    client = logged_in(facilitator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(campaign)).status_code == 200
    assert len(queries) <= 12
    with CaptureQueriesContext(connection) as listing:
        assert client.get("/en/co-financing/").status_code == 200
    assert len(listing) <= 8


def test_facilitator_adds_a_late_joiner_from_the_campaign_page(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    bees, representative = supermarket("BEES coop")
    services.pledge(campaign, bees, actor=representative)
    services.close_campaign(campaign, actor=facilitator)
    newcomer, newcomer_rep = supermarket("Coopéco")
    client = logged_in(facilitator)
    assert "Coopéco" in client.get(url(campaign)).content.decode()

    refused = client.post(
        url(campaign, "late-joiners"), {"supermarket": newcomer.pk, "premium": "abc"}
    )
    assert refused.status_code == 400
    assert "“abc” is not a number." in refused.content.decode()
    assert (
        logged_in(newcomer_rep)
        .post(url(campaign, "late-joiners"), {"supermarket": newcomer.pk, "premium": "0"})
        .status_code
        == 403
    )

    client.post(url(campaign, "late-joiners"), {"supermarket": newcomer.pk, "premium": "0"})
    assert services.borne_shares(campaign) == {bees.pk: D("150.00"), newcomer.pk: D("150.00")}
