import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.meetings import attendance, decisions, services
from komunigi.meetings.models import DecisionBallot, Invitation, Meeting
from komunigi.meetings.tests.conftest import logged_in
from komunigi.meetings.tests.test_services import in_session, need_decision, plan

pytestmark = pytest.mark.django_db


def test_members_only_meetings_are_hidden_from_visitors_and_outsiders(
    facilitator: User, outsider: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    assert Client().get(meeting.get_absolute_url()).status_code == 404
    assert logged_in(outsider).get(meeting.get_absolute_url()).status_code == 404
    assert logged_in(supermarkets["bees"][1]).get(meeting.get_absolute_url()).status_code == 200
    public = plan(facilitator, visibility="public", title="Open day")
    assert Client().get(public.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "action", ["invite", "start", "cancel", "close", "prepare", "attendance", "items"]
)
def test_only_facilitators_run_meetings(facilitator: User, supermarkets: dict, action: str) -> None:
    meeting = plan(facilitator)
    response = logged_in(supermarkets["bees"][1]).post(f"/meetings/{meeting.pk}/{action}/")
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert (meeting.status, meeting.invitations_sent_at, meeting.items.count()) == (
        "planned",
        None,
        0,
    )


def test_planning_a_meeting_reads_the_time_in_the_meetings_time_zone(facilitator: User) -> None:
    facilitator.time_zone = "America/Montreal"
    facilitator.save()
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    response = logged_in(facilitator).post(
        "/en/meetings/new/",
        {
            "kind": "users",
            "title": "Users' meeting",
            "starts_at": f"{day}T19:00",
            "duration": "90",
            "time_zone": "Europe/Brussels",
            "place": "BEES coop",
            "video_url": "meet.jit.si/komunigi",
            "visibility": "members",
            "reminder_days": "2",
            "quorum_percent": "60",
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/en/meetings/{meeting.pk}/"
    local = timezone.localtime(meeting.starts_at, timezone=ZoneInfo("Europe/Brussels"))
    assert (local.hour, local.minute) == (19, 0)
    assert str(meeting.quorum) == "0.60"
    assert meeting.video_url == "https://meet.jit.si/komunigi"


def test_a_meeting_with_bad_input_keeps_what_was_typed(facilitator: User) -> None:
    response = logged_in(facilitator).post(
        "/en/meetings/new/",
        {"kind": "users", "title": "Kept title", "duration": "3", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"starts_at", "duration", "time_zone"}
    assert 'value="Kept title"' in response.content.decode()
    assert Meeting.objects.count() == 0


def test_a_meeting_typed_in_the_past_is_refused_and_an_old_one_still_edits(
    facilitator: User,
) -> None:
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    fields = {
        "kind": "users",
        "title": "Typo in the year",
        "starts_at": f"{yesterday}T19:00",
        "duration": "90",
        "time_zone": "Europe/Brussels",
        "place": "BEES coop",
        "visibility": "members",
        "reminder_days": "2",
        "quorum_percent": "50",
    }
    client = logged_in(facilitator)
    response = client.post("/en/meetings/new/", fields)
    assert "This time is already past: check the date." in response.content.decode()
    assert Meeting.objects.count() == 0
    # A meeting whose time has come keeps its start when its other fields are corrected.
    meeting = plan(facilitator, starts_at=timezone.now() - datetime.timedelta(hours=1))
    local = timezone.localtime(meeting.starts_at, ZoneInfo("Europe/Brussels"))
    edited = {**fields, "starts_at": local.strftime("%Y-%m-%dT%H:%M"), "title": "Fixed title"}
    client.post(f"/en/meetings/{meeting.pk}/edit/", edited)
    meeting.refresh_from_db()
    assert meeting.title == "Fixed title"


def test_invitees_answer_with_a_proxy_and_others_cannot_answer_for_them(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = plan(facilitator)
    services.send_invitations(meeting, actor=facilitator)
    claire = supermarkets["bees"][1]
    bloum, _ = supermarkets["bloum"]
    client = logged_in(claire)
    response = client.post(
        f"/en/meetings/{meeting.pk}/reply/",
        {"answer": "proxy", "proxy_to": bloum.pk},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Your answer is recorded."]
    invitation = Invitation.objects.get(user=claire)
    assert (invitation.reply, invitation.proxy_to) == ("proxy", bloum)
    outsider = MembershipFactory(organisation=OrganisationFactory(kind="provider")).user
    assert (
        logged_in(outsider)
        .post(f"/meetings/{meeting.pk}/reply/", {"answer": "attending"})
        .status_code
        == 404
    )


def test_a_representative_votes_from_their_phone_and_sees_it_recorded(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    bees, claire = supermarkets["bees"]
    response = logged_in(claire).post(
        f"/en/decisions/{decision.pk}/vote/",
        {"organisation": bees.pk, "choice": "yes"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["The vote of Bees is recorded."]
    assert DecisionBallot.objects.get().choice == "yes"


def test_nobody_votes_for_a_supermarket_they_do_not_speak_for(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    bloum = supermarkets["bloum"][0]
    claire = supermarkets["bees"][1]
    member = MembershipFactory(organisation=supermarkets["bees"][0], role=Role.MEMBER).user
    response = logged_in(claire).post(
        f"/en/decisions/{decision.pk}/vote/", {"organisation": bloum.pk, "choice": "no"}
    )
    assert response.status_code == 400
    assert (
        logged_in(member).post(f"/decisions/{decision.pk}/vote/", {"choice": "no"}).status_code
        == 403
    )
    assert DecisionBallot.objects.count() == 0


def test_a_proxy_holder_votes_for_the_supermarket_it_represents(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "nid"])
    bees, claire = supermarkets["bees"]
    bloum = supermarkets["bloum"][0]
    attendance.record_attendance(meeting, bloum, actor=facilitator, proxy_holder=bees)
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    logged_in(claire).post(
        f"/decisions/{decision.pk}/vote/", {"organisation": bloum.pk, "choice": "no"}
    )
    assert [(b.organisation, b.choice) for b in DecisionBallot.objects.all()] == [(bloum, "no")]


def test_the_live_part_shows_quorum_and_results(facilitator: User, supermarkets: dict) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    page = logged_in(supermarkets["bees"][1]).get(f"/en/meetings/{meeting.pk}/live/")
    content = page.content.decode()
    assert "2 of 3 member supermarkets represented" in content
    assert "quorum reached" in content


def test_minutes_are_for_members_once_approved(
    facilitator: User, supermarkets: dict, outsider: User
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    services.close_meeting(meeting, actor=facilitator)
    claire = supermarkets["bees"][1]
    assert logged_in(claire).get(f"/meetings/{meeting.pk}/minutes/").status_code == 404
    editor = logged_in(facilitator)
    editor.post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "# Minutes\n\nAll agreed."})
    editor.post(f"/meetings/{meeting.pk}/minutes/", {"approve": "1"})
    page = logged_in(claire).get(f"/meetings/{meeting.pk}/minutes/")
    assert "<p>All agreed.</p>" in page.content.decode()
    assert (
        logged_in(claire)
        .post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "hacked"})
        .status_code
        == 403
    )


def test_api_lists_meetings_and_shows_results_once_closed(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    bees, claire = supermarkets["bees"]
    decisions.cast_ballot(decision, bees, actor=claire, choice="yes")
    client = logged_in(claire)
    open_view = client.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert open_view["agenda"][0]["decision"]["outcome"] is None
    assert open_view["agenda"][0]["decision"]["ballots"] is None
    decisions.close_decision(decision, actor=facilitator)
    closed = client.get(f"/api/v1/meetings/{meeting.pk}").json()["agenda"][0]["decision"]
    assert (closed["outcome"], closed["counts"], closed["ballots"]) == (
        "approved",
        {"yes": 1, "no": 0, "abstain": 0},
        [{"organisation": "bees", "choice": "yes", "reason": ""}],
    )
    assert [m["id"] for m in Client().get("/api/v1/meetings").json()["items"]] == []


def ballot(client: Client, decision_id: int, payload: dict, token: str) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/decisions/{decision_id}/ballot",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def test_api_ballot_one_supermarket_one_ballot_403_without_vote_409_once_closed(
    facilitator: User, supermarkets: dict
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    _, claire_token = create_api_token(supermarkets["bees"][1], name="phone")
    provider_person = MembershipFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.PROVIDER)
    ).user
    _, provider_token = create_api_token(provider_person, name="script")
    client = Client()
    assert ballot(client, decision.pk, {"choice": "yes"}, claire_token) == (
        200,
        {"organisation": "bees", "choice": "yes", "replaced": False},
    )
    assert ballot(client, decision.pk, {"choice": "no"}, claire_token)[1]["replaced"] is True
    assert DecisionBallot.objects.get().choice == "no"
    assert ballot(client, decision.pk, {"choice": "yes"}, provider_token)[0] == 403
    assert ballot(client, decision.pk, {"choice": "maybe"}, claire_token)[0] == 422
    decisions.close_decision(decision, actor=facilitator)
    assert ballot(client, decision.pk, {"choice": "yes"}, claire_token)[0] == 409


def test_calendar_feeds_public_and_private(facilitator: User, supermarkets: dict) -> None:
    from icalendar import Calendar

    from komunigi.meetings import feeds

    public = plan(facilitator, visibility="public", title="Open day")
    members_only = plan(facilitator, title="Members' meeting")
    services.send_invitations(members_only, actor=facilitator)
    claire = supermarkets["bees"][1]
    token = feeds.feed_token(claire)

    def summaries(url: str) -> list[str]:
        response = Client().get(url)
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        calendar = Calendar.from_ical(response.content)
        return sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))

    assert summaries("/api/v1/meetings/calendar.ics") == [public.title]
    assert summaries(f"/api/v1/meetings/calendar/{token}.ics") == sorted(
        [public.title, members_only.title]
    )
    feeds.revoke_feed(claire)
    assert Client().get(f"/api/v1/meetings/calendar/{token}.ics").status_code == 404
