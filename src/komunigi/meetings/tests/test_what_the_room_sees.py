"""What facilitators and representatives see during and after a meeting: past records that
stay as they were, forms that offer only what makes sense, a vote form only when a vote can be
cast, and the calendar page for everybody."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.meetings import attendance, decisions, services
from komunigi.meetings.tests.test_services import in_session, need_decision, plan
from komunigi.needs import rounds
from komunigi.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def options(html: str, name: str) -> list[str]:
    """The labels a <select name=…> offers, without its empty choice."""
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    labels = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    return [label for value, label in labels if value]


def test_a_closed_round_and_a_past_meeting_keep_the_community_they_had(
    facilitator: User, supermarkets: dict
) -> None:
    candidates = [NeedFactory(), NeedFactory()]
    members_then = attendance.member_supermarket_count()
    priority_round = rounds.open_round(
        actor=facilitator,
        title="Autumn",
        candidates=candidates,
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    bees, bees_rep = supermarkets["bees"]
    rounds.cast_ballot(priority_round, bees, actor=bees_rep, ranking=[[candidates[0].pk]])
    rounds.close_round(priority_round, actor=facilitator)
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    decisions.close_decision(decision, actor=facilitator)
    services.close_meeting(meeting, actor=facilitator)
    members_now = attendance.member_supermarket_count()

    OrganisationFactory(name="Newcomer")  # a supermarket joins afterwards

    page = logged_in(facilitator).get(f"/en/priorities/{priority_round.pk}/").content.decode()
    assert f"1 of {members_then} supermarkets ranked." in page
    meeting.refresh_from_db()
    assert attendance.quorum_state(meeting)["members"] == members_then
    assert members_now == members_then + 1  # the quoted need's proposing supermarket
    # A meeting planned now counts everybody, the newcomer included.
    assert attendance.quorum_state(plan(facilitator))["members"] == members_now + 1


def test_a_new_meeting_starts_in_the_communitys_time_zone(facilitator: User, settings) -> None:
    settings.TIME_ZONE = "Europe/Brussels"
    facilitator.time_zone = "Europe/Berlin"
    facilitator.save()
    html = logged_in(facilitator).get("/en/meetings/new/").content.decode()
    zones = options(html, "time_zone")
    assert zones[:2] == ["Europe/Brussels", "Europe/Berlin"]
    assert '<option value="Europe/Brussels" selected>' in html


def test_attendance_offers_the_people_and_proxies_that_make_sense(
    facilitator: User, supermarkets: dict
) -> None:
    provider = OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER)
    MembershipFactory(organisation=provider, user=UserFactory(full_name="Paula Provider"))
    coopeco = OrganisationFactory(name="Coopéco")
    for role, name in ((Role.REPRESENTATIVE, "Rosa"), (Role.SUBSTITUTE, "Sam")):
        MembershipFactory(organisation=coopeco, role=role, user=UserFactory(full_name=name))
    MembershipFactory(
        organisation=coopeco, role=Role.MEMBER, user=UserFactory(full_name="Victor Volunteer")
    )
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    bloum = supermarkets["bloum"][0]
    attendance.record_attendance(
        meeting, supermarkets["nid"][0], actor=facilitator, proxy_holder=bloum
    )

    html = logged_in(facilitator).get(f"/en/meetings/{meeting.pk}/").content.decode()

    # Those not recorded yet, and who may speak for them (named with their supermarket).
    assert options(html, "organisation") == ["Coop IT Easy", "Coopéco"]
    assert options(html, "person") == ["Rosa (Coopéco)", "Sam (Coopéco)"]
    # Present in person and carrying no proxy yet: only BEES (BLOUM carries Nid's).
    assert options(html, "proxy_holder") == ["Bees"]


def test_in_a_large_community_attendance_is_narrowed_by_a_name(
    facilitator: User, supermarkets: dict, settings
) -> None:
    from komunigi.formfields import CHOICES_SHOWN

    for number in range(CHOICES_SHOWN):
        OrganisationFactory(name=f"Coop {number:02}")
    meeting = in_session(facilitator, supermarkets, present=["bees"])
    client = logged_in(facilitator)

    html = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert options(html, "organisation") == []
    assert 'name="find"' in html

    found = client.get(f"/en/meetings/{meeting.pk}/?find=coop 1").content.decode()
    assert options(found, "organisation") == [f"Coop 1{n}" for n in range(10)]


def test_in_a_large_community_the_proxy_and_the_rooms_voter_are_found_by_a_name(
    facilitator: User, supermarkets: dict
) -> None:
    from komunigi.formfields import CHOICES_SHOWN

    for number in range(CHOICES_SHOWN):
        coop = OrganisationFactory(name=f"Coop {number:02}", slug=f"coop-{number:02}")
        rep = MembershipFactory(organisation=coop, role=Role.REPRESENTATIVE).user
        supermarkets[coop.slug] = (coop, rep)
    planned = plan(facilitator)
    services.send_invitations(planned, actor=facilitator)
    invited = logged_in(supermarkets["nid"][1])

    html = invited.get(f"/en/meetings/{planned.pk}/?proxy_find=coop 1").content.decode()
    assert 'action="#reply"' in html
    assert '<label for="narrow-proxy_find">' in html
    assert options(html, "proxy_to") == [f"Coop 1{n}" for n in range(10)]

    meeting = in_session(facilitator, supermarkets, present=list(supermarkets))
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    html = logged_in(facilitator).get(f"/en/meetings/{meeting.pk}/?room=coop 2").content.decode()
    assert f'action="#item-{decision.item.pk}"' in html
    assert f'<label for="narrow-room{decision.pk}">' in html
    room = re.search(rf'<select id="room-org-{decision.pk}"[^>]*>(.*?)</select>', html, re.S)
    assert room is not None
    assert re.findall(r">([^<]+)</option>", room.group(1)) == [f"Coop 2{n}" for n in range(10)]


def test_an_absent_representative_sees_why_they_cannot_vote_and_no_form(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    _nid, nid_rep = supermarkets["nid"]

    html = logged_in(nid_rep).get(f"/en/meetings/{meeting.pk}/").content.decode()

    assert f'action="/en/decisions/{decision.pk}/vote/"' not in html
    assert "Nid is not represented at the meeting, and this meeting takes no online votes." in html
    present = logged_in(supermarkets["bees"][1]).get(f"/en/meetings/{meeting.pk}/")
    assert f'action="/en/decisions/{decision.pk}/vote/"' in present.content.decode()


def test_online_voting_says_until_when_and_then_that_it_is_over(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"], online_voting=True)
    decision = need_decision(meeting, facilitator)
    until = timezone.now() + datetime.timedelta(hours=2)
    decisions.open_decision(decision, actor=facilitator, online_until=until)
    client = logged_in(supermarkets["nid"][1])

    html = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert f'action="/en/decisions/{decision.pk}/vote/"' in html
    assert "You vote online, until" in html

    type(decision).objects.filter(pk=decision.pk).update(
        online_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    html = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert f'action="/en/decisions/{decision.pk}/vote/"' not in html
    assert "online votes on this decision are closed." in html


def test_the_calendar_page_is_public_and_the_private_address_for_members(
    representative: User, outsider: User
) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en").get("/en/meetings/calendar/")
    assert visitor.status_code == 200
    html = visitor.content.decode()
    assert "/api/v1/meetings/calendar.ics" in html
    assert "Make my private address" not in html
    assert Client().post("/en/meetings/calendar/").status_code == 302  # to the login page

    assert (
        "Make my private address"
        not in logged_in(outsider).get("/en/meetings/calendar/").content.decode()
    )
    assert logged_in(outsider).post("/en/meetings/calendar/").status_code == 403
    member = logged_in(representative).get("/en/meetings/calendar/").content.decode()
    assert "Make my private address" in member
