"""/api/v1/campaigns: the co-financing campaigns as their pages show them, and pledging through
the page's own form and services."""

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from komunigi.community.models import Role, User
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import MembershipFactory
from komunigi.dates import instance_today
from komunigi.funding import services
from komunigi.funding.models import Campaign, CampaignStatus, Pledge
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket

D = Decimal
pytestmark = pytest.mark.django_db


def token(user: User, *, read_only: bool = False) -> str:
    return create_api_token(user, name="script", read_only=read_only)[1]


def get(path: str, user: User | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"} if user else {}
    response = Client().get(f"/api/v1{path}", HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def post(
    campaign: Campaign, action: str, payload: dict, raw: str | None, language: str = "en"
) -> tuple[int, Any]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    response = Client().post(
        f"/api/v1/campaigns/{campaign.pk}/{action}",
        json.dumps(payload),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
        **headers,
    )
    return response.status_code, response.json() if response.content else None


def page_split(campaign: Campaign) -> dict[str, tuple]:
    """The campaign page's split: each pledging supermarket's shares if closed now and once
    every pending board agreed, as the page's context has them."""
    rows = Client().get(f"/en/co-financing/{campaign.pk}/").context["rows"]
    return {found.organisation.slug: (now, all_agree) for found, now, all_agree in rows}


def api_split(campaign: Campaign, user: User | None = None) -> dict[str, tuple]:
    """The same from the API, its amounts (strings of two decimals) read as decimals."""
    pledges = get(f"/campaigns/{campaign.pk}", user)["pledges"]
    return {
        p["organisation"]: tuple(
            None if amount is None else D(amount)
            for amount in (p["share_if_closed_now"], p["share_once_all_agree"])
        )
        for p in pledges
    }


# Reading -----------------------------------------------------------------------------------


def test_list_shows_collecting_campaigns_by_deadline_then_closed_ones_to_everybody(
    facilitator: User, outsider: User
) -> None:
    later = open_campaign(facilitator, "300.00", deadline=timezone.now() + datetime.timedelta(9))
    sooner = open_campaign(facilitator, "200.00", deadline=timezone.now() + datetime.timedelta(3))
    closed = open_campaign(facilitator, "100.00", minimum_supermarkets=1)
    bees, bees_rep = supermarket("BEES coop")
    services.pledge(closed, bees, actor=bees_rep)
    services.close_campaign(closed, actor=facilitator)
    _bloum, bloum_rep = supermarket("BLOUM")
    for caller in (None, bees_rep, bloum_rep, outsider):
        listed = get("/campaigns", caller)
        assert listed["count"] == 3
        assert [c["id"] for c in listed["items"]] == [sooner.pk, later.pk, closed.pk]
    funded = get("/campaigns?status=funded")["items"]
    assert [(c["id"], c["status"], c["raised"], c["url"]) for c in funded] == [
        (closed.pk, "funded", "100.00", f"http://testserver/en/co-financing/{closed.pk}/")
    ]


def test_list_rows_hold_the_figures_the_split_gives(facilitator: User) -> None:
    campaign = open_campaign(
        facilitator, "1000.00", contribution="100.00", overhead_rate=D("0.05"),
        community_contribution=D("50.00"), minimum_supermarkets=2,
    )  # fmt: skip
    bees, bees_rep = supermarket("BEES coop")
    bloum, bloum_rep = supermarket("BLOUM")
    services.pledge(campaign, bees, actor=bees_rep)
    services.pledge(campaign, bloum, actor=bloum_rep, needs_board_approval=True)
    row = get("/campaigns")["items"][0]
    # (1000 − 100 − 50) × 1.05 = 892.50; one firm pledge of the two needed: nothing raised yet.
    assert {k: row[k] for k in ("need", "title", "status", "cost", "to_raise", "raised")} == {
        "need": campaign.need_id,
        "title": campaign.need.title,
        "status": "collecting",
        "cost": "1000.00",
        "to_raise": "892.50",
        "raised": "0.00",
    }
    assert (row["pledge_count"], row["firm_pledge_count"], row["minimum_supermarkets"]) == (2, 1, 2)
    services.confirm_pledge(campaign, bloum, actor=bloum_rep)
    row = get("/campaigns")["items"][0]
    assert (row["raised"], row["firm_pledge_count"]) == ("892.50", 2)


@pytest.mark.parametrize("count", [1, 3])
def test_list_queries_do_not_grow_with_campaigns_or_pledges(
    facilitator: User, count: int, django_assert_num_queries
) -> None:
    for _ in range(count):
        campaign = open_campaign(facilitator, minimum_supermarkets=1)
        for _ in range(count):
            organisation, representative = supermarket()
            services.pledge(campaign, organisation, actor=representative)
    closed = open_campaign(facilitator)
    services.close_campaign(closed, actor=facilitator)
    client = Client()
    # The count and the page of campaigns (need, quote, counts); each collecting campaign's
    # figures come from the cache the campaign page fills, read once per version of its
    # pledges (one query for its pledges the first time, none after).
    with django_assert_num_queries(2 + count):
        listed = client.get("/api/v1/campaigns").json()
    assert listed["count"] == count + 1
    assert [c["raised"] for c in listed["items"]] == ["300.00"] * count + ["0.00"]
    with django_assert_num_queries(2):
        assert client.get("/api/v1/campaigns").json() == listed


def test_detail_shows_the_live_split_the_page_shows_with_pending_boards(
    facilitator: User,
) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=2)
    bees, bees_rep = supermarket("BEES coop")
    bloum, bloum_rep = supermarket("BLOUM")
    nid, nid_rep = supermarket("Le NID")
    services.pledge(campaign, bees, actor=bees_rep, cap=D("50.00"))
    services.pledge(campaign, bloum, actor=bloum_rep)
    services.pledge(campaign, nid, actor=nid_rep, needs_board_approval=True)
    found = get(f"/campaigns/{campaign.pk}")
    assert found["pledges"] == [
        {
            "organisation": bees.slug, "name": "BEES coop", "state": "firm", "cap": "50.00",
            "weight": None, "share_if_closed_now": "50.00", "share_once_all_agree": "50.00",
        },
        {
            "organisation": bloum.slug, "name": "BLOUM", "state": "firm", "cap": None,
            "weight": None, "share_if_closed_now": "250.00", "share_once_all_agree": "125.00",
        },
        {
            "organisation": nid.slug, "name": "Le NID", "state": "waiting_for_board",
            "cap": None, "weight": None, "share_if_closed_now": None,
            "share_once_all_agree": "125.00",
        },
    ]  # fmt: skip
    assert api_split(campaign) == page_split(campaign)
    assert found["outlook"] == {
        "firm_pledges": 2,
        "pending_pledges": 1,
        "enough_firm": True,
        "funds_now": True,
        "funds_once_all_agree": True,
        "shortfall_now": "0.00",
    }
    assert found["totals"] == {
        "firm": "300.00", "pending_board": "125.00", "paid": "0.00", "due": "0.00"
    }  # fmt: skip
    assert (found["to_raise"], found["raised"], found["overhead"]) == ("300.00", "300.00", "0.00")
    assert found["quote"] == {
        "id": campaign.quote_id,
        "provider": campaign.quote.provider.slug,
        "provider_name": campaign.quote.provider.name,
        "amount": "300.00",
        "provider_contribution": "0.00",
    }
    assert (found["shares"], found["may_pledge_for"], found["amounts_shown"]) == ([], [], True)


def test_detail_hides_what_each_pays_from_visitors_when_the_instance_says_so(
    facilitator: User, outsider: User, settings: Any
) -> None:
    settings.KOMUNIGI_PUBLIC_SHARES = False
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    bees, bees_rep = supermarket("BEES coop")
    services.pledge(campaign, bees, actor=bees_rep, cap=D("400.00"))
    _bloum, bloum_rep = supermarket("BLOUM")
    for visitor in (None, outsider):
        seen = get(f"/campaigns/{campaign.pk}", visitor)
        assert seen["amounts_shown"] is False
        rows = [
            (p["name"], p["state"], p["cap"], p["share_if_closed_now"]) for p in seen["pledges"]
        ]
        assert rows == [("BEES coop", "firm", None, None)]
        assert (seen["raised"], seen["totals"]["pending_board"]) == ("300.00", None)
    for member in (bees_rep, bloum_rep, facilitator):
        seen = get(f"/campaigns/{campaign.pk}", member)
        assert (seen["pledges"][0]["cap"], seen["pledges"][0]["share_if_closed_now"]) == (
            "400.00", "300.00"
        )  # fmt: skip
    services.close_campaign(campaign, actor=facilitator)
    services.record_payment(campaign, bees, D("100.00"), actor=facilitator, date=instance_today())
    hidden = get(f"/campaigns/{campaign.pk}")
    assert hidden["shares"] == [
        {"organisation": bees.slug, "name": "BEES coop", "late_joiner": False,
         "share": None, "paid": None, "due": None}
    ]  # fmt: skip
    assert hidden["totals"] == {"firm": "300.00", "pending_board": None, "paid": None, "due": None}
    shown = get(f"/campaigns/{campaign.pk}", bloum_rep)
    assert [(s["share"], s["paid"], s["due"]) for s in shown["shares"]] == [
        ("300.00", "100.00", "200.00")
    ]
    assert shown["totals"] == {
        "firm": "300.00", "pending_board": None, "paid": "100.00", "due": "200.00"
    }  # fmt: skip


def test_detail_of_a_failed_campaign_and_of_none(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=2)
    bees, bees_rep = supermarket("BEES coop")
    services.pledge(campaign, bees, actor=bees_rep)
    services.close_campaign(campaign, actor=facilitator)
    failed = get(f"/campaigns/{campaign.pk}")
    assert (failed["status"], failed["raised"], failed["shares"], failed["outlook"]) == (
        "failed", "0.00", [], None
    )  # fmt: skip
    assert failed["pledges"] == []  # the page shows no pledge once closed either
    missing = Client().get("/api/v1/campaigns/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})


def test_detail_tells_the_caller_which_supermarkets_it_pledges_for(
    facilitator: User, outsider: User
) -> None:
    campaign = open_campaign(facilitator)
    bees, bees_rep = supermarket("BEES coop")
    bloum, _bloum_rep = supermarket("BLOUM")
    MembershipFactory(organisation=bloum, user=bees_rep, role=Role.SUBSTITUTE)
    plain_member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    assert get(f"/campaigns/{campaign.pk}", bees_rep)["may_pledge_for"] == [bees.slug, bloum.slug]
    for caller in (plain_member, outsider, facilitator, None):
        assert get(f"/campaigns/{campaign.pk}", caller)["may_pledge_for"] == []


@pytest.mark.parametrize("count", [1, 3])
def test_detail_queries_do_not_grow_with_pledges(
    facilitator: User, count: int, django_assert_num_queries
) -> None:
    campaign = open_campaign(facilitator)
    for _ in range(count):
        organisation, representative = supermarket()
        services.pledge(campaign, organisation, actor=representative, needs_board_approval=True)
    client = Client()
    # The campaign, its pledges for the split (then cached), its pledges for the rows.
    with django_assert_num_queries(3):
        found = client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert len(found["pledges"]) == count
    with django_assert_num_queries(2):
        client.get(f"/api/v1/campaigns/{campaign.pk}")


# Pledging ----------------------------------------------------------------------------------


def test_a_pledge_through_the_api_changes_the_split_as_the_page_shows_it(
    facilitator: User,
) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=2)
    bees, bees_rep = supermarket("BEES coop")
    bloum, bloum_rep = supermarket("BLOUM")
    services.pledge(campaign, bloum, actor=bloum_rep)
    assert api_split(campaign) == page_split(campaign) == {bloum.slug: (None, None)}

    status, receipt = post(campaign, "pledge", {"cap": "100.10"}, token(bees_rep))
    assert (status, receipt) == (
        200,
        {"organisation": bees.slug, "cap": "100.10", "weight": None,
         "needs_board_approval": False, "state": "firm"},
    )  # fmt: skip
    pledge = Pledge.objects.get(organisation=bees)
    assert (pledge.cap, pledge.pledged_by) == (D("100.10"), bees_rep)
    assert (
        api_split(campaign)
        == page_split(campaign)
        == {
            bees.slug: (D("100.10"), None),
            bloum.slug: (D("199.90"), None),
        }
    )
    # A second call replaces the pledge: without a cap, the two share equally.
    assert post(campaign, "pledge", {"cap": None}, token(bees_rep))[0] == 200
    assert (
        api_split(campaign)
        == page_split(campaign)
        == {
            bees.slug: (D("150.00"), None),
            bloum.slug: (D("150.00"), None),
        }
    )
    assert Pledge.objects.count() == 2


def test_a_pledge_waits_for_the_board_until_confirmed_then_is_withdrawn(
    facilitator: User,
) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=2)
    bees, bees_rep = supermarket("BEES coop")
    bloum, bloum_rep = supermarket("BLOUM")
    services.pledge(campaign, bloum, actor=bloum_rep)
    raw = token(bees_rep)
    status, receipt = post(campaign, "pledge", {"needs_board_approval": True}, raw)
    assert (status, receipt["state"]) == (200, "waiting_for_board")
    assert (
        api_split(campaign)
        == page_split(campaign)
        == {
            bees.slug: (None, D("150.00")),
            bloum.slug: (None, D("150.00")),
        }
    )
    status, receipt = post(campaign, "pledge/confirm", {}, raw)
    assert (status, receipt["state"], receipt["needs_board_approval"]) == (200, "firm", True)
    assert (
        api_split(campaign)
        == page_split(campaign)
        == {
            bees.slug: (D("150.00"), None),
            bloum.slug: (D("150.00"), None),
        }
    )
    assert post(campaign, "pledge/withdraw", {}, raw) == (204, None)
    assert list(Pledge.objects.values_list("organisation__slug", flat=True)) == [bloum.slug]
    assert api_split(campaign) == page_split(campaign) == {bloum.slug: (None, None)}
    with translation.override("en"):
        assert post(campaign, "pledge/confirm", {}, raw) == (
            409, {"detail": "BEES coop has not pledged."}
        )  # fmt: skip


