"""The community's money as CSV files: the budget, the co-financing history, an organisation's
statement, a year's fees and the whole ledger, streamed a row at a time (querysets read with
``iterator()``) so that memory stays flat however long the ledger grows. For machines: a
header row of fixed names, amounts as plain decimals with a dot, dates in ISO 8601."""

import csv
import datetime
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import translation

from komunigi.community.models import Organisation
from komunigi.funding import budget, fees, statements
from komunigi.funding.models import Campaign, Fee, LedgerLine

# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000  # rows fetched from the database at a time
CAMPAIGNS_AT_A_TIME = 100  # the history reads its payers for this many campaigns at once
FEES_AT_A_TIME = 500  # and the fees what was paid of them
EVERY_PAYER = 2**31 - 1  # `statements.payers` lists the first n payers of each campaign

Row = list[Any]


def text(value: str) -> str:
    """A free text (a description, a name) as a cell no spreadsheet takes for a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def instant(moment: datetime.datetime | None) -> str:
    """An instant in ISO 8601, to the second, with its offset from UTC; empty for none."""
    return moment.isoformat(timespec="seconds") if moment else ""


class _Echo:
    """What `csv.writer` writes to: it hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def streamed(filename: str, header: Row, rows: Iterable[Row]) -> StreamingHttpResponse:
    """A CSV attachment written as ``rows`` come. The rows are read while the answer is sent,
    after the view has returned: in the caller's language, kept here for the labels."""
    language = translation.get_language()
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        with translation.override(language):
            yield writer.writerow(header)
            for row in rows:
                yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


BUDGET_HEADER = ["year", "side", "source", "label", "amount", "currency"]


def budget_rows(years: list[budget.Year]) -> Iterator[Row]:
    """A row for each source of income and each use of money of each year, as the budget page
    lists them (zeros included): per year, the income rows sum to its total income and the
    expense rows to its total expenses; all income less all expenses is the fund's balance."""
    currency = settings.KOMUNIGI_CURRENCY
    for year in years:
        for key, (label, amount) in zip(budget.INCOME_SOURCES, year.income_lines, strict=True):
            yield [year.year, "income", key, str(label), amount, currency]
        for key, (label, amount) in zip(budget.EXPENSE_USES, year.expense_lines, strict=True):
            yield [year.year, "expense", key, str(label), amount, currency]


HISTORY_HEADER = [
    "campaign", "title", "provider", "closed_at", "cost", "raised", "supermarkets",
    "organisation", "share", "currency",
]  # fmt: skip


def history_rows(campaigns: QuerySet[Campaign], *, amounts: bool) -> Iterator[Row]:
    """A row for each supermarket that bears a share of each of these (funded) campaigns,
    with what it bears as the history page reads it (`statements.payers`), or an empty share
    when the caller may not see the amounts. Three queries per hundred campaigns."""
    currency = settings.KOMUNIGI_CURRENCY
    found = campaigns.iterator(chunk_size=CAMPAIGNS_AT_A_TIME)
    while batch := list(islice(found, CAMPAIGNS_AT_A_TIME)):
        shared = statements.payers(batch, first=EVERY_PAYER)
        for campaign in batch:
            payers = shared[campaign.pk]
            closed_at = instant(campaign.closed_at)
            for name, share in payers.first:
                yield [
                    campaign.pk, text(campaign.need.title), text(campaign.quote.provider.name),
                    closed_at, campaign.cost, campaign.to_raise, payers.count, text(name),
                    share if amounts else "", currency,
                ]  # fmt: skip


STATEMENT_HEADER = [
    "date", "transaction", "kind", "entry", "description", "reference", "campaign", "account",
    "amount", "balance", "currency",
]  # fmt: skip


def statement_rows(organisation: Organisation) -> Iterator[Row]:
    """The entries on the organisation's accounts (as supermarket and as provider), oldest
    first, each with the balance after it: the last one's is the balance the statement page
    shows. One query, whatever their number."""
    currency = settings.KOMUNIGI_CURRENCY
    lines = (
        LedgerLine.objects.filter(account__organisation=organisation)
        .select_related("transaction", "account")
        .order_by("transaction__date", "transaction_id", "pk")
    )
    balance = statements.ZERO
    for line in lines.iterator(chunk_size=CHUNK):
        entry = line.transaction
        balance += line.amount
        yield [
            entry.date.isoformat(), entry.pk, entry.kind, entry.get_kind_display(),
            text(entry.description), text(entry.reference), entry.campaign_id or "",
            line.account.kind, line.amount, balance, currency,
        ]  # fmt: skip


LEDGER_HEADER = [
    "date", "transaction", "kind", "reverses", "account", "organisation", "campaign", "amount",
    "description", "reference", "category", "recorded_at", "currency",
]  # fmt: skip


def ledger_rows() -> Iterator[Row]:
    """Every line of every transaction, oldest first: the lines of a transaction sum to zero,
    and so do all of them. One query, whatever their number."""
    currency = settings.KOMUNIGI_CURRENCY
    lines = LedgerLine.objects.select_related("transaction", "account__organisation").order_by(
        "transaction__date", "transaction_id", "pk"
    )
    for line in lines.iterator(chunk_size=CHUNK):
        entry, account = line.transaction, line.account
        yield [
            entry.date.isoformat(), entry.pk, entry.kind, entry.reverses_id or "", account.key,
            account.organisation.slug if account.organisation else "", entry.campaign_id or "",
            line.amount, text(entry.description), text(entry.reference), entry.category,
            instant(entry.recorded_at), currency,
        ]  # fmt: skip


FEES_HEADER = [
    "year", "organisation", "organisation_name", "tier", "amount", "paid", "due", "issued_at",
    "reminded_at", "currency",
]  # fmt: skip


def fee_rows(issued: QuerySet[Fee]) -> Iterator[Row]:
    """A row for each of these fees (their organisation and tier selected with them) with what
    was paid of it and what is still due, as the fees page reads them (`fees.rows_for`): one
    query, and one more per five hundred fees."""
    currency = settings.KOMUNIGI_CURRENCY
    found = issued.iterator(chunk_size=FEES_AT_A_TIME)
    while batch := list(islice(found, FEES_AT_A_TIME)):
        for row in fees.rows_for(batch):
            fee = row.fee
            yield [
                fee.year, fee.organisation.slug, text(fee.organisation.name), text(fee.tier.name),
                fee.amount, row.paid, row.due, instant(fee.issued_at), instant(fee.reminded_at),
                currency,
            ]  # fmt: skip
