"""What the ledger says, read for people: a campaign's shares and who paid them."""

from dataclasses import dataclass
from decimal import Decimal

from komunigi.funding.models import AccountKind, Campaign, LedgerLine, TransactionKind

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ShareRow:
    name: str
    share: Decimal
    paid: Decimal

    @property
    def due(self) -> Decimal:
        return self.share - self.paid


def campaign_shares(campaign: Campaign) -> list[ShareRow]:
    """Each supermarket's frozen share, what it paid (reversals deducted) and what it owes."""
    shares: dict[str, Decimal] = {}
    paid: dict[str, Decimal] = {}
    lines = LedgerLine.objects.filter(
        transaction__campaign=campaign, account__kind=AccountKind.ORGANISATION
    ).select_related("transaction", "account__organisation")
    for line in lines:
        name = line.account.organisation.name
        if line.transaction.kind == TransactionKind.CAMPAIGN_FUNDED:
            shares[name] = shares.get(name, ZERO) - line.amount
        else:  # payments and their reversals
            paid[name] = paid.get(name, ZERO) + line.amount
    return [ShareRow(name, shares[name], paid.get(name, ZERO)) for name in sorted(shares)]
