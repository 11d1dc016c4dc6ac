"""The community's money in the JSON API: budget, history, statements, fees and their CSV exports.

Each answer is what its page shows, to the same people: the budget and the history to anyone
(the history's amounts as `permissions.can_see_shares` allows), an organisation's statement to
its own people and the facilitators, the fees and the whole ledger to the facilitators."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from komunigi.community.api_auth import PERSONAL, PUBLIC, PUBLIC_OPENAPI
from komunigi.community.models import Organisation
from komunigi.dates import instance_today
from komunigi.funding import budget, exports, fees, ledger, permissions, services, statements
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    Fee,
    FeeTier,
    LedgerLine,
    Sponsorship,
    TransactionKind,
)
from komunigi.funding.views import HISTORY_SHARES
from komunigi.pagination import ApiPages

router = Router(tags=["funding"])
MONEY = 'A decimal string, e.g. "1200.00"'


class Problem(Schema):
    detail: str


def _csv(description: str, public: bool = False) -> dict[str, Any]:
    """The OpenAPI words of an operation that answers a CSV file."""
    answer = {"description": description, "content": {"text/csv": {"schema": {"type": "string"}}}}
    return {**(PUBLIC_OPENAPI if public else {}), "responses": {200: answer}}


def _page(rows: QuerySet, pages: ApiPages.Input, request: HttpRequest) -> tuple[list, int]:
    """The page of ``rows`` asked for, as every list of the API pages them, and their count."""
    found = ApiPages().paginate_queryset(rows, pagination=pages, request=request)
    return list(found["items"]), found["count"]


# The budget ------------------------------------------------------------------------------------


class BudgetLineOut(Schema):
    source: str = Field(description="A fixed key: fees, overhead, … for income; events, … for uses")
    label: str = Field(description="As the budget page names it, in the caller's language")
    amount: str = Field(description=MONEY)


class BudgetYearOut(Schema):
    year: int
    income: list[BudgetLineOut] = Field(description="Every source, zeros included")
    expenses: list[BudgetLineOut] = Field(description="Every use, zeros included")
    total_income: str = Field(description=MONEY)
    total_expenses: str = Field(description=MONEY)


class MaintenanceYearOut(Schema):
    year: int = Field(description="The year the plans' periods start")
    plans: int
    cost: str = Field(description=MONEY + ": paid to the providers")
    raised: str = Field(description=MONEY + ": borne by the organisations, overhead included")


class ContributionOut(Schema):
    date: date
    campaign: int
    title: str
    amount: str = Field(description=MONEY + ": what the fund paid of the campaign's cost")


class SponsorshipOut(Schema):
    organisation: str = Field(description="The sponsored organisation's slug")
    organisation_name: str
    percentage: str = Field(description='Of its shares the fund pays, e.g. "50.00"')
    starts_on: date
    ends_on: date
    cost: str = Field(description=MONEY + ": what it cost the fund so far")


class FeeTierOut(Schema):
    name: str
    monthly_amount: str = Field(description=MONEY)
    yearly_amount: str = Field(description=MONEY)
    description: str
    is_default: bool
    from_households: int | None = Field(description="The tier of organisations this large")


class BudgetOut(Schema):
    currency: str = Field(description="ISO 4217")
    balance: str = Field(description=MONEY + ": the community fund's balance")
    years: list[BudgetYearOut] = Field(description="Newest first")
    maintenance: list[MaintenanceYearOut] = Field(description="Funded maintenance plans")
    contributions: list[ContributionOut] = Field(description="Newest first")
    sponsorships: list[SponsorshipOut]
    fee_tiers: list[FeeTierOut]


def _lines(sources: dict[str, Any], lines: list[tuple[Any, Any]]) -> list[BudgetLineOut]:
    return [
        BudgetLineOut(source=key, label=str(label), amount=str(amount))
        for key, (label, amount) in zip(sources, lines, strict=True)
    ]


def _tier(tier: FeeTier) -> FeeTierOut:
    return FeeTierOut(
        name=tier.name,
        monthly_amount=str(tier.monthly_amount),
        yearly_amount=str(tier.yearly_amount),
        description=tier.description,
        is_default=tier.is_default,
        from_households=tier.from_households,
    )


@router.get(
    "/funding/budget",
    response=BudgetOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="The community fund's budget: income and expenses by source and year",
)
def get_budget(request: HttpRequest) -> BudgetOut:
    """The figures of the budget page. A year's income less its expenses is what the fund
    gained that year; all years together, its balance."""
    fund = ledger.fund()
    sponsorships = list(Sponsorship.objects.select_related("organisation"))
    costs = services.sponsorship_costs(sponsorships)
    return BudgetOut(
        currency=settings.KOMUNIGI_CURRENCY,
        balance=str(ledger.balance(fund)),
        years=[
            BudgetYearOut(
                year=year.year,
                income=_lines(budget.INCOME_SOURCES, year.income_lines),
                expenses=_lines(budget.EXPENSE_USES, year.expense_lines),
                total_income=str(year.total_income),
                total_expenses=str(year.total_expenses),
            )
            for year in budget.years(fund)
        ],
        maintenance=[
            MaintenanceYearOut(year=m.year, plans=m.plans, cost=str(m.cost), raised=str(m.raised))
            for m in budget.maintenance_by_year()
        ],
        contributions=[
            ContributionOut(
                date=c.date,
                campaign=c.campaign.pk,
                title=c.campaign.need.title,
                amount=str(c.amount),
            )
            for c in budget.contributions(fund)
        ],
        sponsorships=[
            SponsorshipOut(
                organisation=s.organisation.slug,
                organisation_name=s.organisation.name,
                percentage=str(s.percentage),
                starts_on=s.starts_on,
                ends_on=s.ends_on,
                cost=str(costs[s.pk]),
            )
            for s in sponsorships
        ],
        fee_tiers=[_tier(tier) for tier in FeeTier.objects.all()],
    )


@router.get(
    "/funding/budget.csv",
    auth=PUBLIC,
    openapi_extra=_csv(
        "A row per year and source of income or use of money: " + ", ".join(exports.BUDGET_HEADER),
        public=True,
    ),
    summary="The budget as CSV",
    url_name="funding_budget_csv",
)
def budget_csv(request: HttpRequest) -> StreamingHttpResponse:
    years = budget.years(ledger.fund())
    return exports.streamed(
        f"budget-{instance_today()}.csv", exports.BUDGET_HEADER, exports.budget_rows(years)
    )


# The co-financing history -------------------------------------------------------------------


class PayerOut(Schema):
    organisation: str = Field(description="The supermarket's name")
    amount: str | None = Field(
        description=MONEY + " it bears; null when the community keeps the amounts for members"
    )


class FundedCampaignOut(Schema):
    id: int
    need: int
    title: str
    provider: str = Field(description="The provider's slug")
    provider_name: str
    cost: str = Field(description=MONEY)
    raised: str = Field(description=MONEY + ": shared by the supermarkets, overhead included")
    closed_at: datetime | None
    supermarkets: int = Field(description="How many bear a share")
    shares: list[PayerOut] = Field(
        description=f"The first {HISTORY_SHARES} by name, as the history page lists them"
    )
    url: str


class HistoryOut(Schema):
    items: list[FundedCampaignOut] = Field(description="Latest funded first")
    count: int


def _funded() -> QuerySet[Campaign]:
    return (
        Campaign.objects.with_details()
        .filter(status=CampaignStatus.FUNDED)
        .order_by("-closed_at", "-pk")
    )


@router.get(
    "/funding/history",
    response=HistoryOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="The co-financing history: each funded development and who bears what",
)
def get_history(request: HttpRequest, pages: Query[ApiPages.Input]) -> HistoryOut:
    campaigns, count = _page(_funded(), pages, request)
    shared = statements.payers(campaigns, first=HISTORY_SHARES)
    amounts = permissions.can_see_shares(request.user)
    return HistoryOut(
        count=count,
        items=[
            FundedCampaignOut(
                id=c.pk,
                need=c.need_id,
                title=c.need.title,
                provider=c.quote.provider.slug,
                provider_name=c.quote.provider.name,
                cost=str(c.cost),
                raised=str(c.to_raise),
                closed_at=c.closed_at,
                supermarkets=shared[c.pk].count,
                shares=[
                    PayerOut(organisation=name, amount=str(amount) if amounts else None)
                    for name, amount in shared[c.pk].first
                ],
                url=request.build_absolute_uri(c.get_absolute_url()),
            )
            for c in campaigns
        ],
    )


@router.get(
    "/funding/history.csv",
    auth=PUBLIC,
    openapi_extra=_csv(
        "A row per funded campaign and supermarket bearing a share, every one of them (the "
        "share empty when the community keeps the amounts for members): "
        + ", ".join(exports.HISTORY_HEADER),
        public=True,
    ),
    summary="The co-financing history as CSV",
    url_name="funding_history_csv",
)
def history_csv(request: HttpRequest) -> StreamingHttpResponse:
    rows = exports.history_rows(_funded(), amounts=permissions.can_see_shares(request.user))
    return exports.streamed(
        f"co-financing-history-{instance_today()}.csv", exports.HISTORY_HEADER, rows
    )


# An organisation's statement ----------------------------------------------------------------


class EntryOut(Schema):
    date: date
    kind: str = Field(description="The kind of entry, in the caller's language")
    description: str
    reference: str = Field(description="The bank reference")
    campaign: int | None
    amount: str = Field(description=MONEY + ": owed to it (positive) or by it (negative)")
    balance: str = Field(description=MONEY + ": its balance after this entry")


class StatementOut(Schema):
    organisation: str = Field(description="The organisation's slug")
    name: str
    currency: str = Field(description="ISO 4217")
    balance: str = Field(
        description=MONEY + ": negative, what it owes; positive, a credit in its favour"
    )
    due: str = Field(description=MONEY + ": what it still owes (0.00 when nothing)")
    paid: str = Field(description=MONEY + ": what it paid the community, reversals deducted")
    entries: list[EntryOut] = Field(
        description=f"Newest first, {statements.ENTRIES_PER_PAGE} a page"
    )
    count: int = Field(description="Entries in all")


class StatementPage(Schema):
    page: int = Field(1, ge=1)


def _statement_of(request: HttpRequest, slug: str) -> Organisation:
    """The organisation whose statement the caller may see; 404 to anyone else, who does not
    learn whether it exists."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not permissions.can_see_statement(request.user, organisation):
        raise HttpError(404, _("Not found."))
    return organisation


