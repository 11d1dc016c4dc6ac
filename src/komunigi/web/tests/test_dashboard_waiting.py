"""The dashboard tells each person what waits for them, with a link, and nothing otherwise."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import User
from komunigi.funding import services as funding
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket
from komunigi.meetings import attendance, decisions
from komunigi.meetings import services as meetings
from komunigi.meetings.tests.test_services import need_decision, plan
from komunigi.needs.tests.factories import InterestFactory

pytestmark = pytest.mark.django_db


def dashboard(user: User) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get("/en/dashboard/").content.decode()


def test_nothing_waits_for_a_new_representative(representative: User) -> None:
    assert "Waiting for you" not in dashboard(representative)


def test_a_representative_sees_pledges_confirmations_votes_meetings_and_money(
    representative: User, facilitator: User
) -> None:
    bees = representative.memberships.get().organisation
    to_pledge = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    InterestFactory(need=to_pledge.need, organisation=bees)
    open_campaign(facilitator, "300.00")  # a need BEES did not say it needs: not listed
    to_confirm = open_campaign(facilitator, "200.00", minimum_supermarkets=1)
    funding.pledge(to_confirm, bees, actor=representative, needs_board_approval=True)
    paid = open_campaign(facilitator, "100.00", minimum_supermarkets=1)
    funding.pledge(paid, bees, actor=representative)
    funding.close_campaign(paid, actor=facilitator)  # BEES now owes 100 €
    meeting = plan(facilitator, title="December meeting")
    meetings.send_invitations(meeting, actor=facilitator)
    in_session = plan(facilitator, title="Today's meeting")
    meetings.start_meeting(in_session, actor=facilitator)
    attendance.record_attendance(in_session, bees, actor=facilitator, person=representative)
    decision = need_decision(in_session, facilitator)
    decisions.open_decision(decision, actor=facilitator)

    page = dashboard(representative)

    assert "Waiting for you" in page
    assert f"BEES coop needs this and has not pledged yet: {to_pledge.need.title}" in page
    assert f"Confirm the pledge of BEES coop once its board agrees: {to_confirm.need.title}" in page
    assert f"Vote for BEES coop: {decision.item.title}" in page
    assert "Say whether you come: December meeting" in page
    assert "BEES coop owes €100.00" in page
    assert f'href="/en/co-financing/{to_pledge.pk}/#pledge-title"' in page

    decisions.cast_ballot(decision, bees, actor=representative, choice="yes")
    assert "Vote for BEES coop" not in dashboard(representative)


def test_a_credit_shows_as_a_credit(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    bees, bees_rep = supermarket("BEES coop")
    funding.pledge(campaign, bees, actor=bees_rep)
    funding.close_campaign(campaign, actor=facilitator)
    funding.record_payment(
        campaign, bees, Decimal("300.00"), actor=facilitator, date=timezone.localdate()
    )
    funding.add_late_joiner(campaign, supermarket("BLOUM")[0], actor=facilitator)
    assert "BEES coop has a credit of €150.00" in dashboard(bees_rep)


def test_a_round_past_its_deadline_is_not_waiting(representative: User) -> None:
    from komunigi.needs.tests.factories import NeedFactory, PriorityRoundFactory

    PriorityRoundFactory(
        title="Too late", deadline=timezone.now() - datetime.timedelta(hours=1)
    ).candidates.set([NeedFactory()])
    PriorityRoundFactory(title="Autumn ranking").candidates.set([NeedFactory()])
    page = dashboard(representative)
    assert "Rank the needs for BEES coop: Autumn ranking" in page
    assert "Too late" not in page
