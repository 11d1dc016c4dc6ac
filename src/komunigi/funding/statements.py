"""What the ledger says, read for people: a campaign's shares and who paid them."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from komunigi.community.models import Organisation
from komunigi.funding import ledger
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    LateJoiner,
    LedgerLine,
    TransactionKind,
)

ZERO = Decimal("0.00")
# The entries that set what each payer bears: the close, and late joiners' catch-ups.
BORNE_KINDS = (TransactionKind.CAMPAIGN_FUNDED, TransactionKind.LATE_JOINER)


@dataclass(frozen=True)
class ShareRow:
    organisation: Organisation
    share: Decimal
    paid: Decimal
    late_joiner: bool = False

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def due(self) -> Decimal:
        return self.share - self.paid


def borne_by_campaign(campaigns: list[Campaign]) -> dict[int, dict[Organisation, Decimal]]:
    """For each funded campaign, what each supermarket bears now: its share at the close less
    the credits late joiners brought it, or a late joiner's catch-up share (premium apart).
    The one reading of shares from the ledger; two queries for all the campaigns."""
    borne: dict[int, dict[Organisation, Decimal]] = {}
    lines = LedgerLine.objects.filter(
        transaction__campaign__in=campaigns,
        transaction__kind__in=BORNE_KINDS,
        account__kind=AccountKind.ORGANISATION,
    ).select_related("transaction", "account__organisation")
    for line in lines:
        # The filter keeps campaigns' lines on organisations' accounts: neither is None.
        shares = borne.setdefault(cast(int, line.transaction.campaign_id), {})
        organisation = cast(Organisation, line.account.organisation)
        shares[organisation] = shares.get(organisation, ZERO) - line.amount
    # A late joiner whose catch-up share rounded to nothing has no line, but takes part.
    for joiner in LateJoiner.objects.filter(campaign__in=campaigns).select_related("organisation"):
        borne.setdefault(joiner.campaign_id, {}).setdefault(joiner.organisation, ZERO)
    return borne


@dataclass(frozen=True)
class Payers:
    count: int
    first: list[tuple[str, Decimal]]  # the first payers by name, with what each bears


def payers(campaigns: list[Campaign], first: int) -> dict[int, Payers]:
    """For each funded campaign: how many organisations share it, and the first ``first`` of
    them by name with what each bears (as `borne_by_campaign` reads it, summed by the
    database, a bounded number of rows per campaign whatever their number)."""
    lines = LedgerLine.objects.filter(
        transaction__campaign__in=campaigns,
        transaction__kind__in=BORNE_KINDS,
        account__kind=AccountKind.ORGANISATION,
    )
    counted = dict(
        lines.values("transaction__campaign_id")
        .annotate(count=Count("account__organisation_id", distinct=True))
        .values_list("transaction__campaign_id", "count")
        .order_by()
    )
    rows = (
        lines.values("transaction__campaign_id", "account__organisation__name")
        .annotate(cents=ledger.cents())
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("transaction__campaign_id")],
                order_by=F("account__organisation__name").asc(),
            )
        )
        .filter(place__lte=first)
        .order_by()
    )
    found: dict[int, list[tuple[str, Decimal]]] = {c.pk: [] for c in campaigns}
    for row in rows:
        found[row["transaction__campaign_id"]].append(
            (row["account__organisation__name"], -ledger.from_cents(row["cents"]))
        )
    # A late joiner whose catch-up share rounded to nothing has no line, but takes part.
    joiners = LateJoiner.objects.filter(campaign__in=campaigns).exclude(
        organisation__in=lines.values("account__organisation")
    )
    for campaign_id, name in joiners.values_list("campaign_id", "organisation__name"):
        found[campaign_id].append((name, ZERO))
        counted[campaign_id] = counted.get(campaign_id, 0) + 1
    return {pk: Payers(counted.get(pk, 0), sorted(names)[:first]) for pk, names in found.items()}


def campaign_shares(campaign: Campaign) -> list[ShareRow]:
    """Each supermarket's share as it stands, late joiners included, what it paid of it
    (sponsorship and reversals included) and what it still owes: the campaign's page, the
    provider's CSV and the history all read it here."""
    borne = borne_by_campaign([campaign]).get(campaign.pk, {})
    late = set(campaign.late_joiners.values_list("organisation_id", flat=True))
    lines = LedgerLine.objects.filter(
        transaction__campaign=campaign, account__kind=AccountKind.ORGANISATION
    ).exclude(transaction__kind__in=[*BORNE_KINDS, TransactionKind.LATE_JOINER_PREMIUM])
    paid = ledger.totals_by(lines, "account__organisation_id")
    return [
        ShareRow(organisation, share, paid.get(organisation.pk, ZERO), organisation.pk in late)
        for organisation, share in sorted(borne.items(), key=lambda item: item[0].name)
    ]


@dataclass(frozen=True)
class Entry:
    date: datetime.date
    kind: str
    description: str
    reference: str
    campaign: Campaign | None
    amount: Decimal  # owed to it (positive) or by it (negative)
    balance: Decimal


ENTRIES_PER_PAGE = 50


def account_page(organisation: Organisation, page_number: Any) -> tuple[Page, Decimal]:
    """A page of the entries on the organisation's accounts (as supermarket and as provider),
    newest first, each with the balance after it; and the balance today. Bounded: a page of
    lines, the sum of all of them, the sum of the pages before."""
    lines = LedgerLine.objects.filter(account__organisation=organisation).order_by(
        "-transaction__date", "-transaction_id", "-pk"
    )
    balance = ledger.total(lines)
    page: Page = Paginator(
        lines.select_related("transaction__campaign__need"), ENTRIES_PER_PAGE
    ).get_page(page_number)
    newer = lines[: (page.number - 1) * ENTRIES_PER_PAGE]  # the pages before this one
    running = balance - ledger.total(newer)
    entries = []
    for line in page:
        entry = line.transaction
        entries.append(
            Entry(
                entry.date,
                entry.get_kind_display(),
                entry.description,
                entry.reference,
                entry.campaign,
                line.amount,
                running,
            )
        )
        running -= line.amount
    page.object_list = entries
    return page, balance
