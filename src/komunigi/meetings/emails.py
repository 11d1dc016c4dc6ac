"""E-mails about meetings, each carrying the meeting as an iCalendar invitation (invite.ics).

Four kinds, each with its templates ``emails/meeting-<kind>-subject.txt``, ``-body.txt`` and
``-body.html``: the invitation, an update after a change, the cancellation and the reminder.
"""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from komunigi.dates import format_date
from komunigi.meetings.calendar import CANCEL as CANCEL_METHOD
from komunigi.meetings.calendar import REQUEST, invitation_calendar
from komunigi.meetings.models import Decision, Invitation, Meeting
from komunigi.notifications import events
from komunigi.notifications.emails import absolute_url
from komunigi.notifications.services import notify

INVITATION = "invitation"
UPDATE = "update"
CANCEL = "cancel"
REMINDER = "reminder"
KINDS = (INVITATION, UPDATE, CANCEL, REMINDER)
# Invitations and cancellations change the invitee's calendar: they are always sent at once.
EVENTS = {
    INVITATION: events.MEETING_INVITATION,
    CANCEL: events.MEETING_INVITATION,
    UPDATE: events.MEETING_UPDATE,
    REMINDER: events.MEETING_REMINDER,
}


def send_meeting_email(invitation: Invitation, kind: str) -> None:
    """Queue the ``kind`` e-mail about the invitation's meeting to the invitee, in their
    language, with the meeting attached for their calendar (to drop it, for a cancellation).

    Side effect: an outbox row, sent once the caller's transaction commits.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown meeting e-mail {kind!r}")
    meeting, user = invitation.meeting, invitation.user
    method = CANCEL_METHOD if kind == CANCEL else REQUEST
    with translation.override(user.language):
        url = absolute_url(meeting.get_absolute_url())
        context: dict[str, Any] = {
            "invitation": invitation,
            "meeting": meeting,
            "user": user,
            "organisation": invitation.organisation,
            "url": url,
            "day": _day(meeting),
            "when": when(meeting, meeting.time_zone),
            # The same moment on the invitee's clock, when it reads differently.
            "own_when": (
                when(meeting, user.time_zone) if _offset_differs(meeting, user.time_zone) else ""
            ),
        }
        if kind != CANCEL:
            context["items"] = list(meeting.items.all())
        if kind == REMINDER:
            context["in_days"] = in_days(meeting)
        calendar = invitation_calendar(
            meeting, method, url=url, attendee_email=user.email, attendee_name=user.full_name
        )
    notify(
        user,
        EVENTS[kind],
        context,
        template=f"meeting-{kind}",
        calendar=calendar,
        calendar_method=method,
    )


def _local(meeting: Meeting, zone: str) -> tuple[datetime.datetime, datetime.datetime]:
    tz = ZoneInfo(zone)
    return meeting.starts_at.astimezone(tz), meeting.ends_at.astimezone(tz)


def _day(meeting: Meeting) -> str:
    start, _end = _local(meeting, meeting.time_zone)
    return _("%(weekday)s, %(date)s") % {
        "weekday": formats.date_format(start, "l"),
        "date": format_date(start),
    }


def when(meeting: Meeting, zone: str) -> str:
    """The day and hours of the meeting in ``zone``, in the active language."""
    start, end = _local(meeting, zone)
    return _("%(weekday)s, %(date)s, %(start)s to %(end)s (%(zone)s time)") % {
        "weekday": formats.date_format(start, "l"),
        "date": format_date(start),
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
        "zone": zone.replace("_", " "),
    }


def _offset_differs(meeting: Meeting, zone: str) -> bool:
    """Brussels and Paris are different zones on the same clock: saying it twice is noise."""
    start, _end = _local(meeting, meeting.time_zone)
    return start.utcoffset() != meeting.starts_at.astimezone(ZoneInfo(zone)).utcoffset()


def in_days(meeting: Meeting, *, now: datetime.datetime | None = None) -> str:
    """“today”, “tomorrow”, “in 3 days”: calendar days on the meeting's clock."""
    tz = ZoneInfo(meeting.time_zone)
    today = (now or timezone.now()).astimezone(tz).date()
    days = (meeting.starts_at.astimezone(tz).date() - today).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}


def _invitees(meeting: Meeting) -> list[Any]:
    return [invitation.user for invitation in meeting.invitations.select_related("user")]


def notify_minutes_published(meeting: Meeting) -> None:
    for recipient in _invitees(meeting):
        with translation.override(recipient.language):
            url = absolute_url(reverse("meeting_minutes", args=[meeting.pk]))
        notify(recipient, events.MINUTES_PUBLISHED, {"meeting": meeting, "url": url})


def notify_decision_outcome(decision: Decision) -> None:
    """To the meeting's invitees and, for a decision on a need, the need's followers."""
    meeting, need = decision.item.meeting, decision.item.need
    people = {person.pk: person for person in _invitees(meeting)}
    if need is not None:
        for follow in need.follows.select_related("user"):
            people.setdefault(follow.user.pk, follow.user)
    for recipient in people.values():
        with translation.override(recipient.language):
            url = absolute_url(meeting.get_absolute_url()) + f"#decision-{decision.pk}"
        notify(
            recipient,
            events.DECISION_OUTCOME,
            {"decision": decision, "meeting": meeting, "need": need, "url": url},
        )
