import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from komunigi.meetings.demo import INFO_SESSION, next_meeting_start, next_meeting_title
from komunigi.meetings.models import Meeting, MinutesStatus


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 11, 23), datetime.date(2026, 12, 8)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 12)),
        (datetime.date(2027, 1, 31), datetime.date(2027, 2, 9)),
        (datetime.date(2027, 5, 1), datetime.date(2027, 6, 8)),  # June starts on a Tuesday
    ],
)
def test_the_next_meeting_is_the_second_tuesday_of_next_month(
    today: datetime.date, expected: datetime.date
) -> None:
    assert next_meeting_start(today).date() == expected
    assert next_meeting_start(today).hour == 19


def test_the_next_meetings_title_names_its_month_in_french() -> None:
    assert next_meeting_title(datetime.date(2026, 11, 23)) == (
        "Rencontre des utilisateurs — décembre 2026"
    )


@pytest.mark.django_db
def test_demo_has_meetings_past_and_ahead_whenever_it_runs() -> None:
    call_command("demo", "--no-serve")
    past = Meeting.objects.filter(starts_at__lt=timezone.now())
    assert past.count() == 5  # four users' meetings that decided co-financings, one core
    assert all(m.minutes_status == MinutesStatus.PUBLISHED for m in past)
    assert all(m.attendances.exists() for m in past)
    upcoming = Meeting.objects.get(title=next_meeting_title())
    assert upcoming.starts_at > timezone.now() + datetime.timedelta(days=7)
    assert upcoming.invitations.count() >= 10  # the member supermarkets' representatives
    assert upcoming.items.filter(decision__isnull=False).count() == 1
    feed = Calendar.from_ical(Client().get("/api/v1/meetings/calendar.ics").content)
    assert [str(event["SUMMARY"]) for event in feed.events] == [INFO_SESSION]


@pytest.mark.django_db
def test_a_demo_representatives_private_feed_has_the_meetings_they_took_part_in() -> None:
    from komunigi.community.models import User
    from komunigi.meetings import feeds

    call_command("demo", "--no-serve")
    past = Meeting.objects.filter(starts_at__lt=timezone.now(), kind="users")
    assert all(m.invitations.filter(reply="attending").exists() for m in past)
    assert all(m.quorum_base is not None for m in past)
    bees = User.objects.get(
        memberships__organisation__slug="bees-coop", memberships__role="representative"
    )
    token = feeds.feed_token(bees)
    feed = Calendar.from_ical(Client().get(f"/api/v1/meetings/calendar/{token}.ics").content)
    titles = {str(event["SUMMARY"]) for event in feed.events}
    attended = {m.title for m in past.filter(attendances__organisation__slug="bees-coop")}
    assert len(attended) == 4
    assert attended | {next_meeting_title(), INFO_SESSION} <= titles
