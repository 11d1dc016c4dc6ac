"""Who may do what with campaigns and the ledger: plain predicates."""

from typing import Any

from django.conf import settings

from komunigi.community.models import Organisation, OrganisationKind, is_facilitator
from komunigi.needs.permissions import (
    is_in,
    organisations_proposing_for,
    supermarkets_voting_through,
)


def can_run_campaigns(user: Any) -> bool:
    return is_facilitator(user)


def can_record_payments(user: Any) -> bool:
    return is_facilitator(user)


def supermarkets_pledging_through(user: Any) -> Any:
    """A supermarket commits money through its representative or substitute only."""
    return supermarkets_voting_through(user)


def can_pledge(user: Any, supermarket: Organisation) -> bool:
    return (
        supermarket.kind == OrganisationKind.SUPERMARKET
        and supermarkets_pledging_through(user).filter(pk=supermarket.pk).exists()
    )


def can_export_shares(user: Any, campaign: Any) -> bool:
    """Facilitators, and the provider who invoices the shares."""
    return campaign.status == "funded" and (
        is_facilitator(user) or is_in(user, campaign.quote.provider_id)
    )


def is_member_anywhere(user: Any) -> bool:
    """Someone of the community: a person in a member organisation, or a facilitator."""
    return is_facilitator(user) or organisations_proposing_for(user).exists()


def can_see_shares(user: Any) -> bool:
    """What each organisation pays (its cap, its share, what it paid) is public unless the
    instance says otherwise; members always see it."""
    return settings.KOMUNIGI_PUBLIC_SHARES or is_member_anywhere(user)


def can_see_statement(user: Any, organisation: Organisation) -> bool:
    """An organisation's account is for its own people (and the facilitators)."""
    return is_facilitator(user) or is_in(user, organisation.pk)
