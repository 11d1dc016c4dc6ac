"""The iCalendar we write, read back with the icalendar library as a calendar application
would; and the secret addresses of private calendar feeds."""

import datetime
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone, translation

from komunigi.audit.services import events_for
from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.meetings import calendar, feeds, services
from komunigi.meetings.models import CalendarFeed, Meeting, MeetingKind, MeetingStatus
from komunigi.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


BRUSSELS = ZoneInfo("Europe/Brussels")
URL = "https://komunigi.example/en/meetings/1/"


def in_ten_days_at(hour: int, zone: ZoneInfo = BRUSSELS) -> datetime.datetime:
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=10)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def plan(facilitator: User, **extra: object) -> Meeting:
    fields = {
        "kind": MeetingKind.USERS,
        "title": "December users' meeting",
        "starts_at": in_ten_days_at(19),
        "duration": 90,
        "time_zone": "Europe/Brussels",
        "place": "BEES coop, Rue Van Hammée 19, Schaerbeek",
        "video_url": "",
        "visibility": "members",
        "quorum": Decimal("0.50"),
        "online_voting": False,
        "reminder_days": 2,
    }
    return services.create_meeting(actor=facilitator, **{**fields, **extra})


def parse(ics: str | bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(ics)


def sent_calendars(to: str) -> list[icalendar.Calendar]:
    """The calendars attached to the e-mails sent to ``to``, oldest first."""
    messages = OutboxMessage.objects.filter(to=to).order_by("pk")
    return [parse(m.calendar) for m in messages]


def test_invitation_calendar_describes_the_meeting_in_its_time_zone(facilitator: User) -> None:
    meeting = plan(facilitator, video_url="https://meet.example/users-december")
    ics = calendar.invitation_calendar(
        meeting, "REQUEST", url=URL, attendee_email="rep@bees.example", attendee_name="Rita"
    )

    cal = parse(ics)
    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == "-//Komunigi//Meetings//EN"
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/Brussels"]
    [event] = cal.events
    assert event["UID"] == f"{meeting.uid}@komunigi"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert event.start == meeting.starts_at
    assert (event.start.hour, event.start.minute) == (19, 0)
    assert event.start.tzinfo.key == "Europe/Brussels"
    assert event["DURATION"].dt == datetime.timedelta(minutes=90)
    assert event.end == meeting.starts_at + datetime.timedelta(minutes=90)
    assert event["SUMMARY"] == "December users' meeting"
    assert event["LOCATION"] == "BEES coop, Rue Van Hammée 19, Schaerbeek"
    assert event["URL"] == URL
    assert event["STATUS"] == "CONFIRMED"
    assert event["DESCRIPTION"] == (
        f"Video link: https://meet.example/users-december\nAgenda, replies and minutes: {URL}"
    )
    assert event["ORGANIZER"] == "mailto:noreply@komunigi.localhost"
    assert event["ORGANIZER"].params["CN"] == "Komunigi"
    [attendee] = event.attendees
    assert attendee == "mailto:rep@bees.example"
    assert dict(attendee.params) == {
        "CN": "Rita",
        "PARTSTAT": "NEEDS-ACTION",
        "ROLE": "REQ-PARTICIPANT",
        "RSVP": "FALSE",
    }


def test_invitation_calendar_keeps_the_meetings_zone_for_a_meeting_planned_elsewhere(
    facilitator: User,
) -> None:
    montreal = ZoneInfo("America/Montreal")
    meeting = plan(
        facilitator, starts_at=in_ten_days_at(13, montreal), time_zone="America/Montreal"
    )
    [event] = parse(
        calendar.invitation_calendar(meeting, "REQUEST", url=URL, attendee_email="a@example.org")
    ).events
    assert event["DTSTART"].params["TZID"] == "America/Montreal"
    assert event.start.hour == 13
    assert event.start.astimezone(BRUSSELS).hour == 19


def test_invitation_calendar_puts_the_video_link_where_there_is_no_place(
    facilitator: User,
) -> None:
    meeting = plan(facilitator, place="", video_url="https://meet.example/core")
    [event] = parse(
        calendar.invitation_calendar(meeting, "REQUEST", url=URL, attendee_email="a@example.org")
    ).events
    assert event["LOCATION"] == "https://meet.example/core"


def test_invitation_calendar_refuses_an_unknown_method(facilitator: User) -> None:
    meeting = plan(facilitator)
    with pytest.raises(ValueError, match="PUBLISH"):
        calendar.invitation_calendar(meeting, "PUBLISH", url=URL, attendee_email="a@example.org")


def test_meeting_sequence_grows_with_each_change_sent_and_uid_stays(
    facilitator: User, representative: User
) -> None:
    meeting = plan(facilitator)
    # Not sent yet: a change is nobody's news, and the first invitation is SEQUENCE 0.
    services.update_meeting(meeting, actor=facilitator, place="Bloum, Place Flagey")
    services.send_invitations(meeting, actor=facilitator)
    services.update_meeting(meeting, actor=facilitator, starts_at=in_ten_days_at(20))
    services.update_meeting(meeting, actor=facilitator, quorum=Decimal("0.60"))  # not in calendars
    services.update_meeting(meeting, actor=facilitator, duration=120)

    invitation, first_change, second_change = sent_calendars(representative.email)
    assert [c["METHOD"] for c in (invitation, first_change, second_change)] == ["REQUEST"] * 3
    events = [c.events[0] for c in (invitation, first_change, second_change)]
    assert {e["UID"] for e in events} == {f"{meeting.uid}@komunigi"}
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert [e.start.hour for e in events] == [19, 20, 20]
    assert [e["DURATION"].dt for e in events] == [
        datetime.timedelta(minutes=90),
        datetime.timedelta(minutes=90),
        datetime.timedelta(hours=2),
    ]
    assert events[0]["LOCATION"] == "Bloum, Place Flagey"
    meeting.refresh_from_db()
    assert meeting.sequence == 2


def test_cancelled_meeting_is_sent_as_a_cancel_with_a_higher_sequence(
    facilitator: User, representative: User
) -> None:
    meeting = plan(facilitator)
    services.send_invitations(meeting, actor=facilitator)
    services.cancel_meeting(meeting, actor=facilitator)

    invitation, cancellation = sent_calendars(representative.email)
    assert (invitation["METHOD"], cancellation["METHOD"]) == ("REQUEST", "CANCEL")
    [event] = cancellation.events
    assert event["UID"] == f"{meeting.uid}@komunigi"
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"
    assert (
        OutboxMessage.objects.filter(to=representative.email).order_by("pk").last().calendar_method
        == "CANCEL"
    )


def test_feed_calendar_lists_exactly_the_meetings_given(facilitator: User) -> None:
    summer = datetime.datetime(2027, 6, 3, 19, tzinfo=BRUSSELS)
    december = plan(facilitator, title="December")
    june = plan(facilitator, title="June", starts_at=summer)
    cancelled = plan(facilitator, title="Cancelled one")
    services.cancel_meeting(cancelled, actor=facilitator)
    cancelled.refresh_from_db()
    plan(facilitator, title="Not in this feed")

    feed = parse(
        calendar.feed_calendar(
            [december, june, cancelled], url_for=lambda path: f"https://komunigi.example{path}"
        )
    )

    assert "METHOD" not in feed
    assert feed["X-WR-CALNAME"] == "Komunigi meetings"
    assert [tz.tz_name for tz in feed.timezones] == ["Europe/Brussels"]
    events = {e["SUMMARY"]: e for e in feed.events}
    assert sorted(events) == ["Cancelled one", "December", "June"]
    assert events["June"]["UID"] == f"{june.uid}@komunigi"
    assert events["June"].start == summer
    assert events["June"]["DTSTART"].to_ical() == b"20270603T190000"
    assert events["June"]["URL"] == f"https://komunigi.example{june.get_absolute_url()}"
    assert {s: e["STATUS"] for s, e in events.items()} == {
        "Cancelled one": "CANCELLED",
        "December": "CONFIRMED",
        "June": "CONFIRMED",
    }
    assert cancelled.status == MeetingStatus.CANCELLED
    assert events["Cancelled one"]["SEQUENCE"] == 1


def test_feed_calendar_of_no_meeting_is_an_empty_calendar() -> None:
    feed = parse(calendar.feed_calendar([], url_for=str))
    assert feed.events == []
    assert feed["VERSION"] == "2.0"


def test_meeting_event_names_the_invitees_of_a_users_meeting_nowhere(
    facilitator: User,
) -> None:
    """A feed may be public: who is invited stays out of it."""
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE, user=UserFactory())
    meeting = plan(facilitator)
    services.send_invitations(meeting, actor=facilitator)
    [event] = parse(calendar.feed_calendar([meeting], url_for=str)).events
    assert event.attendees == []


