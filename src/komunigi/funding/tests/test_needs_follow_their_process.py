"""A need's status and its decision or campaign never disagree: statuses owned by a decision or a
campaign are reached only through them, and no move made by hand can leave them apart."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from komunigi.community.models import User
from komunigi.errors import DomainError
from komunigi.funding import services
from komunigi.funding.models import Campaign, CampaignStatus
from komunigi.funding.tests.test_campaign_views import logged_in
from komunigi.funding.tests.test_campaigns import supermarket
from komunigi.meetings import services as meetings
from komunigi.meetings.models import Decision, DecisionStatus, Meeting, MeetingKind
from komunigi.needs import lifecycle
from komunigi.needs import services as needs
from komunigi.needs.models import Need, NeedStatus
from komunigi.needs.tests.factories import NeedFactory, QuoteFactory

pytestmark = pytest.mark.django_db
BUILT = {lifecycle.FUNDED, lifecycle.IN_PROGRESS, lifecycle.DELIVERED, lifecycle.CLOSED}


def _meeting(facilitator: User) -> Meeting:
    return meetings.create_meeting(
        actor=facilitator,
        kind=MeetingKind.USERS,
        title="Monthly meeting",
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="Brussels",
    )


def _campaign(facilitator: User, need: Need) -> Campaign:
    quote = need.quotes.get()
    return services.open_campaign(
        need, quote, actor=facilitator, deadline=timezone.now() + datetime.timedelta(days=14)
    )


def need_in(status: str, facilitator: User) -> Need:
    """A need in ``status`` reached the way the platform reaches it, with its decision or
    campaign as they would be."""
    if status in (lifecycle.DRAFT, lifecycle.OPEN, lifecycle.WITHDRAWN):
        return NeedFactory(status=status)
    need = QuoteFactory(amount=Decimal("200.00")).need  # quoted
    if status == lifecycle.QUOTED:
        return need
    meeting = _meeting(facilitator)
    item = meetings.add_item(meeting, actor=facilitator, kind="need_decision", title="", need=need)
    if status == lifecycle.SCHEDULED:
        return Need.objects.get(pk=need.pk)
    outcome = "approved" if status not in (lifecycle.REJECTED, lifecycle.POSTPONED) else status
    # Its decision was taken at the meeting (the tally itself is tested with meetings).
    Decision.objects.filter(item=item).update(status=DecisionStatus.CLOSED, outcome=outcome)
    moves = {
        lifecycle.REJECTED: [lifecycle.REJECTED],
        lifecycle.POSTPONED: [lifecycle.POSTPONED],
    }.get(status, [lifecycle.APPROVED])
    for move in moves:
        need = needs.move_by_process(need, move, actor=facilitator)
    if status in (lifecycle.REJECTED, lifecycle.POSTPONED, lifecycle.APPROVED):
        return need
    campaign = _campaign(facilitator, need)
    if status == lifecycle.FUNDING:
        return Need.objects.get(pk=need.pk)
    if status == lifecycle.FAILED:
        services.close_campaign(campaign, actor=facilitator)  # nobody pledged
        return Need.objects.get(pk=need.pk)
    for _ in range(2):
        organisation, person = supermarket()
        services.pledge(campaign, organisation, actor=person)
    services.close_campaign(campaign, actor=facilitator)
    need = Need.objects.get(pk=need.pk)
    for move in (lifecycle.IN_PROGRESS, lifecycle.DELIVERED, lifecycle.CLOSED):
        if need.status == status:
            break
        need = needs.change_status(need, move, actor=facilitator)
    return need


def disagreements(need: Need) -> list[str]:
    """What would make the need's status and its processes tell different stories."""
    need.refresh_from_db()
    found = []
    pending = Decision.objects.filter(item__need=need).exclude(status=DecisionStatus.CLOSED)
    if pending.exists() != (need.status == lifecycle.SCHEDULED):
        found.append("a decision is pending exactly while the need is scheduled")
    campaigns = need.campaigns.order_by("-opened_at", "-pk")
    collecting = campaigns.filter(status=CampaignStatus.COLLECTING).exists()
    if collecting != (need.status == lifecycle.FUNDING):
        found.append("a campaign collects exactly while the need is being funded")
    funded = campaigns.filter(status=CampaignStatus.FUNDED).exists()
    if funded != (need.status in BUILT):
        found.append("a funded campaign exactly when the need is funded or built")
    latest = campaigns.first()
    if need.status == lifecycle.FAILED and (latest is None or latest.status != "failed"):
        found.append("a failed need's last campaign failed")
    if need.status == lifecycle.APPROVED:
        decision = Decision.objects.filter(item__need=need).order_by("-pk").first()
        if decision is None or decision.outcome != "approved":
            found.append("an approved need was approved by a decision")
    return found


@pytest.mark.parametrize("status", NeedStatus.values)
def test_no_manual_move_leaves_a_need_and_its_process_disagreeing(
    facilitator: User, status: str
) -> None:
    for target in NeedStatus.values:
        need = need_in(status, facilitator)
        assert need.status == status
        assert disagreements(need) == []
        allowed = target in lifecycle.manual_statuses(status)
        if allowed:
            needs.change_status(need, target, actor=facilitator, reason="by hand")
            assert target not in lifecycle.BY_PROCESS, (status, target)
        else:
            with pytest.raises(DomainError):
                needs.change_status(need, target, actor=facilitator, reason="by hand")
            assert Need.objects.get(pk=need.pk).status == status
        assert disagreements(need) == [], (status, target)


def test_setting_a_need_funded_by_hand_is_refused_with_the_way_to_do_it(
    facilitator: User,
) -> None:
    need = need_in(lifecycle.FUNDING, facilitator)
    response = logged_in(facilitator).post(
        f"/en/needs/{need.pk}/status/", {"status": "funded", "reason": ""}
    )
    # Refused with the reason, and the page says where the need waits.
    assert response.status_code == 409
    page = response.content.decode()
    assert [str(m) for m in response.context["messages"]] == [
        "Its co-financing campaign is collecting pledges: cancel the campaign on its page first."
    ]
    assert need.campaigns.get().get_absolute_url() in page
    with pytest.raises(DomainError) as refused:
        needs.change_status(need, lifecycle.WITHDRAWN, actor=facilitator)
    assert refused.value.message == (
        "Its co-financing campaign is collecting pledges: cancel the campaign on its page first."
    )


def test_cancelling_a_campaign_withdraws_its_need_cleanly(facilitator: User) -> None:
    need = need_in(lifecycle.FUNDING, facilitator)
    campaign = need.campaigns.get()
    organisation, person = supermarket()
    services.pledge(campaign, organisation, actor=person)
    logged_in(facilitator).post(
        campaign.get_absolute_url() + "cancel/",
        {"reason": "The provider cannot do it", "withdraw_need": "on"},
    )
    campaign.refresh_from_db()
    assert (campaign.status, campaign.cancel_reason) == ("failed", "The provider cannot do it")
    assert Need.objects.get(pk=need.pk).status == lifecycle.WITHDRAWN
    assert services.borne_shares(campaign) == {}
    assert disagreements(need) == []


def test_only_facilitators_move_needs_their_organisation_does_not_own(
    representative: User,
) -> None:
    need = NeedFactory(status="open")  # another organisation's
    with pytest.raises(PermissionDenied):
        needs.change_status(need, lifecycle.WITHDRAWN, actor=representative)
