"""Who may do what with needs, quotes and priority rounds: plain predicates."""

from typing import Any

from komunigi.community.models import (
    VOTING_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    is_facilitator,
)
from komunigi.needs import lifecycle
from komunigi.needs.models import Need, PriorityRound, Quote


def _memberships(user: Any) -> Any:
    if not (user.is_authenticated and user.is_active):
        return Membership.objects.none()
    return Membership.objects.filter(user=user, organisation__status=OrganisationStatus.MEMBER)


def organisations_proposing_for(user: Any) -> Any:
    """The organisations in whose name ``user`` may propose a need."""
    return Organisation.objects.filter(pk__in=_memberships(user).values("organisation")).order_by(
        "name"
    )


def supermarkets_speaking_through(user: Any) -> Any:
    """The member supermarkets whose interest ``user`` may express (any role in them)."""
    return organisations_proposing_for(user).filter(kind=OrganisationKind.SUPERMARKET)


def supermarkets_voting_through(user: Any) -> Any:
    """The member supermarkets whose ballot ``user`` casts: as representative or substitute."""
    return Organisation.objects.filter(
        kind=OrganisationKind.SUPERMARKET,
        pk__in=_memberships(user).filter(role__in=VOTING_ROLES).values("organisation"),
    ).order_by("name")


def providers_quoting_through(user: Any) -> Any:
    """The member providers in whose name ``user`` may quote."""
    return organisations_proposing_for(user).filter(kind=OrganisationKind.PROVIDER)


def is_in(user: Any, organisation_id: int) -> bool:
    """Whether ``user`` belongs to this (member) organisation; asked once per request."""
    if not hasattr(user, "_komunigi_member_of"):
        # Cached on the request's user object, which lives as long as the request.
        user._komunigi_member_of = frozenset(
            _memberships(user).values_list("organisation_id", flat=True)
        )
    return organisation_id in user._komunigi_member_of


def can_propose_need(user: Any) -> bool:
    return organisations_proposing_for(user).exists()


def can_see_need(user: Any, need: Need) -> bool:
    return need.status != lifecycle.DRAFT or is_in(user, need.organisation_id)


def can_follow(user: Any, need: Need) -> bool:
    """Anybody logged in who may see the need (a follower is e-mailed what happens to it)."""
    return bool(user.is_authenticated and user.is_active) and can_see_need(user, need)


def can_edit_need(user: Any, need: Need) -> bool:
    """Its organisation's people while it may still change; facilitators until it closes."""
    if is_facilitator(user):
        return need.status not in (lifecycle.CLOSED, lifecycle.WITHDRAWN)
    return need.status in lifecycle.EDITABLE and is_in(user, need.organisation_id)


def can_change_status(user: Any, need: Need, new_status: str) -> bool:
    """The need's organisation publishes its draft and may withdraw it until a decision is
    under way; every other move belongs to facilitators (later: to meetings and campaigns).

    Whether the lifecycle allows the move at all is the service's check.
    """
    if is_facilitator(user):
        return True
    if not is_in(user, need.organisation_id):
        return False
    if new_status == lifecycle.OPEN:
        return need.status == lifecycle.DRAFT
    if new_status == lifecycle.WITHDRAWN:
        return need.status in lifecycle.EDITABLE
    return False


def can_express_interest(user: Any, need: Need, supermarket: Organisation) -> bool:
    return (
        need.status in lifecycle.ACTIVE
        and supermarkets_speaking_through(user).filter(pk=supermarket.pk).exists()
    )


def can_comment(user: Any, need: Need) -> bool:
    return bool(user.is_authenticated and user.is_active) and can_see_need(user, need)


def can_quote(user: Any, need: Need, provider: Organisation) -> bool:
    return (
        need.status in (lifecycle.OPEN, lifecycle.QUOTED, lifecycle.POSTPONED)
        and providers_quoting_through(user).filter(pk=provider.pk).exists()
    )


def can_withdraw_quote(user: Any, quote: Quote) -> bool:
    return is_in(user, quote.provider_id) or is_facilitator(user)


def can_request_estimate(user: Any, need: Need) -> bool:
    return need.status in (lifecycle.OPEN, lifecycle.QUOTED) and (
        is_facilitator(user) or is_in(user, need.organisation_id)
    )


def can_assign_estimate(user: Any) -> bool:
    return is_facilitator(user)


def can_follow_stuck_needs(user: Any) -> bool:
    return is_facilitator(user)


def can_run_rounds(user: Any) -> bool:
    return is_facilitator(user)


def can_rank(user: Any, priority_round: PriorityRound, supermarket: Organisation) -> bool:
    """The supermarket's representative or substitute, while the round takes ballots (the
    service says why when it does not)."""
    return (
        priority_round.is_open
        and supermarkets_voting_through(user).filter(pk=supermarket.pk).exists()
    )
