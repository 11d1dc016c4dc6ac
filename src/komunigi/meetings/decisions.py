"""Decisions of a meeting: their rule, the vote (one ballot per supermarket), the count, and
what the outcome does to the need decided on."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, User, is_facilitator
from komunigi.dates import show_moment
from komunigi.errors import DomainError, require
from komunigi.funding.services import maintenance
from komunigi.meetings import emails, tally
from komunigi.meetings.attendance import (
    is_voting_supermarket,
    quorum_reached,
    represented_supermarkets,
    speaks_for,
)
from komunigi.meetings.models import (
    Decision,
    DecisionBallot,
    DecisionStatus,
    Meeting,
    MeetingStatus,
    Outcome,
)
from komunigi.meetings.permissions import can_run_meetings
from komunigi.needs import lifecycle
from komunigi.needs.services import move_by_process

CLOSED = "closed"  # DomainError codes: the decision no longer takes ballots;
NOT_YOURS = "not_yours"  # this person does not cast this supermarket's ballot

# What each outcome does to a need on the agenda. Without a decision (no quorum, no vote),
# after an objection or when postponed, the need goes back to open to be decided again.
NEED_MOVES = {
    tally.APPROVED: [lifecycle.APPROVED],
    tally.REJECTED: [lifecycle.REJECTED],
    tally.BLOCKED: [lifecycle.POSTPONED, lifecycle.OPEN],
    tally.NO_QUORUM: [lifecycle.POSTPONED, lifecycle.OPEN],
    tally.NO_VOTES: [lifecycle.POSTPONED, lifecycle.OPEN],
    Outcome.POSTPONED: [lifecycle.POSTPONED, lifecycle.OPEN],
}


def _lock(decision: Decision) -> Decision:
    return (
        Decision.objects.select_for_update(of=("self",))
        .select_related("item__meeting", "item__need", "item__maintenance_plan")
        .get(pk=decision.pk)
    )


def _set_status(decision: Decision, status: str, *, actor: User | None, data: dict) -> None:
    """The one place a decision changes status, with its audit event."""
    decision.status = status
    decision.save()
    log_action(
        actor,
        f"meetings.decision.{status}",
        decision.item.meeting,
        {"item": decision.item_id, **data},
    )


def change_rule(decision: Decision, *, actor: User, rule: str) -> None:
    """The rule, and so the choices, are fixed once the first ballot is cast."""
    require(can_run_meetings(actor))
    if rule not in tally.CHOICES:
        raise DomainError(_("This rule does not exist."))
    with transaction.atomic():
        decision = _lock(decision)
        if decision.ballots.exists() or decision.status == DecisionStatus.CLOSED:
            raise DomainError(_("The rule no longer changes once the first ballot is cast."))
        decision.rule = rule
        decision.save(update_fields=["rule"])
        log_action(actor, "meetings.decision.rule_changed", decision.item.meeting, {"rule": rule})


def open_decision(
    decision: Decision, *, actor: User, online_until: datetime.datetime | None = None
) -> None:
    """Open the vote. When the meeting allows it, absent supermarkets vote online until
    ``online_until``."""
    require(can_run_meetings(actor))
    with transaction.atomic():
        decision = _lock(decision)
        meeting = decision.item.meeting
        if meeting.status != MeetingStatus.IN_SESSION:
            raise DomainError(_("Decisions are opened during the meeting."))
        if decision.status != DecisionStatus.PENDING:
            raise DomainError(_("This decision was opened already."))
        if online_until is not None and online_until <= timezone.now():
            raise DomainError(_("The online deadline must be in the future."))
        decision.online_until = online_until if meeting.online_voting else None
        _set_status(decision, DecisionStatus.OPEN, actor=actor, data={})


def why_not_voting(
    decision: Decision,
    supermarket: Organisation,
    *,
    present: bool,
    now: datetime.datetime | None = None,
) -> str:
    """Why ``supermarket`` cannot vote on ``decision`` now, and until when it could have;
    ``""`` when it can. The page asks this before showing a vote form, and the vote itself
    asks it again."""
    if decision.status != DecisionStatus.OPEN:
        return _("This decision is not open for votes.")
    if present:
        return ""
    meeting = decision.item.meeting
    if not meeting.online_voting:
        return _(
            "%(name)s is not represented at the meeting, and this meeting takes no online votes."
        ) % {"name": supermarket.name}
    if decision.online_until is None:
        return _(
            "%(name)s is not represented at the meeting, and this vote takes no online ballots."
        ) % {"name": supermarket.name}
    if (now or timezone.now()) > decision.online_until:
        return _("Since %(date)s, online votes on this decision are closed.") % {
            "date": show_moment(decision.online_until)
        }
    return ""


@dataclass(frozen=True)
class VotingState:
    """For one open decision: the supermarkets a person may vote for now (``online``: from
    afar, until the decision's online deadline), and why the others may not."""

    can: list[Organisation]
    cannot: list[tuple[Organisation, str]]
    online: bool


def voting_state(
    decision: Decision, voting_for: list[Organisation], present: set[int]
) -> VotingState:
    """`why_not_voting` for each supermarket a person votes for; ``present``: the ids of the
    organisations in the room."""
    can, cannot = [], []
    for supermarket in voting_for:
        here = supermarket.pk in present
        refusal = why_not_voting(decision, supermarket, present=here)
        if refusal:
            cannot.append((supermarket, refusal))
        else:
            can.append(supermarket)
    return VotingState(can, cannot, online=any(o.pk not in present for o in can))


def cast_ballot(
    decision: Decision,
    supermarket: Organisation,
    *,
    actor: User,
    choice: str,
    reason: str = "",
    for_the_room: bool = False,
) -> tuple[DecisionBallot, bool]:
    """Record ``supermarket``'s ballot; returns it and whether it replaced a previous one.

    Who casts it: the supermarket's representative or substitute — or, when it gave its
    proxy, those of the supermarket that carries it; a facilitator records it for the room.
    Supermarkets represented in the room vote; absent ones vote online when the meeting
    allows it, until the decision's online deadline. An objection says why.
    """
    reason = reason.strip()
    with transaction.atomic():
        decision = _lock(decision)
        meeting = decision.item.meeting
        if decision.status != DecisionStatus.OPEN:
            raise DomainError(_("This decision is not open for votes."), code=CLOSED)
        if choice not in tally.CHOICES[decision.rule]:
            raise DomainError(_("This choice does not exist for this decision."))
        if choice == tally.OBJECT and not reason:
            raise DomainError(_("Say why you object: the meeting needs to hear it."))
        if not is_voting_supermarket(supermarket):
            raise DomainError(_("Only member supermarkets vote."))
        attendance = meeting.attendances.filter(organisation=supermarket).first()
        if for_the_room:
            allowed = is_facilitator(actor) and attendance is not None
        elif attendance is not None and attendance.proxy_holder is not None:
            allowed = speaks_for(actor, attendance.proxy_holder)
        else:
            allowed = speaks_for(actor, supermarket)
        if not allowed:
            raise DomainError(
                _("You do not cast the ballot of %(name)s here.") % {"name": supermarket.name},
                code=NOT_YOURS,
            )
        refusal = why_not_voting(decision, supermarket, present=attendance is not None)
        if refusal:
            raise DomainError(refusal)
        online = attendance is None
        ballot, created = DecisionBallot.objects.update_or_create(
            decision=decision,
            organisation=supermarket,
            defaults={
                "choice": choice,
                "reason": reason if choice == tally.OBJECT else "",
                "cast_by": actor,
                "recorded_for_the_room": for_the_room,
                "online": online,
            },
        )
        log_action(
            actor,
            "meetings.ballot.cast" if created else "meetings.ballot.replaced",
            meeting,
            {"item": decision.item_id, "organisation": supermarket.slug, "choice": choice},
        )
    return ballot, not created


def close_decision(decision: Decision, *, actor: User | None, postpone: bool = False) -> Decision:
    """Count the ballots — or postpone the question — and move the need accordingly.

    Quorum counts the supermarkets in the room and those that voted online.
    """
    require(actor is None or can_run_meetings(actor))
    with transaction.atomic():
        decision = _lock(decision)
        if decision.status == DecisionStatus.CLOSED:
            raise DomainError(_("This decision is closed already."), code=CLOSED)
        meeting = decision.item.meeting
        ballots = list(decision.ballots.select_related("organisation"))
        represented = represented_supermarkets(meeting) + sum(1 for b in ballots if b.online)
        outcome = tally.tally(
            decision.rule,
            [tally.Ballot(b.organisation.name, b.choice) for b in ballots],
            quorum=quorum_reached(meeting, represented),
        )
        decision.outcome = Outcome.POSTPONED if postpone else outcome.result
        decision.counts = outcome.counts
        decision.objectors = outcome.objectors
        decision.represented = represented
        decision.closed_at = timezone.now()
        _set_status(
            decision,
            DecisionStatus.CLOSED,
            actor=actor,
            data={"outcome": decision.outcome, "counts": outcome.counts},
        )
        need = decision.item.need
        if need is not None and need.status == lifecycle.SCHEDULED:
            for status in NEED_MOVES[decision.outcome]:
                need = move_by_process(need, status, actor=actor, reason=meeting.title)
        plan = decision.item.maintenance_plan
        if plan is not None and decision.outcome == Outcome.REJECTED and plan.is_collecting:
            maintenance.reject_plan(plan, actor=actor, reason=meeting.title)
        emails.notify_decision_outcome(decision)
    return decision


def postpone_unfinished(meeting: Meeting, *, actor: User | None) -> None:
    """Every decision not taken (pending or still open) is postponed: its need reopens."""
    for decision in Decision.objects.filter(item__meeting=meeting).exclude(
        status=DecisionStatus.CLOSED
    ):
        close_decision(decision, actor=actor, postpone=True)
