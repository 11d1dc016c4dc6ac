"""What waits for each person, for their dashboard: a few bounded queries each."""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from komunigi.needs import lifecycle, permissions
from komunigi.needs.models import (
    Ballot,
    EstimateAssignment,
    EstimateStatus,
    Interest,
    Need,
    PriorityRound,
    RoundStatus,
)

STUCK_AFTER = timedelta(days=30)
# The dashboard looks at the most recently opened needs only.
RECENT_NEEDS = 200
# Statuses where a need should not sit for a month without somebody acting.
WATCHED = lifecycle.ACTIVE - {lifecycle.FUNDED, lifecycle.IN_PROGRESS}


def needs_awaiting_interest(user: Any, limit: int = 10) -> list[tuple[Any, list[Need]]]:
    """For each supermarket of ``user``: open needs it has not said it needs, newest first.

    Three queries, however many supermarkets, needs and interests there are.
    """
    supermarkets = list(permissions.supermarkets_speaking_through(user))
    if not supermarkets:
        return []
    needs = list(
        Need.objects.filter(status__in=lifecycle.RANKABLE).order_by("-status_changed_at")[
            :RECENT_NEEDS
        ]
    )
    answered = set(
        Interest.objects.filter(organisation__in=supermarkets, need__in=needs).values_list(
            "organisation_id", "need_id"
        )
    )
    waiting = []
    for supermarket in supermarkets:
        unanswered = [
            need
            for need in needs
            if need.organisation_id != supermarket.pk and (supermarket.pk, need.pk) not in answered
        ]
        if unanswered:
            waiting.append((supermarket, unanswered[:limit]))
    return waiting


def rounds_awaiting_ballot(user: Any) -> list[tuple[Any, PriorityRound]]:
    """Open rounds, still before their deadline, where a supermarket of ``user`` has not ranked."""
    supermarkets = list(permissions.supermarkets_voting_through(user))
    if not supermarkets:
        return []
    open_rounds = list(
        PriorityRound.objects.filter(status=RoundStatus.OPEN, deadline__gte=timezone.now())
    )
    ranked = set(
        Ballot.objects.filter(organisation__in=supermarkets, round__in=open_rounds).values_list(
            "organisation_id", "round_id"
        )
    )
    return [
        (supermarket, priority_round)
        for supermarket in supermarkets
        for priority_round in open_rounds
        if (supermarket.pk, priority_round.pk) not in ranked
    ]


def estimates_awaiting(user: Any) -> QuerySet[EstimateAssignment]:
    """The estimates a provider's people still owe."""
    return EstimateAssignment.objects.filter(
        provider__in=permissions.providers_quoting_through(user),
        status=EstimateStatus.ASSIGNED,
    ).select_related("need", "provider")


def stuck_needs(limit: int = 20) -> QuerySet[Need]:
    """Needs that have stayed in the same status for more than 30 days, oldest first."""
    return (
        Need.objects.filter(status__in=WATCHED, status_changed_at__lt=timezone.now() - STUCK_AFTER)
        .select_related("organisation")
        .order_by("status_changed_at")[:limit]
    )
