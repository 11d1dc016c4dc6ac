"""What waits for each person in co-financing, for their dashboard: a few bounded queries."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from komunigi.community.models import Organisation
from komunigi.funding import ledger, permissions
from komunigi.funding.models import AccountKind, Campaign, CampaignStatus, LedgerLine, Pledge
from komunigi.needs.permissions import organisations_proposing_for

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CampaignToAnswer:
    supermarket: Organisation
    campaign: Campaign
    confirm: bool  # its pledge waits for the board; otherwise it has not pledged


def campaigns_awaiting(user: Any) -> list[CampaignToAnswer]:
    """Collecting campaigns where a supermarket this person pledges for has not pledged (on a
    need it said it needs), or pledged subject to its board and not confirmed yet."""
    supermarkets = list(permissions.supermarkets_pledging_through(user))
    if not supermarkets:
        return []
    campaigns = list(
        Campaign.objects.with_details()
        .filter(status=CampaignStatus.COLLECTING, deadline__gt=timezone.now())
        .order_by("deadline")
    )
    pledges = {
        (p.organisation_id, p.campaign_id): p
        for p in Pledge.objects.filter(organisation__in=supermarkets, campaign__in=campaigns)
    }
    interested = set(
        Organisation.objects.filter(
            pk__in=[s.pk for s in supermarkets],
            interests__need__in=[c.need_id for c in campaigns],
        ).values_list("pk", "interests__need")
    )
    waiting = []
    for campaign in campaigns:
        for supermarket in supermarkets:
            found = pledges.get((supermarket.pk, campaign.pk))
            if found is None and (supermarket.pk, campaign.need_id) in interested:
                waiting.append(CampaignToAnswer(supermarket, campaign, confirm=False))
            elif found is not None and not found.is_firm:
                waiting.append(CampaignToAnswer(supermarket, campaign, confirm=True))
    return waiting


@dataclass(frozen=True)
class Balance:
    organisation: Organisation
    amount: Decimal  # owed to it (positive, a credit) or by it (negative)

    @property
    def owes(self) -> Decimal:
        return -self.amount if self.amount < 0 else ZERO


def balances(user: Any) -> list[Balance]:
    """Each organisation of this person that owes something or is owed a credit, as its
    statement says; those at zero are left out."""
    organisations = list(organisations_proposing_for(user))
    lines = LedgerLine.objects.filter(
        account__organisation__in=organisations,
        account__kind__in=[AccountKind.ORGANISATION, AccountKind.PROVIDER],
    )
    totals = ledger.totals_by(lines, "account__organisation_id")
    return [Balance(o, totals[o.pk]) for o in organisations if totals.get(o.pk, ZERO) != 0]
