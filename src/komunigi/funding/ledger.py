"""Writing to the ledger and reading balances from it. Callers hold the transaction."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from komunigi.community.models import User
from komunigi.funding.models import (
    Account,
    AccountKind,
    LedgerError,
    LedgerLine,
    LedgerTransaction,
    TransactionKind,
)


def account(kind: str, holder: models.Model | None = None) -> Account:
    """The one account of ``kind`` for ``holder`` (an organisation or a campaign)."""
    fields: dict[str, Any] = {"kind": kind}
    if kind in (AccountKind.ORGANISATION, AccountKind.PROVIDER):
        fields["organisation"] = holder
    elif kind == AccountKind.CAMPAIGN:
        fields["campaign"] = holder
    key = f"{kind}:{holder.pk}" if holder is not None else str(kind)
    found, _ = Account.objects.get_or_create(key=key, defaults=fields)
    return found


def fund() -> Account:
    return account(AccountKind.FUND)


def outside() -> Account:
    return account(AccountKind.OUTSIDE)


def post(
    kind: str,
    lines: Iterable[tuple[Account, Decimal]],
    *,
    date: datetime.date,
    actor: User | None = None,
    description: str = "",
    reference: str = "",
    category: str = "",
    campaign: Any = None,
    fee: Any = None,
    sponsorship: Any = None,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Record one transaction; its lines (zero amounts left out) must sum to zero."""
    lines = [(acc, amount) for acc, amount in lines if amount != 0]
    if not lines:
        raise LedgerError("a transaction moves something")
    if sum(amount for _, amount in lines) != 0:
        raise LedgerError(f"lines sum to {sum(a for _, a in lines)}, not zero")
    recorded = LedgerTransaction.objects.create(
        kind=kind,
        date=date,
        description=description[:300],
        reference=reference,
        category=category,
        campaign=campaign,
        fee=fee,
        sponsorship=sponsorship,
        reverses=reverses,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    LedgerLine.objects.bulk_create(
        LedgerLine(transaction=recorded, account=acc, amount=amount) for acc, amount in lines
    )
    return recorded


def reverse(
    original: LedgerTransaction, *, date: datetime.date, actor: User | None, description: str
) -> LedgerTransaction:
    """The correction of a transaction: the same lines with the opposite sign."""
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise LedgerError("already reversed")
    return post(
        TransactionKind.REVERSAL,
        [(line.account, -line.amount) for line in original.lines.select_related("account")],
        date=date,
        actor=actor,
        description=description,
        category=original.category,
        campaign=original.campaign,
        fee=original.fee,
        sponsorship=original.sponsorship,
        reverses=original,
    )


def total(lines: models.QuerySet[LedgerLine]) -> Decimal:
    """Summed in Python: SQLite adds decimals as floats, and a cent must never drift."""
    return sum(lines.values_list("amount", flat=True), Decimal("0.00"))


def balance(of: Account) -> Decimal:
    return total(of.lines.all())


def total_of_all_lines() -> Decimal:
    """Zero, always: the ledger's first invariant."""
    return total(LedgerLine.objects.all())
