"""Every write on meetings: planning, invitations and replies, attendance, decisions, minutes.

Each runs in one transaction with its audit event; e-mails go to the outbox in it.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import (
    VOTING_ROLES,
    Organisation,
    User,
)
from komunigi.errors import DomainError, require
from komunigi.funding.models import MaintenancePlan
from komunigi.meetings import emails, minutes, permissions, tally
from komunigi.meetings.attendance import is_voting_supermarket, member_supermarket_count
from komunigi.meetings.decisions import postpone_unfinished
from komunigi.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionStatus,
    Invitation,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Reply,
)
from komunigi.needs import lifecycle
from komunigi.needs.models import Need
from komunigi.needs.roadmap import roadmap
from komunigi.needs.services import move_by_process

# What a calendar shows of a meeting: a change to any of these is sent again as an update.
CALENDAR_FIELDS = ("title", "starts_at", "duration", "time_zone", "place", "video_url")
MEETING_FIELDS = (
    *CALENDAR_FIELDS,
    "kind",
    "visibility",
    "quorum",
    "online_voting",
    "reminder_days",
)


def create_meeting(*, actor: User, **fields: Any) -> Meeting:
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.create(created_by=actor, **_only(fields, MEETING_FIELDS))
        log_action(actor, "meetings.meeting.created", meeting)
    return meeting


def update_meeting(meeting: Meeting, *, actor: User, **fields: Any) -> Meeting:
    """Change a planned meeting; invitees get the new version (its SEQUENCE grows)."""
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise DomainError(_("Only a planned meeting changes."))
        changed = [name for name, value in _only(fields, MEETING_FIELDS).items()
                   if getattr(meeting, name) != value]  # fmt: skip
        if not changed:
            return meeting
        if "kind" in changed and meeting.invitations_sent_at is not None:
            raise DomainError(_("Invitations were sent: the kind of meeting no longer changes."))
        for name in changed:
            setattr(meeting, name, fields[name])
        invited = meeting.invitations_sent_at is not None
        resend = invited and bool(set(changed) & set(CALENDAR_FIELDS))
        if resend:
            meeting.sequence += 1
        reschedule = invited and bool({"starts_at", "reminder_days"} & set(changed))
        if reschedule:
            meeting.reminder_sent_at = None  # a new date deserves a new reminder
        meeting.save(update_fields=[*changed, "sequence", "reminder_sent_at"])
        log_action(actor, "meetings.meeting.changed", meeting, {"fields": changed})
        if resend:
            for invitation in meeting.invitations.select_related("user"):
                emails.send_meeting_email(invitation, emails.UPDATE)
        if reschedule:
            transaction.on_commit(lambda: _schedule_reminder(meeting))
    return meeting


def _set_status(meeting: Meeting, status: str, *, actor: User | None, fields: tuple = ()) -> None:
    """The one place a meeting changes status, with its audit event."""
    previous = meeting.status
    meeting.status = status
    meeting.save(update_fields=["status", *fields])
    log_action(actor, f"meetings.meeting.{status}", meeting, {"from": previous})


def cancel_meeting(meeting: Meeting, *, actor: User) -> None:
    """Cancel a planned meeting: invitees' calendars drop it (METHOD:CANCEL)."""
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise DomainError(_("Only a planned meeting can be cancelled."))
        meeting.sequence += 1
        _set_status(meeting, MeetingStatus.CANCELLED, actor=actor, fields=("sequence",))
        postpone_unfinished(meeting, actor=actor)
        for invitation in meeting.invitations.select_related("user"):
            emails.send_meeting_email(invitation, emails.CANCEL)


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name in allowed}


def invitees(meeting: Meeting) -> list[tuple[User, Organisation | None]]:
    """Users' meetings: the representatives and substitutes of member supermarkets. Core
    meetings: the core group, that is the facilitators."""
    if meeting.kind == MeetingKind.CORE:
        return [(u, None) for u in User.objects.filter(is_facilitator=True, is_active=True)]
    people: list[tuple[User, Organisation | None]] = []
    for supermarket in Organisation.objects.member_supermarkets().prefetch_related(
        "memberships__user"
    ):
        for membership in supermarket.memberships.all():
            if membership.role in VOTING_ROLES and membership.user.is_active:
                people.append((membership.user, supermarket))
    return people


