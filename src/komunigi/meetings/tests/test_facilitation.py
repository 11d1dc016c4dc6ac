"""The facilitator's controls on the meeting pages: only theirs, and each doing what it says."""

import pytest
from django.test import Client

from komunigi.community.models import User
from komunigi.meetings import decisions, services
from komunigi.meetings.models import Attendance, Decision, DecisionBallot, MinutesStatus
from komunigi.meetings.tests.conftest import logged_in
from komunigi.meetings.tests.test_services import in_session, need_decision, plan

pytestmark = pytest.mark.django_db


def snapshot(decision: Decision) -> tuple:
    decision.refresh_from_db()
    meeting = decision.item.meeting
    meeting.refresh_from_db()
    return (
        decision.status,
        decision.rule,
        decision.outcome,
        meeting.status,
        meeting.minutes_status,
        meeting.attendances.count(),
        meeting.items.count(),
    )


@pytest.mark.parametrize(
    "path",
    [
        "/decisions/{decision}/open/",
        "/decisions/{decision}/close/",
        "/decisions/{decision}/rule/",
        "/meetings/{meeting}/attendance/{attendance}/remove/",
        "/meetings/{meeting}/items/{item}/remove/",
    ],
)
def test_a_representative_cannot_use_the_facilitators_controls(
    facilitator: User, supermarkets: dict, path: str
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    before = snapshot(decision)
    url = path.format(
        decision=decision.pk,
        meeting=meeting.pk,
        attendance=meeting.attendances.first().pk,
        item=decision.item_id,
    )
    response = logged_in(supermarkets["bees"][1]).post(url, {"rule": "consent"})
    assert response.status_code == 403
    assert snapshot(decision) == before


def test_the_facilitator_removes_an_attendance_recorded_by_mistake(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    bloum = Attendance.objects.get(meeting=meeting, organisation=supermarkets["bloum"][0])
    client = logged_in(facilitator)
    response = client.post(f"/en/meetings/{meeting.pk}/attendance/{bloum.pk}/remove/", follow=True)
    assert "The attendance is removed." in response.content.decode()
    assert [a.organisation.slug for a in meeting.attendances.all()] == ["bees"]
    live = client.get(f"/en/meetings/{meeting.pk}/live/").content.decode()
    assert "1 of 3 member supermarkets represented" in live


def test_the_facilitator_takes_a_need_off_the_agenda_and_it_is_quoted_again(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    decision = need_decision(meeting, facilitator)
    need = decision.item.need
    page = logged_in(facilitator).get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert f"Take “{need.title}” off the agenda" in page
    response = logged_in(facilitator).post(
        f"/en/meetings/{meeting.pk}/items/{decision.item_id}/remove/", follow=True
    )
    assert "The item is off the agenda." in response.content.decode()
    assert meeting.items.count() == 0
    need.refresh_from_db()
    assert need.status == "quoted"


def test_an_item_voted_on_stays_on_the_agenda(facilitator: User, supermarkets: dict) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    bees, claire = supermarkets["bees"]
    decisions.cast_ballot(decision, bees, actor=claire, choice="yes")
    response = logged_in(facilitator).post(
        f"/en/meetings/{meeting.pk}/items/{decision.item_id}/remove/", follow=True
    )
    assert "A decision put to the vote stays on the agenda." in response.content.decode()
    assert DecisionBallot.objects.filter(decision=decision).count() == 1
    assert meeting.items.count() == 1


def test_the_facilitator_opens_counts_and_the_room_sees_the_result(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    client = logged_in(facilitator)
    client.post(f"/decisions/{decision.pk}/rule/", {"rule": "two_thirds"})
    client.post(f"/decisions/{decision.pk}/open/")
    for slug in ("bees", "bloum"):
        organisation, person = supermarkets[slug]
        logged_in(person).post(
            f"/decisions/{decision.pk}/vote/", {"organisation": organisation.pk, "choice": "yes"}
        )
    client.post(f"/decisions/{decision.pk}/close/")
    decision.refresh_from_db()
    assert (decision.rule, decision.status, decision.outcome) == (
        "two_thirds",
        "closed",
        "approved",
    )
    live = logged_in(supermarkets["nid"][1]).get(f"/en/meetings/{meeting.pk}/live/")
    assert "Approved" in live.content.decode()


def test_minutes_are_approved_at_a_later_meeting_named_on_the_page(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    services.close_meeting(meeting, actor=facilitator)
    later = plan(facilitator, title="January users' meeting")
    client = logged_in(facilitator)
    form = client.get(f"/en/meetings/{meeting.pk}/minutes/").content.decode()
    assert "January users&#x27; meeting" in form
    client.post(f"/meetings/{meeting.pk}/minutes/", {"approve": "1", "approved_at": later.pk})
    meeting.refresh_from_db()
    assert (meeting.minutes_status, meeting.minutes_approved_at) == (
        MinutesStatus.PUBLISHED,
        later,
    )
    page = logged_in(supermarkets["nid"][1]).get(f"/en/meetings/{meeting.pk}/minutes/")
    assert "approved at “January users&#x27; meeting”" in page.content.decode()


def test_minutes_approved_at_a_made_up_meeting_are_approved_at_their_own(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees"])
    services.close_meeting(meeting, actor=facilitator)
    logged_in(facilitator).post(
        f"/meetings/{meeting.pk}/minutes/", {"approve": "1", "approved_at": "'; drop"}
    )
    meeting.refresh_from_db()
    assert (meeting.minutes_status, meeting.minutes_approved_at) == (
        MinutesStatus.PUBLISHED,
        None,
    )


@pytest.mark.parametrize(
    ("persona", "page", "api"),
    [
        ("visitor", 404, 404),
        ("outsider", 404, 404),
        ("member", 200, 200),
        ("facilitator", 200, 200),
    ],
)
def test_a_members_meeting_shows_to_members_only_on_every_channel(
    facilitator: User, outsider: User, supermarkets: dict, persona: str, page: int, api: int
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees"])
    people = {"outsider": outsider, "member": supermarkets["nid"][1], "facilitator": facilitator}
    client = logged_in(people[persona]) if persona in people else Client()
    assert client.get(f"/meetings/{meeting.pk}/").status_code == page
    assert client.get(f"/meetings/{meeting.pk}/live/").status_code == page
    assert client.get(f"/api/v1/meetings/{meeting.pk}").status_code == api
    listed = [m["id"] for m in client.get("/api/v1/meetings").json()["items"]]
    assert listed == ([meeting.pk] if api == 200 else [])


def meeting_with_decisions(facilitator: User, supermarkets: dict, count: int):
    """A meeting with ``count`` decisions voted on and closed, and as many still open."""
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    for n in range(2 * count):
        decision = need_decision(meeting, facilitator)
        decisions.open_decision(decision, actor=facilitator)
        for slug in ("bees", "bloum"):
            organisation, person = supermarkets[slug]
            decisions.cast_ballot(decision, organisation, actor=person, choice="yes")
        if n % 2:
            decisions.close_decision(decision, actor=facilitator)
    return meeting


@pytest.mark.parametrize("count", [1, 3])
def test_meeting_pages_run_a_bounded_number_of_queries(
    facilitator: User, supermarkets: dict, django_assert_num_queries, count: int
) -> None:
    meeting = meeting_with_decisions(facilitator, supermarkets, count)
    client = logged_in(supermarkets["bees"][1])
    # session, user, meeting, membership check; whom the person votes for (their supermarkets,
    # those present, those that gave them a proxy, the organisations); items with decisions,
    # needs and ballot counts, the person's own ballots; the person's invitation; who is
    # present, a page of the attendances and how many; the quorum (supermarkets represented;
    # its base was fixed when the meeting started)
    with django_assert_num_queries(15):
        client.get(f"/meetings/{meeting.pk}/")
    with django_assert_num_queries(14):  # the polled part: the same facts, no form
        client.get(f"/meetings/{meeting.pk}/live/")
    # session, user, membership check, meeting; items with decisions, their ballots (shown
    # once a vote is closed), attendances
    with django_assert_num_queries(7):
        client.get(f"/api/v1/meetings/{meeting.pk}")


@pytest.mark.parametrize("count", [1, 3])
def test_the_meeting_list_runs_a_bounded_number_of_queries(
    facilitator: User, supermarkets: dict, django_assert_num_queries, count: int
) -> None:
    from komunigi.meetings.tests.test_services import plan

    for number in range(count):
        plan(facilitator, title=f"Ahead {number}")
        past = plan(facilitator, title=f"Past {number}")
        services.start_meeting(past, actor=facilitator)
        services.close_meeting(past, actor=facilitator)
    client = logged_in(facilitator)
    # session, user; meetings ahead and past, each a page of them and how many there are
    with django_assert_num_queries(6):
        response = client.get("/meetings/")
    assert (len(response.context["upcoming"]), len(response.context["past"])) == (count, count)
