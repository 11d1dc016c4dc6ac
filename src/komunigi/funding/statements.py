"""What the ledger says, read for people: a campaign's shares and who paid them."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from komunigi.community.models import Organisation
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


def borne_by_campaign(campaigns: list[Campaign]) -> dict[int, list[tuple[str, Decimal]]]:
    """For each funded campaign, what each supermarket bears (late joiners included), by name.
    One query for all of them."""
    borne: dict[int, dict[str, Decimal]] = {}
    lines = LedgerLine.objects.filter(
        transaction__campaign__in=campaigns,
        transaction__kind__in=[TransactionKind.CAMPAIGN_FUNDED, TransactionKind.LATE_JOINER],
        account__kind=AccountKind.ORGANISATION,
    ).values_list("transaction__campaign_id", "account__organisation__name", "amount")
    for campaign_id, name, amount in lines:
        shares = borne.setdefault(campaign_id, {})
        shares[name] = shares.get(name, ZERO) - amount
    return {pk: sorted(shares.items()) for pk, shares in borne.items()}


@dataclass(frozen=True)
class Entry:
    date: datetime.date
    kind: str
    description: str
    reference: str
    campaign: Campaign | None
    amount: Decimal  # owed to it (positive) or by it (negative)
    balance: Decimal


def account_entries(organisation: Organisation) -> list[Entry]:
    """Every entry on the organisation's accounts (as supermarket and as provider), oldest
    first, with the running balance."""
    lines = (
        LedgerLine.objects.filter(account__organisation=organisation)
        .select_related("transaction__campaign__need")
        .order_by("transaction__date", "transaction_id", "pk")
    )
    entries: list[Entry] = []
    balance = ZERO
    for line in lines:
        balance += line.amount
        entry = line.transaction
        entries.append(
            Entry(
                entry.date,
                entry.get_kind_display(),
                entry.description,
                entry.reference,
                entry.campaign,
                line.amount,
                balance,
            )
        )
    return entries
