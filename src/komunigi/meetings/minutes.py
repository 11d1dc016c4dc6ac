"""The draft minutes of a meeting, written from its agenda, attendance and decisions."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from komunigi.dates import format_moment
from komunigi.meetings.models import Decision, Meeting, Outcome


def draft(meeting: Meeting) -> str:
    """Markdown for the facilitator to complete: who was there, what was said, decided.

    Sections are level-2 headings: the minutes' page gives the meeting's title as its h1.
    The time is the meeting's own (where it is held), named so no reader has to guess."""
    starts = timezone.localtime(meeting.starts_at, ZoneInfo(meeting.time_zone))
    when = _("%(date)s (%(zone)s)") % {
        "date": format_moment(starts),
        "zone": meeting.time_zone,
    }
    lines = [when + (f" — {meeting.place}" if meeting.place else ""), ""]
    lines += ["## " + _("Present"), ""]
    for attendance in meeting.attendances.select_related("organisation", "person", "proxy_holder"):
        if attendance.proxy_holder:
            who = _("proxy given to %(name)s") % {"name": attendance.proxy_holder.name}
        else:
            who = attendance.person.full_name if attendance.person else ""
        lines.append(f"- {attendance.organisation.name}" + (f" ({who})" if who else ""))
    for item in meeting.items.select_related("need", "maintenance_plan", "decision"):
        lines += ["", f"## {item.position}. {item.title}", ""]
        if item.notes:
            lines += [item.notes, ""]
        decision = getattr(item, "decision", None) if item.is_decision else None
        if decision is not None and decision.outcome:
            lines += _decision_lines(decision)
    return "\n".join(lines).strip() + "\n"


def _decision_lines(decision: Decision) -> list[str]:
    outcome = _("Decision: %(outcome)s") % {"outcome": Outcome(decision.outcome).label}
    lines = [f"**{outcome}**"]
    counts = ", ".join(decision.counted)
    if counts:
        represented = decision.represented or 0
        lines += [
            "",
            ngettext(
                "%(count)d supermarket represented",
                "%(count)d supermarkets represented",
                represented,
            )
            % {"count": represented}
            + f" — {counts}",
        ]
    if decision.objectors:
        lines += ["", _("Objecting: %(names)s") % {"names": ", ".join(decision.objectors)}]
    return lines