def test_feed_token_opens_the_persons_private_feed(representative: User) -> None:
    token = feeds.feed_token(representative)
    assert token.startswith("kcal_")
    assert len(token) == len("kcal_") + 43
    assert feeds.user_for_feed_token(token) == representative
    # Only its hash is kept: the database does not give the address away.
    assert CalendarFeed.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_feed_token_replaces_the_previous_address(representative: User) -> None:
    old = feeds.feed_token(representative)
    new = feeds.feed_token(representative)
    assert old != new
    assert feeds.user_for_feed_token(old) is None
    assert feeds.user_for_feed_token(new) == representative
    assert CalendarFeed.objects.count() == 1
    assert [e.action for e in events_for(representative)] == [
        "meetings.calendar_feed.replaced",
        "meetings.calendar_feed.created",
    ]


def test_revoke_feed_closes_the_address(representative: User) -> None:
    token = feeds.feed_token(representative)
    feeds.revoke_feed(representative)
    feeds.revoke_feed(representative)  # nothing left to revoke: nothing logged
    assert feeds.user_for_feed_token(token) is None
    assert CalendarFeed.objects.count() == 0
    assert [e.action for e in events_for(representative)] == [
        "meetings.calendar_feed.revoked",
        "meetings.calendar_feed.created",
    ]


def test_user_for_feed_token_refuses_unknown_tokens_and_inactive_people(
    representative: User,
) -> None:
    token = feeds.feed_token(representative)
    assert feeds.user_for_feed_token("") is None
    assert feeds.user_for_feed_token(token[len("kcal_") :]) is None
    assert feeds.user_for_feed_token(token + "x") is None
    representative.is_active = False
    representative.save(update_fields=["is_active"])
    assert feeds.user_for_feed_token(token) is None
