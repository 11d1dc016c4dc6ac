"""What waits for each person in meetings, for their dashboard."""

from typing import Any

from komunigi.community.models import Organisation
from komunigi.meetings import decisions, permissions
from komunigi.meetings.models import (
    Decision,
    DecisionBallot,
    DecisionStatus,
    Invitation,
    MeetingStatus,
)


def votes_awaiting(user: Any) -> list[tuple[Organisation, Decision]]:
    """Open decisions on which a supermarket this person votes for can vote now and has not."""
    own = permissions.voting_supermarkets(user)
    if not own:
        return []
    open_decisions = list(
        Decision.objects.filter(status=DecisionStatus.OPEN).select_related("item__meeting")
    )
    cast = set(
        DecisionBallot.objects.filter(decision__in=open_decisions).values_list(
            "decision_id", "organisation_id"
        )
    )
    waiting = []
    by_meeting: dict[int, tuple[set[int], list[Organisation]]] = {}
    for decision in open_decisions:
        meeting = decision.item.meeting
        if meeting.pk not in by_meeting:  # a meeting or two at a time: two queries each
            by_meeting[meeting.pk] = (
                set(meeting.attendances.values_list("organisation_id", flat=True)),
                permissions.supermarkets_user_votes_for(user, meeting),
            )
        present, voting_for = by_meeting[meeting.pk]
        can = decisions.voting_state(decision, voting_for, present).can
        waiting += [(s, decision) for s in can if (decision.pk, s.pk) not in cast]
    return waiting


def invitations_to_answer(user: Any) -> list[Invitation]:
    """Meetings ahead this person is invited to and has not answered."""
    return list(
        Invitation.objects.filter(user=user, reply="", meeting__status=MeetingStatus.PLANNED)
        .select_related("meeting", "organisation")
        .order_by("meeting__starts_at")
    )