def _paid_by(organisation: Organisation) -> Decimal:
    """What it paid into its account, less the reversals of those payments (one query)."""
    paid = Q(transaction__kind=TransactionKind.PAYMENT_RECEIVED) | Q(
        transaction__reverses__kind=TransactionKind.PAYMENT_RECEIVED
    )
    return ledger.total(
        LedgerLine.objects.filter(
            paid, account__organisation=organisation, account__kind=AccountKind.ORGANISATION
        )
    )


@router.get(
    "/organisations/{slug}/statement",
    response={200: StatementOut, 404: Problem},
    auth=PERSONAL,
    summary="An organisation's account: what it owes and is owed, entry by entry",
)
def get_statement(request: HttpRequest, slug: str, query: Query[StatementPage]) -> StatementOut:
    """For the organisation's own people and the facilitators, as its statement page. A page
    past the last one has no entry."""
    organisation = _statement_of(request, slug)
    page, balance = statements.account_page(organisation, query.page)
    entries = page.object_list if page.number == query.page else []
    return StatementOut(
        organisation=organisation.slug,
        name=organisation.name,
        currency=settings.KOMUNIGI_CURRENCY,
        balance=str(balance),
        due=str(max(-balance, statements.ZERO)),
        paid=str(_paid_by(organisation)),
        count=page.paginator.count,
        entries=[
            EntryOut(
                date=e.date,
                kind=e.kind,
                description=e.description,
                reference=e.reference,
                campaign=e.campaign.pk if e.campaign else None,
                amount=str(e.amount),
                balance=str(e.balance),
            )
            for e in entries
        ],
    )