def test_only_a_supermarkets_representative_or_substitute_pledges_for_it(
    facilitator: User, outsider: User
) -> None:
    campaign = open_campaign(facilitator)
    bees, _bees_rep = supermarket("BEES coop")
    _bloum, bloum_rep = supermarket("BLOUM")
    plain_member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    refused = {"detail": "You pledge for no such supermarket."}
    for action in ("pledge", "pledge/confirm", "pledge/withdraw"):
        for caller in (plain_member, outsider, facilitator):
            assert post(campaign, action, {}, token(caller)) == (403, refused)
        # Another supermarket's representative pledges for its own only.
        assert post(campaign, action, {"organisation": bees.slug}, token(bloum_rep)) == (
            403, refused
        )  # fmt: skip
        assert post(campaign, action, {}, None)[0] == 401
    assert Pledge.objects.count() == 0


def test_a_read_only_token_pledges_nothing(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    bees, bees_rep = supermarket("BEES coop")
    services.pledge(campaign, bees, actor=bees_rep, needs_board_approval=True)
    raw = token(bees_rep, read_only=True)
    for action in ("pledge", "pledge/confirm", "pledge/withdraw"):
        assert post(campaign, action, {}, raw) == (403, {"detail": "This API token only reads."})
    assert not Pledge.objects.get().is_firm


def test_someone_pledging_for_several_supermarkets_says_which(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    _bees, bees_rep = supermarket("BEES coop")
    bloum, _bloum_rep = supermarket("BLOUM")
    MembershipFactory(organisation=bloum, user=bees_rep, role=Role.SUBSTITUTE)
    raw = token(bees_rep)
    assert post(campaign, "pledge", {}, raw) == (
        422, {"detail": "You pledge for several supermarkets: say which (organisation)."}
    )  # fmt: skip
    assert post(campaign, "pledge", {"organisation": bloum.slug}, raw)[0] == 200
    assert post(campaign, "pledge", {"organisation": "nobody"}, raw)[0] == 403
    assert list(Pledge.objects.values_list("organisation", flat=True)) == [bloum.pk]


def test_the_form_refuses_bad_input_with_its_own_translated_words(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    _bees, bees_rep = supermarket("BEES coop")
    raw = token(bees_rep)
    assert post(campaign, "pledge", {"cap": "-3"}, raw) == (
        422, {"detail": "cap: An amount cannot be negative."}
    )  # fmt: skip
    assert post(campaign, "pledge", {"cap": "12.345"}, raw) == (
        422, {"detail": "cap: At most 2 decimals."}
    )  # fmt: skip
    assert post(campaign, "pledge", {"cap": "lots"}, raw) == (
        422, {"detail": "cap: “lots” is not a number."}
    )  # fmt: skip
    assert post(campaign, "pledge", {"cap": "-3"}, raw, language="fr") == (
        422, {"detail": "cap: Un montant ne peut pas être négatif."}
    )  # fmt: skip
    # As on the page, "1 234,50" is a number.
    assert post(campaign, "pledge", {"cap": "1 234,50"}, raw)[1]["cap"] == "1234.50"
    assert post(campaign, "pledge", {"cap": 3}, raw)[0] == 422  # amounts are strings
    assert Pledge.objects.get().cap == D("1234.50")


def test_custom_weights_go_through_the_form_too(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", split_rule="custom")
    bees, bees_rep = supermarket("BEES coop")
    bloum, bloum_rep = supermarket("BLOUM")
    services.pledge(campaign, bloum, actor=bloum_rep, weight=D("1"))
    raw = token(bees_rep)
    assert post(campaign, "pledge", {"weight": "0"}, raw) == (
        422, {"detail": "weight: A weight must be more than 0."}
    )  # fmt: skip
    for tiny in ("0.001", "1e-999999", "1.005"):  # kept with two decimals, they would change
        assert post(campaign, "pledge", {"weight": tiny}, raw) == (
            422, {"detail": "weight: A weight has at most two decimals."}
        ), tiny  # fmt: skip
    status, receipt = post(campaign, "pledge", {"weight": "2"}, raw)
    assert (status, receipt["weight"]) == (200, "2.00")
    assert (
        api_split(campaign)
        == page_split(campaign)
        == {
            bees.slug: (D("200.00"), None),
            bloum.slug: (D("100.00"), None),
        }
    )


def test_a_closed_campaign_or_a_passed_deadline_takes_no_pledge(facilitator: User) -> None:
    campaign = open_campaign(facilitator, minimum_supermarkets=1)
    bees, bees_rep = supermarket("BEES coop")
    raw = token(bees_rep)
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now())
    with translation.override("en"):
        assert post(campaign, "pledge", {}, raw) == (
            409, {"detail": "The deadline has passed: pledges are closed."}
        )  # fmt: skip
    services.close_campaign(campaign, actor=facilitator)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.FAILED
    for action in ("pledge", "pledge/confirm", "pledge/withdraw"):
        assert post(campaign, action, {}, raw) == (409, {"detail": "This campaign is closed."})
    assert post(Campaign(pk=999999), "pledge", {}, raw)[0] == 404
    assert Pledge.objects.filter(organisation=bees).count() == 0
