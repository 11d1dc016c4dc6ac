"""Writing to the ledger and reading balances from it. Callers hold the transaction."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Sum
from django.db.models.functions import Round

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
    maintenance_plan: Any = None,
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
        maintenance_plan=maintenance_plan,
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
        maintenance_plan=original.maintenance_plan,
        reverses=original,
    )


def cents(field: str = "amount") -> Sum:
    """The sum of an amount column in whole cents, exact on every database: SQLite keeps
    decimals as floating point, but each amount rounded to its cents is a whole number, and
    sums of whole numbers are exact far beyond any community's budget (2⁵³ cents)."""
    return Sum(Round(F(field) * 100))


def total(lines: models.QuerySet[LedgerLine]) -> Decimal:
    """The sum of these lines, counted by the database (one query, however many lines)."""
    summed = lines.aggregate(cents=cents())["cents"]
    return from_cents(summed)


def totals_by(lines: models.QuerySet[LedgerLine], *fields: str) -> dict[Any, Decimal]:
    """The sum of these lines for each value of ``fields`` (a tuple of values for several),
    counted by the database: one query, a row per value."""

    def key(row: dict[str, Any]) -> Any:
        return tuple(row[f] for f in fields) if len(fields) > 1 else row[fields[0]]

    rows = lines.values(*fields).annotate(cents=cents()).order_by()
    return {key(row): from_cents(row["cents"]) for row in rows}


def from_cents(summed: Decimal | float | None) -> Decimal:
    """A database's sum of cents (exact on PostgreSQL, a float holding a whole number on
    SQLite, or None for no line) as money."""
    if summed is None:
        return Decimal("0.00")
    whole = Decimal(round(summed)) if isinstance(summed, float) else Decimal(summed)
    return (whole / 100).quantize(Decimal("0.01"))


def balance(of: Account) -> Decimal:
    return total(of.lines.all())


def total_of_all_lines() -> Decimal:
    """Zero, always: the ledger's first invariant."""
    return total(LedgerLine.objects.all())