@router.get(
    "/organisations/{slug}/statement.csv",
    response={404: Problem},
    auth=PERSONAL,
    openapi_extra=_csv(
        "Every entry, oldest first, with the balance after it: "
        + ", ".join(exports.STATEMENT_HEADER)
    ),
    summary="An organisation's statement as CSV",
    url_name="statement_csv",
)
def statement_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    organisation = _statement_of(request, slug)
    return exports.streamed(
        f"statement-{organisation.slug}-{instance_today()}.csv",
        exports.STATEMENT_HEADER,
        exports.statement_rows(organisation),
    )


# Membership fees and the ledger, for the facilitators ----------------------------------------


class FeeOut(Schema):
    id: int
    organisation: str = Field(description="The organisation's slug")
    organisation_name: str
    tier: str
    amount: str = Field(description=MONEY)
    paid: str = Field(description=MONEY)
    due: str = Field(description=MONEY)
    issued_at: datetime
    reminded_at: datetime | None


class FeesOut(Schema):
    year: int
    currency: str = Field(description="ISO 4217")
    due: str = Field(description=MONEY + ": still owed of the year's fees, all of them")
    tiers: list[FeeTierOut]
    items: list[FeeOut] = Field(description="The year's fees, by organisation name")
    count: int


class FeesYear(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="This year when left out")