def send_invitations(meeting: Meeting, *, actor: User) -> int:
    """Invite everybody the meeting concerns (those invited already are not invited twice).

    Side effects: Invitation rows, an e-mail with the meeting as an iCalendar invitation to
    each new invitee, and (with a worker that can wait) the reminder scheduled.
    """
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise DomainError(_("Invitations are sent for planned meetings only."))
        sent = 0
        for user, organisation in invitees(meeting):
            invitation, created = Invitation.objects.get_or_create(
                meeting=meeting, user=user, defaults={"organisation": organisation}
            )
            if created:
                emails.send_meeting_email(invitation, emails.INVITATION)
                sent += 1
        if meeting.invitations_sent_at is None:
            meeting.invitations_sent_at = timezone.now()
            meeting.save(update_fields=["invitations_sent_at"])
            transaction.on_commit(lambda: _schedule_reminder(meeting))
        log_action(actor, "meetings.invitations.sent", meeting, {"count": sent})
    return sent


def reminder_time(meeting: Meeting) -> datetime.datetime:
    return meeting.starts_at - datetime.timedelta(days=meeting.reminder_days)


def _schedule_reminder(meeting: Meeting) -> None:
    from komunigi.meetings.tasks import send_reminder

    if send_reminder.get_backend().supports_defer and reminder_time(meeting) > timezone.now():
        send_reminder.using(run_after=reminder_time(meeting)).enqueue(meeting.pk)


