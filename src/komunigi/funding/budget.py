"""The community fund's budget, read from the ledger: income and expenses by source and year,
and the fund's balance month by month."""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from komunigi.funding import ledger
from komunigi.funding.models import (
    Account,
    Campaign,
    ExpenseCategory,
    LedgerLine,
    MaintenancePlan,
    MaintenanceStatus,
    TransactionKind,
)

ZERO = Decimal("0.00")

Line = tuple[Promise, Decimal]  # a source or use, and its amount

INCOME_SOURCES: dict[str, Promise] = {
    "fees": _("Membership fees"),
    "overhead": _("Overhead of campaigns"),
    "maintenance": _("Overhead of maintenance plans"),
    "subsidies": _("Subsidies"),
    "premiums": _("Late-joiner premiums"),
}
EXPENSE_USES: dict[str, Promise] = {
    ExpenseCategory.ESTIMATION.value: ExpenseCategory.ESTIMATION.label,
    ExpenseCategory.COORDINATION.value: ExpenseCategory.COORDINATION.label,
    ExpenseCategory.EVENTS.value: ExpenseCategory.EVENTS.label,
    "sponsorship": _("Sponsorship of new partners"),
    "contributions": _("Contributions to campaigns"),
    ExpenseCategory.OTHER.value: ExpenseCategory.OTHER.label,
}


@dataclass
class Year:
    year: int
    income: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    expenses: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    @property
    def income_lines(self) -> list[Line]:
        """Every source, zeros included: the API's and the CSV's rows, the same each year."""
        return [(label, self.income.get(key, ZERO)) for key, label in INCOME_SOURCES.items()]

    @property
    def expense_lines(self) -> list[Line]:
        return [(label, self.expenses.get(key, ZERO)) for key, label in EXPENSE_USES.items()]

    @property
    def income_moved(self) -> list[Line]:
        """The sources that brought something this year: the page's table leaves out the rows
        of 0,00 € (a source without any entry, or with an entry and its reversal)."""
        return [(label, amount) for label, amount in self.income_lines if amount]

    @property
    def expenses_moved(self) -> list[Line]:
        return [(label, amount) for label, amount in self.expense_lines if amount]

    @property
    def total_income(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    @property
    def total_expenses(self) -> Decimal:
        return sum(self.expenses.values(), ZERO)


def years(fund: Account | None = None) -> list[Year]:
    """Every year the fund moved, newest first, summed by the database (one query, a row per
    year and source). A reversal counts against what it reverses."""
    by_year: dict[int, Year] = {}
    rows = (
        LedgerLine.objects.filter(account=fund or ledger.fund())
        .annotate(
            year=ExtractYear("transaction__date"),
            original_kind=Coalesce("transaction__reverses__kind", "transaction__kind"),
            positive=Case(When(amount__gt=0, then=Value(True)), default=Value(False)),
            reversal=Case(
                When(transaction__reverses__isnull=False, then=Value(True)), default=Value(False)
            ),
        )
        .values("year", "original_kind", "transaction__category", "positive", "reversal")
        .annotate(cents=ledger.cents())
        .order_by()
    )
    for row in rows:
        year = by_year.setdefault(row["year"], Year(row["year"]))
        amount = ledger.from_cents(row["cents"])
        positive = row["positive"] if not row["reversal"] else not row["positive"]
        side, key = _source(row["original_kind"], row["transaction__category"], positive)
        if side == "income":
            year.income[key] += amount
        else:
            year.expenses[key] -= amount
    return [by_year[y] for y in sorted(by_year, reverse=True)]


def by_source(years: Sequence[Year]) -> tuple[list[Line], list[Line]]:
    """Each source's income and each use's expenses over all these years, in the order of
    INCOME_SOURCES and EXPENSE_USES, leaving out those that come to nothing."""
    everything = Year(0)
    for year in years:
        for key, amount in year.income.items():
            everything.income[key] += amount
        for key, amount in year.expenses.items():
            everything.expenses[key] += amount
    return everything.income_moved, everything.expenses_moved


def balance_by_month(fund: Account | None = None) -> list[tuple[datetime.date, Decimal]]:
    """The fund's balance at the end of each month in which it moved, oldest first: one query
    summing its lines by month, then a running sum. The last is the fund's balance."""
    rows = (
        LedgerLine.objects.filter(account=fund or ledger.fund())
        .annotate(month=TruncMonth("transaction__date"))
        .values("month")
        .annotate(cents=ledger.cents())
        .order_by("month")
    )
    balance = ZERO
    points = []
    for row in rows:
        balance += ledger.from_cents(row["cents"])
        month: datetime.date = row["month"]
        last_day = calendar.monthrange(month.year, month.month)[1]
        points.append((month.replace(day=last_day), balance))
    return points


def _source(kind: str, category: str, positive: bool) -> tuple[str, str]:
    """Where money of the fund came from or went to; ``positive``: the original entry's
    direction (into the fund)."""
    if kind == TransactionKind.CAMPAIGN_FUNDED:
        return ("income", "overhead") if positive else ("expense", "contributions")
    if kind == TransactionKind.MAINTENANCE_FUNDED:
        return "income", "maintenance"
    if kind == TransactionKind.SUBSIDY:
        return "income", "subsidies"
    if kind == TransactionKind.LATE_JOINER_PREMIUM:
        return "income", "premiums"
    if kind == TransactionKind.SPONSORSHIP:
        return "expense", "sponsorship"
    if kind == TransactionKind.FEE:
        return "income", "fees"
    return "expense", category or ExpenseCategory.OTHER


@dataclass(frozen=True)
class Contribution:
    date: datetime.date
    campaign: Campaign
    amount: Decimal


def contributions(fund: Account | None = None) -> list[Contribution]:
    """What the fund paid of funded campaigns' costs (DESIGN.md §4.1's ``S``), newest first."""
    lines = (
        LedgerLine.objects.filter(
            account=fund or ledger.fund(),
            transaction__kind=TransactionKind.CAMPAIGN_FUNDED,
            amount__lt=0,
        )
        .select_related("transaction__campaign__need")
        .order_by("-transaction__date", "-transaction_id")
    )
    return [
        Contribution(line.transaction.date, line.transaction.campaign, -line.amount)
        for line in lines
        if line.transaction.campaign is not None
    ]


@dataclass(frozen=True)
class MaintenanceYear:
    year: int
    plans: int
    cost: Decimal  # what the providers are owed for the upkeep
    raised: Decimal  # what the organisations bear, overhead included


def maintenance_by_year() -> list[MaintenanceYear]:
    """The funded maintenance plans by the year their period starts, newest first (one
    query)."""
    rows = (
        MaintenancePlan.objects.filter(status=MaintenanceStatus.FUNDED)
        .annotate(year=ExtractYear("starts_on"))
        .values("year")
        .annotate(
            plans=Count("pk"), raised=ledger.cents("to_raise"), overhead=ledger.cents("overhead")
        )
        .order_by("-year")
    )
    return [
        MaintenanceYear(
            row["year"],
            row["plans"],
            ledger.from_cents(row["raised"]) - ledger.from_cents(row["overhead"]),
            ledger.from_cents(row["raised"]),
        )
        for row in rows
    ]
