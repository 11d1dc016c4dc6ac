"""The community fund supports shared work: its contribution to a campaign's cost, and the
sponsorship of new partners, at a campaign's close and on a late joiner's catch-up share."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from komunigi.community.models import JoinRequest, User
from komunigi.community.tests.factories import OrganisationFactory
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import budget, ledger, services
from komunigi.funding.models import AccountKind, Sponsorship
from komunigi.funding.tests.test_campaign_views import logged_in
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket
from komunigi.needs.tests.factories import NeedFactory, QuoteFactory

D = Decimal
pytestmark = pytest.mark.django_db


def owed(organisation) -> Decimal:
    return ledger.balance(ledger.account(AccountKind.ORGANISATION, organisation))


def test_a_facilitator_opens_a_campaign_with_a_community_contribution(facilitator: User) -> None:
    need = NeedFactory(status="approved")
    quote = QuoteFactory(need=need, amount=D("1000.00"), provider_contribution=D("100.00"))
    deadline = (timezone.localtime() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    fields = {
        "quote": quote.pk,
        "split_rule": "equal",
        "overhead": "0",
        "minimum_supermarkets": "1",
        "deadline": deadline,
    }
    client = logged_in(facilitator)
    refused = client.post(
        f"/en/needs/{need.pk}/co-financing/", {**fields, "community_contribution": "950"}
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "community_contribution": ["With the provider's contribution, it would exceed the cost."]
    }
    assert refused.context["form"]["community_contribution"].value() == "950"

    client.post(f"/en/needs/{need.pk}/co-financing/", {**fields, "community_contribution": "300"})
    campaign = need.campaigns.get()
    assert campaign.community_contribution == D("300.00")
    people = [supermarket(name) for name in ("BEES coop", "BLOUM")]
    for organisation, person in people:
        services.pledge(campaign, organisation, actor=person)
    assert services.preview(campaign).now.to_raise == D("600.00")  # 1000 − 100 − 300

    services.close_campaign(campaign, actor=facilitator)

    assert [owed(o) for o, _ in people] == [D("-300.00"), D("-300.00")]
    assert ledger.balance(ledger.fund()) == D("-300.00")
    provider = ledger.account(AccountKind.PROVIDER, quote.provider)
    assert ledger.balance(provider) == D("900.00")
    year = budget.years()[0]
    assert year.expenses["contributions"] == D("300.00")
    assert [(c.campaign, c.amount) for c in budget.contributions()] == [(campaign, D("300.00"))]
    page = logged_in(facilitator).get("/en/co-financing/budget/").content.decode()
    assert "Contributions to co-financed developments" in page


def test_a_failed_campaign_costs_the_fund_nothing(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "500.00", community_contribution=D("200.00"))
    services.close_campaign(campaign, actor=facilitator)  # nobody pledged
    assert ledger.balance(ledger.fund()) == 0


def test_contributions_above_the_cost_are_refused_by_the_service(facilitator: User) -> None:
    with pytest.raises(DomainError) as raised:
        open_campaign(facilitator, "500.00", "100.00", community_contribution=D("400.01"))
    assert raised.value.message == (
        "Les contributions du prestataire et du fonds commun dépassent le coût."
    )


def sponsor(organisation, facilitator: User, percentage: str = "50") -> Sponsorship:
    today = instance_today()
    return services.grant_sponsorship(
        organisation,
        actor=facilitator,
        percentage=D(percentage),
        starts_on=today,
        ends_on=today + datetime.timedelta(days=365),
        note="Welcome",
    )


def test_a_sponsorship_pays_part_of_a_late_joiners_catch_up_share(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    people = [supermarket(name) for name in ("BEES coop", "BLOUM")]
    for organisation, person in people:
        services.pledge(campaign, organisation, actor=person)
    services.close_campaign(campaign, actor=facilitator)
    newcomer, _ = supermarket("Le NID")
    sponsorship = sponsor(newcomer, facilitator)

    services.add_late_joiner(campaign, newcomer, actor=facilitator)

    assert owed(newcomer) == D("-50.00")  # 100, half of it paid by the fund
    assert ledger.balance(ledger.fund()) == D("-50.00")
    assert services.sponsorship_costs([sponsorship]) == {sponsorship.pk: D("50.00")}
    assert ledger.total_of_all_lines() == 0


def test_sponsorships_are_granted_on_a_page_and_their_cost_is_on_the_budget(
    facilitator: User,
) -> None:
    bees, _ = supermarket("BEES coop")
    today = instance_today()
    client = logged_in(facilitator)
    fields = {
        "organisation": bees.pk,
        "percentage": "50",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=90)).isoformat(),
        "note": "New partner",
    }
    refused = client.post("/en/co-financing/sponsorships/", {**fields, "percentage": "150"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "percentage": ["Above 0 and at most 100, with at most 2 decimals."]
    }
    assert refused.context["form"]["note"].value() == "New partner"
    assert Sponsorship.objects.count() == 0

    client.post("/en/co-financing/sponsorships/", fields)
    sponsorship = Sponsorship.objects.get()
    assert (sponsorship.percentage, sponsorship.granted_by) == (D("50.00"), facilitator)
    overlapping = client.post("/en/co-financing/sponsorships/", fields)
    assert overlapping.context["form"].non_field_errors() == [
        f"BEES coop is already sponsored from {today.isoformat()} to "
        f"{(today + datetime.timedelta(days=90)).isoformat()}."
    ]

    campaign = open_campaign(facilitator, "200.00", minimum_supermarkets=1)
    services.pledge(campaign, bees, actor=bees.memberships.get().user)
    services.close_campaign(campaign, actor=facilitator)
    budget_page = client.get("/en/co-financing/budget/")
    assert budget_page.context["sponsorships"] == [(sponsorship, D("100.00"))]

    client.post(f"/en/co-financing/sponsorships/{sponsorship.pk}/end/")
    sponsorship.refresh_from_db()
    assert sponsorship.ends_on == today


def test_only_facilitators_sponsor(representative: User, facilitator: User) -> None:
    bees = representative.memberships.get().organisation
    assert logged_in(representative).get("/en/co-financing/sponsorships/").status_code == 403
    with pytest.raises(PermissionDenied):
        sponsor(bees, representative)
    provider = OrganisationFactory(kind="provider")
    with pytest.raises(DomainError):
        sponsor(provider, facilitator)


@pytest.mark.parametrize("percentage", ["0", "-5", "100.01", "12.345"])
def test_the_service_refuses_a_percentage_no_sponsorship_can_pay(
    facilitator: User, percentage: str
) -> None:
    bees, _ = supermarket("BEES coop")
    with pytest.raises(DomainError, match="au plus 100, avec au plus 2 décimales"):
        sponsor(bees, facilitator, percentage)
    assert Sponsorship.objects.count() == 0
    assert sponsor(bees, facilitator, "100").percentage == D("100")


def test_accepting_a_supermarkets_join_request_offers_to_sponsor_it(facilitator: User) -> None:
    join_request = JoinRequest.objects.create(
        organisation_name="Coop Nouvelle",
        kind="supermarket",
        country="BE",
        contact_name="Nina",
        contact_email="nina@nouvelle.example",
        consent=True,
        language="fr",
    )
    client = logged_in(facilitator)
    response = client.post(f"/en/facilitation/join-requests/{join_request.pk}/", {"accept": "1"})
    organisation = JoinRequest.objects.get(pk=join_request.pk).organisation
    assert response["Location"] == (
        f"/en/co-financing/sponsorships/?organisation={organisation.slug}&welcome=1"
    )
    page = client.get(response["Location"])
    assert page.context["form"]["organisation"].value() == organisation.pk
    assert "Coop Nouvelle is now a member. Would the community sponsor" in page.content.decode()