def send_reminder(meeting: Meeting) -> bool:
    """Remind the invitees once, when the reminder is due. True when it went out."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        due = (
            meeting.status == MeetingStatus.PLANNED
            and meeting.invitations_sent_at is not None
            and meeting.reminder_sent_at is None
            and reminder_time(meeting) <= timezone.now() < meeting.starts_at
        )
        if not due:
            return False
        meeting.reminder_sent_at = timezone.now()
        meeting.save(update_fields=["reminder_sent_at"])
        for invitation in meeting.invitations.select_related("user").exclude(
            reply=Reply.NOT_ATTENDING
        ):
            emails.send_meeting_email(invitation, emails.REMINDER)
        log_action(None, "meetings.reminder.sent", meeting)
    return True


def send_due_reminders() -> int:
    """For cron: remind every meeting whose reminder is due."""
    planned = Meeting.objects.filter(
        status=MeetingStatus.PLANNED,
        reminder_sent_at=None,
        invitations_sent_at__isnull=False,
        starts_at__gt=timezone.now(),
    )
    return sum(send_reminder(meeting) for meeting in planned)


def reply(
    invitation: Invitation, *, actor: User, answer: str, proxy_to: Organisation | None = None
) -> None:
    """Attending, not attending, or giving the supermarket's proxy to another supermarket,
    whose representative carries at most one proxy."""
    require(invitation.user_id == getattr(actor, "pk", None) and actor.is_active)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("meeting", "organisation")
            .get(pk=invitation.pk)
        )
        if not invitation.meeting.is_open:
            raise DomainError(_("This meeting is over."))
        if answer == Reply.PROXY:
            _check_proxy(invitation, proxy_to)
        else:
            proxy_to = None
        if answer == Reply.ATTENDING and invitation.organisation is not None:
            given = _colleagues(invitation).filter(reply=Reply.PROXY).first()
            if given is not None:
                raise DomainError(
                    _("%(person)s gave your supermarket's proxy to %(name)s: agree together.")
                    % {"person": given.user.full_name, "name": given.proxy_to.name}
                )
        invitation.reply = answer
        invitation.proxy_to = proxy_to
        invitation.replied_at = timezone.now()
        invitation.save(update_fields=["reply", "proxy_to", "replied_at"])
        log_action(
            actor,
            "meetings.invitation.replied",
            invitation.meeting,
            {"reply": answer, "proxy_to": proxy_to.slug if proxy_to else None},
        )


def _colleagues(invitation: Invitation) -> Any:
    """The other people invited for the same supermarket (representative and substitute)."""
    return (
        Invitation.objects.filter(meeting=invitation.meeting, organisation=invitation.organisation)
        .exclude(pk=invitation.pk)
        .select_related("user", "proxy_to")
    )


def _check_proxy(invitation: Invitation, proxy_to: Organisation | None) -> None:
    own = invitation.organisation
    if own is None:
        raise DomainError(_("Only a supermarket's proxy can be given."))
    if proxy_to is None or proxy_to == own:
        raise DomainError(_("Choose the supermarket that receives your proxy."))
    if not is_voting_supermarket(proxy_to):
        raise DomainError(_("A proxy goes to a member supermarket."))
    attending = _colleagues(invitation).filter(reply=Reply.ATTENDING).first()
    if attending is not None:
        raise DomainError(
            _("%(person)s will attend for your supermarket: agree together first.")
            % {"person": attending.user.full_name}
        )
    meeting = invitation.meeting
    if Invitation.objects.filter(meeting=meeting, reply=Reply.PROXY, proxy_to=own).exists():
        raise DomainError(
            _("Your supermarket carries another one's proxy: it cannot give its own.")
        )
    if Invitation.objects.filter(
        meeting=meeting, organisation=proxy_to, reply=Reply.PROXY
    ).exists():
        raise DomainError(
            _("%(name)s gave its own proxy away: choose another supermarket.")
            % {"name": proxy_to.name}
        )
    carried = (
        Invitation.objects.filter(meeting=invitation.meeting, reply=Reply.PROXY, proxy_to=proxy_to)
        .exclude(organisation=own)
        .exists()
    )
    if carried:
        raise DomainError(
            _("%(name)s already carries another supermarket's proxy: one at most.")
            % {"name": proxy_to.name}
        )


def start_meeting(meeting: Meeting, *, actor: User) -> None:
    """Open the session; attendance starts from the replies (attending, proxies)."""
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise DomainError(_("Only a planned meeting can start."))
        meeting.quorum_base = member_supermarket_count()
        _set_status(meeting, MeetingStatus.IN_SESSION, actor=actor, fields=("quorum_base",))
        replies = meeting.invitations.select_related("organisation", "user")
        for invitation in replies.filter(reply=Reply.ATTENDING, organisation__isnull=False):
            Attendance.objects.get_or_create(
                meeting=meeting,
                organisation=invitation.organisation,
                defaults={"person": invitation.user},
            )
        for invitation in replies.filter(reply=Reply.PROXY, proxy_to__isnull=False):
            holder_present = meeting.attendances.filter(
                organisation=invitation.proxy_to, proxy_holder=None
            ).exists()
            if holder_present:
                try:
                    with transaction.atomic():
                        Attendance.objects.get_or_create(
                            meeting=meeting,
                            organisation=invitation.organisation,
                            defaults={"proxy_holder": invitation.proxy_to},
                        )
                except IntegrityError:
                    continue  # the holder already carries a proxy: recorded by hand


def add_item(
    meeting: Meeting,
    *,
    actor: User,
    kind: str,
    title: str,
    need: Need | None = None,
    maintenance_plan: MaintenancePlan | None = None,
    notes: str = "",
    rule: str = tally.MAJORITY,
) -> AgendaItem:
    """An agenda item at the end. A decision on a need takes a quoted need and schedules it;
    a decision on a maintenance plan takes one that still takes commitments."""
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not meeting.is_open:
            raise DomainError(_("This meeting is over: it no longer changes."))
        if kind == ItemKind.NEED_DECISION:
            if need is None:
                raise DomainError(_("Choose the need to decide on."))
            if need.status != lifecycle.QUOTED:
                raise DomainError(
                    _("Only a need with a valid quote is put to a decision: “%(title)s” is not.")
                    % {"title": need.title}
                )
            move_by_process(need, lifecycle.SCHEDULED, actor=actor, reason=meeting.title)
        else:
            need = None
        if kind == ItemKind.PLAN_DECISION:
            if maintenance_plan is None or not maintenance_plan.is_collecting:
                raise DomainError(_("Choose a maintenance plan that takes commitments."))
        else:
            maintenance_plan = None
        position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            kind=kind,
            title=title.strip()
            or (need.title if need else maintenance_plan.title if maintenance_plan else ""),
            need=need,
            maintenance_plan=maintenance_plan,
            notes=notes.strip(),
        )
        if item.is_decision:
            Decision.objects.create(item=item, rule=rule)
        log_action(actor, "meetings.item.added", meeting, {"item": item.pk, "kind": kind})
    return item


def remove_item(item: AgendaItem, *, actor: User) -> None:
    """Take an item off the agenda. A decision already voted on stays; a need waiting for
    its decision goes back to open."""
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        if not meeting.is_open:
            raise DomainError(_("This meeting is over: it no longer changes."))
        decision = getattr(item, "decision", None) if item.is_decision else None
        if decision is not None and (
            decision.status != DecisionStatus.PENDING or decision.ballots.exists()
        ):
            raise DomainError(_("A decision put to the vote stays on the agenda."))
        need = Need.objects.filter(pk=item.need_id).first() if item.need_id is not None else None
        log_action(actor, "meetings.item.removed", meeting, {"title": item.title})
        item.delete()
        if need is not None and need.status == lifecycle.SCHEDULED:
            for status in (lifecycle.POSTPONED, lifecycle.OPEN):
                need = move_by_process(need, status, actor=actor, reason=meeting.title)


def prepare_agenda(meeting: Meeting, *, actor: User, limit: int = 3) -> list[AgendaItem]:
    """Put the top of the roadmap that has a valid quote on the agenda, as decisions."""
    require(permissions.can_run_meetings(actor))
    chosen: list[Need] = []
    number = 1
    while len(chosen) < limit:  # page after page of the roadmap, until enough are found
        _latest, page = roadmap(number)
        chosen += [i.need for i in page if i.need.status == lifecycle.QUOTED and i.best_quote]
        if not page.has_next():
            break
        number += 1
    return [
        add_item(meeting, actor=actor, kind=ItemKind.NEED_DECISION, title=need.title, need=need)
        for need in chosen[:limit]
    ]


def close_meeting(meeting: Meeting, *, actor: User) -> None:
    """End the session; its minutes start as a draft written from what happened."""
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.IN_SESSION:
            raise DomainError(_("Only a meeting in session can be closed."))
        if Decision.objects.filter(item__meeting=meeting, status=DecisionStatus.OPEN).exists():
            raise DomainError(_("Close the decisions still open first."))
        postpone_unfinished(meeting, actor=actor)  # those never opened
        if not meeting.minutes:
            meeting.minutes = minutes.draft(meeting)
            meeting.minutes_status = MinutesStatus.DRAFT
        _set_status(
            meeting, MeetingStatus.CLOSED, actor=actor, fields=("minutes", "minutes_status")
        )


def save_minutes(meeting: Meeting, *, actor: User, text: str) -> None:
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.minutes_status == MinutesStatus.PUBLISHED:
            raise DomainError(_("Approved minutes no longer change."))
        meeting.minutes = text.strip()
        meeting.minutes_status = MinutesStatus.DRAFT
        meeting.save(update_fields=["minutes", "minutes_status"])
        log_action(actor, "meetings.minutes.edited", meeting)


def approve_minutes(meeting: Meeting, *, actor: User, at: Meeting | None = None) -> None:
    """The minutes, approved (at the next meeting, usually), are published to members."""
    require(permissions.can_run_meetings(actor))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.CLOSED or not meeting.minutes:
            raise DomainError(_("Minutes are approved once the meeting is over and written."))
        meeting.minutes_status = MinutesStatus.PUBLISHED
        meeting.minutes_approved_at = at
        meeting.save(update_fields=["minutes_status", "minutes_approved_at"])
        log_action(actor, "meetings.minutes.approved", meeting, {"at": at.pk if at else None})
        emails.notify_minutes_published(meeting)
