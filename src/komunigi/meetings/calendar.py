"""Meetings as iCalendar (RFC 5545): invitations sent by e-mail (RFC 6047) and feeds.

An event keeps one UID for ever and a SEQUENCE that grows with each change sent, so calendar
applications replace the meeting they already hold instead of adding a second one.
"""

import datetime
from collections.abc import Callable, Iterable
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.meetings.models import Meeting, MeetingStatus

PRODID = "-//Komunigi//Meetings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def event_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@komunigi"


def meeting_event(meeting: Meeting, *, url: str) -> icalendar.Event:
    """The meeting as a VEVENT; ``url`` is the absolute address of its page."""
    # In the meeting's own zone, so that DTSTART carries its TZID and a calendar in another
    # zone still moves the meeting right when daylight saving time starts or ends there.
    start = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    description = []
    if meeting.video_url:
        description.append(_("Video link: %(url)s") % {"url": meeting.video_url})
    description.append(_("Agenda, replies and minutes: %(url)s") % {"url": url})
    event = icalendar.Event.new(
        uid=event_uid(meeting),
        sequence=meeting.sequence,
        stamp=timezone.now(),
        start=start,
        summary=meeting.title,
        # Without a place, the video link is where the meeting happens.
        location=meeting.place or meeting.video_url or None,
        description="\n".join(description),
        url=url,
        status=icalendar.STATUS.CANCELLED if cancelled else icalendar.STATUS.CONFIRMED,
        organizer=_organizer(),
    )
    event.duration = datetime.timedelta(minutes=meeting.duration)
    return event


def _organizer() -> icalendar.vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["CN"] = name
    return organizer


def invitation_calendar(
    meeting: Meeting, method: str, *, url: str, attendee_email: str, attendee_name: str = ""
) -> str:
    """An invitation (``REQUEST``) or its cancellation (``CANCEL``) for one invitee."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown iCalendar method {method!r}")
    event = meeting_event(meeting, url=url)
    attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "NEEDS-ACTION"
    # People answer on the meeting's page (with a proxy when they give one), not with the
    # calendar's accept / decline buttons, whose replies would go to a no-reply address.
    attendee.params["RSVP"] = "FALSE"
    if attendee_name:
        attendee.params["CN"] = attendee_name
    event.add("attendee", attendee)
    cal = _calendar([event], [meeting])
    cal.add("method", method)
    return cal.to_ical().decode()


def feed_calendar(
    meetings: Iterable[Meeting], *, url_for: Callable[[str], str], name: str = ""
) -> bytes:
    """A calendar to subscribe to, one event per meeting (cancelled ones stay, marked so).

    ``url_for`` makes a page's path absolute (``request.build_absolute_uri``). No METHOD: a
    feed is published, not sent, and some applications refuse a feed that has one.
    """
    meetings = list(meetings)
    events = [meeting_event(m, url=url_for(m.get_absolute_url())) for m in meetings]
    cal = _calendar(events, meetings)
    name = name or _("%(community)s meetings") % {"community": settings.KOMUNIGI_COMMUNITY_NAME}
    cal.calendar_name = name  # NAME, and X-WR-CALNAME for the applications that predate it
    cal.refresh_interval = datetime.timedelta(hours=1)
    return cal.to_ical()


def _calendar(events: list[icalendar.Event], meetings: list[Meeting]) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    for event in events:
        cal.add_component(event)
    if meetings:
        # The zones' rules from the year before the first meeting to the year after the last:
        # enough to place them, and a few hundred bytes instead of seventy years of rules.
        first = min(m.starts_at for m in meetings).year - 1
        last = max(m.ends_at for m in meetings).year + 2
        cal.add_missing_timezones(
            first_date=datetime.date(first, 1, 1), last_date=datetime.date(last, 1, 1)
        )
    return cal
