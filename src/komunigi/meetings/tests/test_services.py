import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from komunigi.community.models import Organisation, OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.errors import DomainError
from komunigi.meetings import attendance, decisions, services
from komunigi.meetings.models import (
    Attendance,
    Decision,
    DecisionBallot,
    Invitation,
    ItemKind,
    Meeting,
    MeetingKind,
    Reply,
)
from komunigi.needs.tests.factories import QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def supermarkets() -> dict[str, tuple[Organisation, User]]:
    """Four member supermarkets, each with its representative."""
    result = {}
    for slug in ("bees", "bloum", "nid", "coopeco"):
        organisation = OrganisationFactory(slug=slug, name=slug.capitalize())
        representative = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
        result[slug] = (organisation, representative.user)
    return result


def plan(facilitator: User, **extra: object) -> Meeting:
    fields = {
        "kind": MeetingKind.USERS,
        "title": "December users' meeting",
        "starts_at": timezone.now() + datetime.timedelta(days=10),
        "duration": 90,
        "time_zone": "Europe/Brussels",
        "place": "BEES coop",
        "video_url": "",
        "visibility": "members",
        "quorum": Decimal("0.50"),
        "online_voting": False,
        "reminder_days": 2,
    }
    return services.create_meeting(actor=facilitator, **{**fields, **extra})


def in_session(facilitator: User, supermarkets: dict, present: list[str], **extra: object):
    meeting = plan(facilitator, **extra)
    services.start_meeting(meeting, actor=facilitator)
    for slug in present:
        organisation, representative = supermarkets[slug]
        attendance.record_attendance(
            meeting, organisation, actor=facilitator, person=representative
        )
    return meeting


def need_decision(meeting: Meeting, facilitator: User, rule: str = "majority") -> Decision:
    need = QuoteFactory().need
    item = services.add_item(
        meeting, actor=facilitator, kind=ItemKind.NEED_DECISION, title="", need=need, rule=rule
    )
    return item.decision


def test_a_decision_on_a_need_takes_a_quoted_need_and_schedules_it(facilitator: User) -> None:
    meeting = plan(facilitator)
    decision = need_decision(meeting, facilitator)
    decision.item.need.refresh_from_db()
    assert decision.item.need.status == "scheduled"
    assert decision.item.title == decision.item.need.title
    with pytest.raises(DomainError, match="Only a need with a valid quote"):
        services.add_item(
            meeting,
            actor=facilitator,
            kind=ItemKind.NEED_DECISION,
            title="",
            need=QuoteFactory(need__status="open").need,
        )


def test_prepare_agenda_takes_the_top_of_the_roadmap_with_a_valid_quote(
    facilitator: User,
) -> None:
    first, second = QuoteFactory(), QuoteFactory()
    from komunigi.needs.tests.factories import InterestFactory

    InterestFactory(need=first.need)
    InterestFactory(need=first.need)
    InterestFactory(need=second.need)
    meeting = plan(facilitator)
    items = services.prepare_agenda(meeting, actor=facilitator, limit=1)
    assert [item.need for item in items] == [first.need]


def test_users_meetings_invite_representatives_and_substitutes_of_member_supermarkets(
    facilitator: User, supermarkets: dict
) -> None:
    bees = supermarkets["bees"][0]
    substitute = MembershipFactory(organisation=bees, role=Role.SUBSTITUTE).user
    MembershipFactory(organisation=bees, role=Role.MEMBER)
    former = OrganisationFactory(status="former")
    MembershipFactory(organisation=former, role=Role.REPRESENTATIVE)
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    MembershipFactory(organisation=provider, role=Role.REPRESENTATIVE)
    meeting = plan(facilitator)
    invited = {user for user, _ in services.invitees(meeting)}
    assert invited == {rep for _, rep in supermarkets.values()} | {substitute}