class FeesQuery(ApiPages.Input, FeesYear):
    pass


def _fees_of(request: HttpRequest, year: int | None) -> tuple[int, QuerySet[Fee]]:
    """The year asked for (this one by default) and its fees, by organisation name: for the
    facilitators only, as the fees page."""
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    year = year or instance_today().year
    issued = (
        Fee.objects.filter(year=year, cancelled_at=None)
        .select_related("organisation", "tier")
        .order_by("organisation__name", "pk")
    )
    return year, issued


@router.get(
    "/funding/fees",
    response={200: FeesOut, 403: Problem},
    auth=PERSONAL,
    summary="A year's membership fees: what each organisation owes and paid",
)
def get_fees(request: HttpRequest, query: Query[FeesQuery]) -> FeesOut:
    """For the facilitators, who issue and follow the fees, as the fees page."""
    year, issued_in_year = _fees_of(request, query.year)
    issued, count = _page(issued_in_year, query, request)
    return FeesOut(
        year=year,
        currency=settings.KOMUNIGI_CURRENCY,
        due=str(fees.due_in(year)),
        tiers=[_tier(tier) for tier in FeeTier.objects.all()],
        count=count,
        items=[
            FeeOut(
                id=row.fee.pk,
                organisation=row.fee.organisation.slug,
                organisation_name=row.fee.organisation.name,
                tier=row.fee.tier.name,
                amount=str(row.fee.amount),
                paid=str(row.paid),
                due=str(row.due),
                issued_at=row.fee.issued_at,
                reminded_at=row.fee.reminded_at,
            )
            for row in fees.rows_for(issued)
        ],
    )


@router.get(
    "/funding/fees.csv",
    response={403: Problem},
    auth=PERSONAL,
    openapi_extra=_csv("A row per fee of the year: " + ", ".join(exports.FEES_HEADER)),
    summary="A year's membership fees as CSV",
    url_name="fees_csv",
)
def fees_csv(request: HttpRequest, query: Query[FeesYear]) -> StreamingHttpResponse:
    year, issued = _fees_of(request, query.year)
    return exports.streamed(f"fees-{year}.csv", exports.FEES_HEADER, exports.fee_rows(issued))


@router.get(
    "/funding/ledger.csv",
    response={403: Problem},
    auth=PERSONAL,
    openapi_extra=_csv(
        "Every line of every transaction, oldest first (a transaction's lines sum to zero): "
        + ", ".join(exports.LEDGER_HEADER)
    ),
    summary="The whole ledger as CSV",
    url_name="ledger_csv",
)
def ledger_csv(request: HttpRequest) -> StreamingHttpResponse:
    """For the facilitators, who keep the books."""
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    return exports.streamed(
        f"ledger-{instance_today()}.csv", exports.LEDGER_HEADER, exports.ledger_rows()
    )