def test_core_meetings_invite_the_facilitators(facilitator: User, supermarkets: dict) -> None:
    meeting = plan(facilitator, kind=MeetingKind.CORE)
    assert services.invitees(meeting) == [(facilitator, None)]


def test_a_representative_carries_at_most_one_other_supermarkets_proxy(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    invitations = {}
    for slug, (organisation, user) in supermarkets.items():
        invitations[slug] = Invitation.objects.create(
            meeting=meeting, user=user, organisation=organisation
        )
    bees = supermarkets["bees"][0]
    services.reply(
        invitations["bloum"], actor=supermarkets["bloum"][1], answer=Reply.PROXY, proxy_to=bees
    )
    with pytest.raises(DomainError) as raised:
        services.reply(
            invitations["nid"], actor=supermarkets["nid"][1], answer=Reply.PROXY, proxy_to=bees
        )
    assert raised.value.message == "Bees already carries another supermarket's proxy: one at most."


def test_attendance_starts_from_the_replies_with_their_proxies(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    bees, bees_rep = supermarkets["bees"]
    bloum, bloum_rep = supermarkets["bloum"]
    for organisation, user, answer, proxy in [
        (bees, bees_rep, Reply.ATTENDING, None),
        (bloum, bloum_rep, Reply.PROXY, bees),
    ]:
        invitation = Invitation.objects.create(
            meeting=meeting, user=user, organisation=organisation
        )
        services.reply(invitation, actor=user, answer=answer, proxy_to=proxy)
    services.start_meeting(meeting, actor=facilitator)
    rows = {
        a.organisation.slug: (a.person, a.proxy_holder)
        for a in Attendance.objects.filter(meeting=meeting)
    }
    assert rows == {"bees": (bees_rep, None), "bloum": (None, bees)}
    assert attendance.represented_supermarkets(meeting) == 2
    assert attendance.quorum_reached(meeting) is True  # 2 of 4


def test_a_proxy_holder_must_be_present_and_carries_one_proxy(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees"])
    bees, bloum, nid = (supermarkets[s][0] for s in ("bees", "bloum", "nid"))
    with pytest.raises(DomainError, match="must be present itself"):
        attendance.record_attendance(meeting, bees, actor=facilitator, proxy_holder=nid)
    attendance.record_attendance(meeting, bloum, actor=facilitator, proxy_holder=bees)
    with pytest.raises(DomainError, match="one at most"):
        attendance.record_attendance(meeting, nid, actor=facilitator, proxy_holder=bees)
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_a_majority_decision_approves_the_need(facilitator: User, supermarkets: dict) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    for slug, choice in [("bees", "yes"), ("bloum", "yes"), ("nid", "no")]:
        organisation, user = supermarkets[slug]
        decisions.cast_ballot(decision, organisation, actor=user, choice=choice)
    closed = decisions.close_decision(decision, actor=facilitator)
    assert (closed.outcome, closed.counts, closed.represented) == (
        "approved",
        {"yes": 2, "no": 1, "abstain": 0},
        3,
    )
    closed.item.need.refresh_from_db()
    assert closed.item.need.status == "approved"


def test_without_quorum_there_is_no_decision_and_the_need_reopens(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    bees, rep = supermarkets["bees"]
    decisions.cast_ballot(decision, bees, actor=rep, choice="yes")
    closed = decisions.close_decision(decision, actor=facilitator)
    assert closed.outcome == "no_quorum"
    closed.item.need.refresh_from_db()
    assert closed.item.need.status == "quoted"  # open again, its quote still valid


def test_an_objection_blocks_consent_and_sends_the_need_back_to_work(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decision = need_decision(meeting, facilitator, rule="consent")
    decisions.open_decision(decision, actor=facilitator)
    bees, bees_rep = supermarkets["bees"]
    bloum, bloum_rep = supermarkets["bloum"]
    decisions.cast_ballot(decision, bees, actor=bees_rep, choice="agree")
    with pytest.raises(DomainError, match="Say why you object"):
        decisions.cast_ballot(decision, bloum, actor=bloum_rep, choice="object")
    decisions.cast_ballot(decision, bloum, actor=bloum_rep, choice="object", reason="Too early")
    closed = decisions.close_decision(decision, actor=facilitator)
    assert (closed.outcome, closed.objectors) == ("blocked", ["Bloum"])
    closed.item.need.refresh_from_db()
    assert closed.item.need.status == "quoted"  # postponed, then open again with its quote


def test_a_postponed_question_reopens_the_need(facilitator: User, supermarkets: dict) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    closed = decisions.close_decision(decision, actor=facilitator, postpone=True)
    assert closed.outcome == "postponed"
    closed.item.need.refresh_from_db()
    assert closed.item.need.status == "quoted"  # reopened, and its quote is still valid


def test_one_ballot_per_supermarket_changeable_until_closed(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    bees, rep = supermarkets["bees"]
    _, replaced = decisions.cast_ballot(decision, bees, actor=rep, choice="yes")
    assert replaced is False
    _, replaced = decisions.cast_ballot(decision, bees, actor=rep, choice="no")
    assert replaced is True
    assert list(DecisionBallot.objects.values_list("choice", flat=True)) == ["no"]
    decisions.close_decision(decision, actor=facilitator)
    with pytest.raises(DomainError, match="not open"):
        decisions.cast_ballot(decision, bees, actor=rep, choice="yes")


def test_the_rule_is_fixed_once_the_first_ballot_is_cast(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.change_rule(decision, actor=facilitator, rule="two_thirds")
    decisions.open_decision(decision, actor=facilitator)
    bees, rep = supermarkets["bees"]
    decisions.cast_ballot(decision, bees, actor=rep, choice="yes")
    with pytest.raises(DomainError, match="no longer changes"):
        decisions.change_rule(decision, actor=facilitator, rule="consent")


def test_absent_supermarkets_vote_online_only_when_allowed_and_in_time(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"], online_voting=True)
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(
        decision, actor=facilitator, online_until=timezone.now() + datetime.timedelta(hours=1)
    )
    nid, nid_rep = supermarkets["nid"]
    ballot, _ = decisions.cast_ballot(decision, nid, actor=nid_rep, choice="yes")
    assert ballot.online is True
    Decision.objects.filter(pk=decision.pk).update(
        online_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    coopeco, coopeco_rep = supermarkets["coopeco"]
    with pytest.raises(DomainError, match="online votes on this decision are closed"):
        decisions.cast_ballot(decision, coopeco, actor=coopeco_rep, choice="yes")


def test_providers_attend_without_a_vote(facilitator: User, supermarkets: dict) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    attendance.record_attendance(meeting, provider, actor=facilitator)
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    with pytest.raises(DomainError, match="Only member supermarkets vote"):
        decisions.cast_ballot(decision, provider, actor=facilitator, choice="yes")
    assert attendance.represented_supermarkets(meeting) == 2


def test_closing_the_meeting_drafts_minutes_with_counts_and_objectors(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decision = need_decision(meeting, facilitator, rule="consent")
    decisions.open_decision(decision, actor=facilitator)
    nid, nid_rep = supermarkets["nid"]
    decisions.cast_ballot(decision, nid, actor=nid_rep, choice="object", reason="Not now")
    decisions.close_decision(decision, actor=facilitator)
    services.close_meeting(meeting, actor=facilitator)
    meeting.refresh_from_db()
    assert meeting.minutes_status == "draft"
    assert "Agree: 0, Stand aside: 0, Object: 1" in meeting.minutes
    assert "Objecting: Nid" in meeting.minutes
    assert "- Bees (" in meeting.minutes
    services.approve_minutes(meeting, actor=facilitator)
    meeting.refresh_from_db()
    assert meeting.minutes_status == "published"
    with pytest.raises(DomainError):
        services.save_minutes(meeting, actor=facilitator, text="changed")


def test_a_supermarket_that_gave_its_proxy_votes_through_its_holder_only(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "nid", "coopeco"])
    bees = supermarkets["bees"][0]
    bloum, bloum_rep = supermarkets["bloum"]
    attendance.record_attendance(meeting, bloum, actor=facilitator, proxy_holder=bees)
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    with pytest.raises(DomainError) as raised:
        decisions.cast_ballot(decision, bloum, actor=bloum_rep, choice="yes")
    assert raised.value.message == "You do not cast the ballot of Bloum here."
    ballot, _ = decisions.cast_ballot(decision, bloum, actor=supermarkets["bees"][1], choice="no")
    assert (ballot.organisation, ballot.choice) == (bloum, "no")


def test_the_person_in_the_room_must_speak_for_the_supermarket(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=[])
    bees = supermarkets["bees"][0]
    with pytest.raises(DomainError) as raised:
        attendance.record_attendance(
            meeting, bees, actor=facilitator, person=supermarkets["bloum"][1]
        )
    assert raised.value.message.endswith("does not speak for Bees.")
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    with pytest.raises(DomainError):
        attendance.record_attendance(meeting, bees, actor=facilitator, person=member)


def test_attendance_no_longer_changes_once_the_meeting_is_over(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    services.close_meeting(meeting, actor=facilitator)
    row = Attendance.objects.filter(meeting=meeting).first()
    with pytest.raises(DomainError, match=r"This meeting is over\."):
        attendance.remove_attendance(row, actor=facilitator)
    assert Attendance.objects.filter(meeting=meeting).count() == 3


def test_cancelling_or_closing_postpones_decisions_never_taken(
    facilitator: User, supermarkets: dict
) -> None:
    planned = plan(facilitator)
    waiting = need_decision(planned, facilitator)
    services.cancel_meeting(planned, actor=facilitator)
    waiting.refresh_from_db()
    waiting.item.need.refresh_from_db()
    assert (waiting.outcome, waiting.item.need.status) == ("postponed", "quoted")
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    never_opened = need_decision(meeting, facilitator)
    services.close_meeting(meeting, actor=facilitator)
    never_opened.refresh_from_db()
    assert never_opened.outcome == "postponed"


def test_a_meeting_with_a_vote_still_open_does_not_close(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decisions.open_decision(need_decision(meeting, facilitator), actor=facilitator)
    with pytest.raises(DomainError, match=r"Close the decisions still open first\."):
        services.close_meeting(meeting, actor=facilitator)


def test_removing_a_pending_decision_reopens_its_need(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    decision = need_decision(meeting, facilitator)
    need = decision.item.need
    services.remove_item(decision.item, actor=facilitator)
    need.refresh_from_db()
    assert (meeting.items.count(), need.status) == (0, "quoted")


def test_representative_and_substitute_do_not_answer_against_each_other(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    bees, claire = supermarkets["bees"]
    substitute = MembershipFactory(organisation=bees, role=Role.SUBSTITUTE).user
    services.send_invitations(meeting, actor=facilitator)
    services.reply(
        Invitation.objects.get(user=claire),
        actor=claire,
        answer=Reply.PROXY,
        proxy_to=supermarkets["bloum"][0],
    )
    with pytest.raises(DomainError, match="agree together"):
        services.reply(
            Invitation.objects.get(user=substitute), actor=substitute, answer=Reply.ATTENDING
        )


def test_a_supermarket_carrying_a_proxy_cannot_give_its_own(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    services.send_invitations(meeting, actor=facilitator)
    bees, claire = supermarkets["bees"]
    bloum, bloum_rep = supermarkets["bloum"]
    nid = supermarkets["nid"][0]
    services.reply(
        Invitation.objects.get(user=bloum_rep), actor=bloum_rep, answer=Reply.PROXY, proxy_to=bees
    )
    with pytest.raises(DomainError, match="cannot give its own"):
        services.reply(
            Invitation.objects.get(user=claire), actor=claire, answer=Reply.PROXY, proxy_to=nid
        )
    with pytest.raises(DomainError, match="gave its own proxy away"):
        services.reply(
            Invitation.objects.get(user=supermarkets["nid"][1]),
            actor=supermarkets["nid"][1],
            answer=Reply.PROXY,
            proxy_to=bloum,
        )


def test_online_votes_count_towards_quorum(facilitator: User, supermarkets: dict) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees"], online_voting=True)
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(
        decision, actor=facilitator, online_until=timezone.now() + datetime.timedelta(hours=2)
    )
    for slug in ("bees", "bloum", "nid"):
        organisation, user = supermarkets[slug]
        decisions.cast_ballot(decision, organisation, actor=user, choice="yes")
    closed = decisions.close_decision(decision, actor=facilitator)
    assert (closed.outcome, closed.represented) == ("approved", 3)  # 1 in the room, 2 online


def test_a_new_date_gets_a_new_reminder(facilitator: User, supermarkets: dict) -> None:
    meeting = plan(facilitator, starts_at=timezone.now() + datetime.timedelta(days=1))
    services.send_invitations(meeting, actor=facilitator)
    assert services.send_reminder(meeting) is True
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at is not None
    services.update_meeting(
        meeting, actor=facilitator, starts_at=timezone.now() + datetime.timedelta(days=1, hours=3)
    )
    meeting.refresh_from_db()
    assert (meeting.reminder_sent_at, meeting.sequence) == (None, 1)
    assert services.send_reminder(meeting) is True


def maintenance_plan(facilitator: User, supermarkets: dict):
    """A plan of one module that BEES and BLOUM run, both committed."""
    from komunigi.commons.models import Installation, Module
    from komunigi.funding.services import maintenance

    module = Module.objects.create(technical_name="beesdoo_shift")
    for slug in ("bees", "bloum"):
        Installation.objects.create(
            organisation=supermarkets[slug][0], module=module, series="12.0"
        )
    plan = maintenance.open_plan(
        actor=facilitator,
        title="Maintenance 2027",
        provider=OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER),
        series="12.0",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        deadline=timezone.now() + datetime.timedelta(days=30),
        included="Fixes",
        costs={module: Decimal("600.00")},
    )
    for slug in ("bees", "bloum"):
        maintenance.commit(plan, supermarkets[slug][0], actor=supermarkets[slug][1])
    return plan


@pytest.mark.parametrize(("votes", "status"), [("yes", "collecting"), ("no", "failed")])
def test_a_meeting_decides_on_a_maintenance_plan_like_a_need(
    facilitator: User, supermarkets: dict, votes: str, status: str
) -> None:
    """Approved, the plan goes on taking commitments and its page says so; rejected, it ends
    and nothing moves."""
    from django.test import Client
    from django.utils.html import escape

    from komunigi.funding import ledger

    plan_ = maintenance_plan(facilitator, supermarkets)
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    with pytest.raises(DomainError, match="maintenance plan that takes commitments"):
        services.add_item(meeting, actor=facilitator, kind=ItemKind.PLAN_DECISION, title="")
    item = services.add_item(
        meeting,
        actor=facilitator,
        kind=ItemKind.PLAN_DECISION,
        title="",
        maintenance_plan=plan_,
    )
    assert item.title == "Maintenance 2027"
    decisions.open_decision(item.decision, actor=facilitator)
    for slug in ("bees", "bloum", "nid"):
        organisation, user = supermarkets[slug]
        decisions.cast_ballot(item.decision, organisation, actor=user, choice=votes)
    closed = decisions.close_decision(item.decision, actor=facilitator)
    plan_.refresh_from_db()
    assert plan_.status == status
    assert ledger.total_of_all_lines() == 0
    assert not plan_.shares.exists()
    page = Client().get(f"/en/co-financing/maintenance/{plan_.pk}/").content.decode()
    assert f"{escape(meeting.title)}</a>: {closed.get_outcome_display()}" in page
