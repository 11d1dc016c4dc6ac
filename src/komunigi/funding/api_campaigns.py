"""Campaigns (co-financing of one need) in the JSON API, as their pages show them.

Every campaign is public, like /co-financing/. What each organisation pays (caps, shares,
payments) follows the page's rule, `permissions.can_see_shares`: hidden amounts are null. The
split of a collecting campaign is the page's own (`campaigns.outlook`: firm pledges only if it
closed now, and once every pending board agreed); once closed, the shares as the ledger has
them (`statements.campaign_shares`). Pledges go through the page's form and services."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from komunigi.community.api_auth import PERSONAL, PUBLIC, PUBLIC_OPENAPI
from komunigi.community.models import Organisation
from komunigi.funding import permissions, split, statements
from komunigi.funding.forms import PledgeForm
from komunigi.funding.models import Campaign, CampaignStatus, Pledge, SplitRule
from komunigi.funding.services import campaigns
from komunigi.http import AuthenticatedHttpRequest
from komunigi.money import money_text
from komunigi.pagination import ApiPages

router = Router(tags=["funding"])

MONEY = 'A decimal string, e.g. "1200.00"'
HIDDEN = "; null where the instance keeps what each organisation pays for its members"
NO_NULL_CHARACTER = r"^[^\x00]*$"  # the database stores and compares no NUL character
# The pledge form's fields the API names otherwise, to say which input is refused.
FIELDS = {"supermarket": "organisation"}


def _weight(weight: Decimal | None) -> str | None:
    return None if weight is None else f"{weight.quantize(split.CENT)}"  # as the database has it


def _hidden_or_money(amount: Decimal | None, shown: bool) -> str | None:
    return money_text(amount) if shown and amount is not None else None


# Reading ----------------------------------------------------------------------------------


class CampaignFields(Schema):
    id: int
    need: int = Field(description="The need co-financed")
    title: str = Field(description="The need's title")
    status: CampaignStatus
    cost: str = Field(description=MONEY + "; the accepted quote")
    to_raise: str = Field(
        description=MONEY + "; what the supermarkets raise between them, overhead included"
    )
    raised: str = Field(
        description=MONEY + "; collecting: what the firm pledges raise if it closed now (all "
        "or nothing: 0.00 until they fund it); funded: what was raised; failed: 0.00"
    )
    pledge_count: int
    firm_pledge_count: int = Field(description="Unconditional, or confirmed by the board")
    minimum_supermarkets: int = Field(description="Firm pledges needed to be funded")
    deadline: datetime
    closed_at: datetime | None
    url: str


class CampaignSummaryOut(CampaignFields):
    """Read from a campaign of the list (its need, counts and open pledges fetched with it)."""

    @staticmethod
    def resolve_need(obj: Campaign) -> int:
        return obj.need_id

    @staticmethod
    def resolve_title(obj: Campaign) -> str:
        return obj.need.title

    @staticmethod
    def resolve_cost(obj: Campaign) -> str:
        return money_text(obj.cost)

    @staticmethod
    def resolve_to_raise(obj: Campaign) -> str:
        return money_text(campaigns.amount_to_raise(obj))

    @staticmethod
    def resolve_raised(obj: Campaign) -> str:
        if not obj.is_collecting:
            return money_text(_raised_once_closed(obj))
        # The page's own figures, cached per version of the pledges: a list of collecting
        # campaigns does not split each one again on every request.
        figures = campaigns.outlook(obj)
        return money_text(
            figures.to_raise if figures.funds_now and figures.to_raise else split.ZERO
        )

    @staticmethod
    def resolve_firm_pledge_count(obj: Campaign) -> int:
        return obj.firm_count  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: Campaign, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


def _raised_once_closed(campaign: Campaign) -> Decimal:
    funded = campaign.status == CampaignStatus.FUNDED
    return campaigns.amount_to_raise(campaign) if funded else split.ZERO


class CampaignFilters(Schema):
    status: CampaignStatus | None = None


def _firm_count() -> Coalesce:
    """How many pledges count at the close (`Pledge.is_firm`), counted for the rows shown."""
    firm = (
        Pledge.objects.filter(campaign=OuterRef("pk"))
        .filter(Q(needs_board_approval=False) | Q(confirmed_at__isnull=False))
        .order_by()
        .values("campaign")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(firm), 0)


@router.get(
    "/campaigns",
    response=list[CampaignSummaryOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List the co-financing campaigns",
)
@paginate(ApiPages, page_size=50)
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilters]) -> Any:
    """Those collecting pledges first, the nearest deadline first (the page's first list),
    then the closed ones, the latest closed first (its second list)."""
    found = (
        Campaign.objects.with_details()
        .with_pledge_count()
        .annotate(
            firm_count=_firm_count(),
            open_deadline=Case(When(status=CampaignStatus.COLLECTING, then=F("deadline"))),
        )
        .order_by(
            F("open_deadline").asc(nulls_last=True), F("closed_at").desc(nulls_last=True), "-pk"
        )
    )
    if filters.status:
        found = found.filter(status=filters.status)
    return found


class CampaignQuoteOut(Schema):
    id: int
    provider: str = Field(description="The provider's slug")
    provider_name: str
    amount: str = Field(description=MONEY)
    provider_contribution: str = Field(description=MONEY + "; what the provider pays itself")


class CampaignOutlookOut(Schema):
    """What closing now does, and what it would do once every pending board agreed."""

    firm_pledges: int
    pending_pledges: int = Field(description="Subject to a board's approval not confirmed yet")
    enough_firm: bool = Field(description="At least minimum_supermarkets firm pledges")
    funds_now: bool = Field(description="Closed now, the campaign would be funded")
    funds_once_all_agree: bool = Field(description="Funded once every pending board agrees")
    shortfall_now: str = Field(description=MONEY + "; what the firm pledges' caps leave uncovered")


class CampaignPledgeOut(Schema):
    organisation: str = Field(description="The supermarket's slug")
    name: str
    state: Literal["firm", "waiting_for_board"]
    cap: str | None = Field(description=MONEY + "; null: no limit" + HIDDEN)
    weight: str | None = Field(description="Custom weights only" + HIDDEN)
    share_if_closed_now: str | None = Field(
        description=MONEY + "; null unless closing now funds the campaign" + HIDDEN
    )
    share_once_all_agree: str | None = Field(
        description=MONEY + "; null unless some board is pending and its agreement would fund "
        "the campaign" + HIDDEN
    )


class CampaignShareOut(Schema):
    organisation: str = Field(description="The supermarket's slug")
    name: str
    late_joiner: bool = Field(description="Joined after the close, with a catch-up share")
    share: str | None = Field(description=MONEY + HIDDEN)
    paid: str | None = Field(description=MONEY + HIDDEN)
    due: str | None = Field(description=MONEY + HIDDEN)


class CampaignTotalsOut(Schema):
    firm: str = Field(description="The same as raised")
    pending_board: str | None = Field(
        description=MONEY + "; collecting: the pending pledges' shares once every board agreed "
        "(0.00 if that would not fund it); null once closed" + HIDDEN
    )
    paid: str | None = Field(description=MONEY + "; the shares paid so far" + HIDDEN)
    due: str | None = Field(description=MONEY + "; the shares still owed" + HIDDEN)


class CampaignOut(CampaignFields):
    split_rule: SplitRule
    overhead_rate: str = Field(description="Kept by the community fund: 0.0500 is five per cent")
    overhead: str | None = Field(
        description=MONEY + "; the part of to_raise for the community fund (null while "
        "collecting without pledges)"
    )
    provider_contribution: str = Field(description=MONEY)
    community_contribution: str = Field(description=MONEY + "; paid by the community fund")
    quote: CampaignQuoteOut
    opened_at: datetime
    cancel_reason: str = Field(description="Why it was cancelled before its close, if it was")
    amounts_shown: bool = Field(description="Whether the caller sees what each one pays")
    outlook: CampaignOutlookOut | None = Field(description="While collecting")
    pledges: list[CampaignPledgeOut] = Field(
        description="While collecting, by name; empty once closed"
    )
    shares: list[CampaignShareOut] = Field(
        description="Once closed, by name (late joiners included); empty before"
    )
    totals: CampaignTotalsOut
    may_pledge_for: list[str] = Field(
        description="Slugs of the supermarkets the caller pledges for, while collecting"
    )


@router.get(
    "/campaigns/{campaign_id}",
    response=CampaignOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One campaign: its pledges and the split they give",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """The campaign page's figures: while collecting, each pledge with its share if the
    campaign closed now (firm pledges only) and once every pending board agreed; once closed,
    each supermarket's share, what it paid and what it still owes."""
    campaign = get_object_or_404(
        Campaign.objects.with_details().with_pledge_count().annotate(firm_count=_firm_count()),
        pk=campaign_id,
    )
    shown = permissions.can_see_shares(request.user)
    if campaign.is_collecting:
        found = _collecting(campaign, shown)
        pledging = permissions.supermarkets_pledging_through(request.user)
        found["may_pledge_for"] = list(pledging.values_list("slug", flat=True))
    else:
        found = {**_closed(campaign, shown), "may_pledge_for": []}
    quote = campaign.quote
    return {
        **found,
        "id": campaign.pk,
        "need": campaign.need_id,
        "title": campaign.need.title,
        "status": campaign.status,
        "cost": money_text(campaign.cost),
        "to_raise": money_text(campaigns.amount_to_raise(campaign)),
        "pledge_count": campaign.pledge_count,  # type: ignore[attr-defined]
        "firm_pledge_count": campaign.firm_count,  # type: ignore[attr-defined]
        "minimum_supermarkets": campaign.minimum_supermarkets,
        "deadline": campaign.deadline,
        "closed_at": campaign.closed_at,
        "url": request.build_absolute_uri(campaign.get_absolute_url()),
        "split_rule": campaign.split_rule,
        "overhead_rate": str(campaign.overhead_rate),
        "provider_contribution": money_text(campaign.provider_contribution),
        "community_contribution": money_text(campaign.community_contribution),
        "quote": {
            "id": quote.pk,
            "provider": quote.provider.slug,
            "provider_name": quote.provider.name,
            "amount": money_text(quote.amount),
            "provider_contribution": money_text(quote.provider_contribution),
        },
        "opened_at": campaign.opened_at,
        "cancel_reason": campaign.cancel_reason,
        "amounts_shown": shown,
    }


def _collecting(campaign: Campaign, shown: bool) -> dict[str, Any]:
    figures = campaigns.outlook(campaign)
    rows = []
    pending = split.ZERO
    for found in campaign.pledges.select_related("organisation").order_by("organisation__name"):
        now = figures.shares_now.get(found.organisation_id)
        once_all_agree = figures.shares_once_all_agree.get(found.organisation_id)
        if not found.is_firm and once_all_agree is not None:
            pending += once_all_agree
        rows.append(
            {
                "organisation": found.organisation.slug,
                "name": found.organisation.name,
                "state": "firm" if found.is_firm else "waiting_for_board",
                "cap": _hidden_or_money(found.cap, shown),
                "weight": _weight(found.weight) if shown else None,  # its share would follow
                "share_if_closed_now": _hidden_or_money(now, shown),
                "share_once_all_agree": _hidden_or_money(once_all_agree, shown),
            }
        )
    raised = sum(figures.shares_now.values(), split.ZERO)
    return {
        "raised": money_text(raised),
        "overhead": None if figures.overhead is None else money_text(figures.overhead),
        "outlook": {
            "firm_pledges": figures.firm,
            "pending_pledges": figures.pending,
            "enough_firm": figures.enough_firm,
            "funds_now": figures.funds_now,
            "funds_once_all_agree": figures.funds_once_all_agree,
            "shortfall_now": money_text(figures.shortfall_now),
        },
        "pledges": rows,
        "shares": [],
        "totals": {
            "firm": money_text(raised),
            "pending_board": _hidden_or_money(pending, shown),
            "paid": _hidden_or_money(split.ZERO, shown),
            "due": _hidden_or_money(split.ZERO, shown),
        },
    }


def _closed(campaign: Campaign, shown: bool) -> dict[str, Any]:
    rows = statements.campaign_shares(campaign)
    raised = _raised_once_closed(campaign)
    return {
        "raised": money_text(raised),
        "overhead": None if campaign.overhead is None else money_text(campaign.overhead),
        "outlook": None,
        "pledges": [],
        "shares": [
            {
                "organisation": row.organisation.slug,
                "name": row.name,
                "late_joiner": row.late_joiner,
                "share": _hidden_or_money(row.share, shown),
                "paid": _hidden_or_money(row.paid, shown),
                "due": _hidden_or_money(row.due, shown),
            }
            for row in rows
        ],
        "totals": {
            "firm": money_text(raised),
            "pending_board": None,
            "paid": _hidden_or_money(sum((r.paid for r in rows), split.ZERO), shown),
            "due": _hidden_or_money(sum((r.due for r in rows), split.ZERO), shown),
        },
    }


# Pledging ---------------------------------------------------------------------------------


def _organisation() -> Any:
    return Field(
        None,
        max_length=80,
        pattern=NO_NULL_CHARACTER,
        description="Slug of the supermarket, when the caller pledges for several",
    )


class PledgeIn(Schema):
    organisation: str | None = _organisation()
    cap: str | None = Field(
        None, max_length=30, description='The most it pays, e.g. "120.00"; null: no limit'
    )
    needs_board_approval: bool = Field(
        False, description="Subject to the board's approval: it counts once confirmed"
    )
    weight: str | None = Field(
        None, max_length=30, description="The weight agreed, for a campaign with custom weights"
    )


class PledgeSupermarketIn(Schema):
    organisation: str | None = _organisation()


class PledgeProblem(Schema):
    detail: str


class PledgeReceipt(Schema):
    organisation: str = Field(description="The supermarket's slug")
    cap: str | None = Field(description=MONEY + "; null: no limit")
    weight: str | None
    needs_board_approval: bool
    state: Literal["firm", "waiting_for_board"]


REFUSALS: dict[int, type[Schema]] = {403: PledgeProblem, 409: PledgeProblem, 422: PledgeProblem}


def _receipt(found: Pledge, supermarket: Organisation) -> dict[str, Any]:
    return {
        "organisation": supermarket.slug,
        "cap": None if found.cap is None else money_text(found.cap),
        "weight": _weight(found.weight),
        "needs_board_approval": found.needs_board_approval,
        "state": "firm" if found.is_firm else "waiting_for_board",
    }


def _pledge_form(
    request: AuthenticatedHttpRequest, campaign: Campaign, organisation: str | None, **data: Any
) -> PledgeForm:
    """The page's pledge form, filled for the caller's supermarket and valid; the page's
    refusals otherwise: 403 for someone who pledges for no (such) supermarket, 422 with the
    form's own message for bad input."""
    pledging = permissions.supermarkets_pledging_through(request.user)
    chosen = list((pledging.filter(slug=organisation) if organisation else pledging)[:2])
    if not chosen:
        raise HttpError(403, _("You pledge for no such supermarket."))
    if len(chosen) > 1:
        raise HttpError(422, _("You pledge for several supermarkets: say which (organisation)."))
    form = PledgeForm(
        {"supermarket": chosen[0].pk, **data},
        supermarkets=pledging,
        custom_weights=campaign.split_rule == SplitRule.CUSTOM,
    )
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        message = str(errors[0])
        if name != NON_FIELD_ERRORS:
            message = f"{FIELDS.get(name, name)}: {message}"
        raise HttpError(422, message)
    return form


@router.post(
    "/campaigns/{campaign_id}/pledge",
    response={200: PledgeReceipt, **REFUSALS},
    auth=PERSONAL,
    summary="Pledge for a supermarket (or change its pledge)",
)
def pledge(request: AuthenticatedHttpRequest, campaign_id: int, payload: PledgeIn) -> Any:
    """The campaign page's pledge: a conditional promise to pay the supermarket's share, at
    most `cap`; with `needs_board_approval` it counts once confirmed (`/pledge/confirm`). A
    second call replaces the first while the campaign collects. 403 for people who pledge for
    no supermarket (its representative or substitute pledges), 409 once the campaign is
    closed or its deadline passed."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = _pledge_form(
        request,
        campaign,
        payload.organisation,
        cap=payload.cap or "",
        weight=payload.weight or "",
        needs_board_approval=payload.needs_board_approval,
    )
    supermarket = form.cleaned_data["supermarket"]
    found = campaigns.pledge(
        campaign,
        supermarket,
        actor=request.user,
        cap=form.cleaned_data["cap"],
        needs_board_approval=form.cleaned_data["needs_board_approval"],
        weight=form.cleaned_data.get("weight"),
    )
    return Status(200, _receipt(found, supermarket))


@router.post(
    "/campaigns/{campaign_id}/pledge/confirm",
    response={200: PledgeReceipt, **REFUSALS},
    auth=PERSONAL,
    summary="Confirm a pledge once the board approved it",
)
def confirm_pledge(
    request: AuthenticatedHttpRequest, campaign_id: int, payload: PledgeSupermarketIn
) -> Any:
    """The page's "Our board approved: confirm": the pledge waiting for the board becomes
    firm. 409 if the supermarket has not pledged, or once the campaign is closed."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = _pledge_form(request, campaign, payload.organisation)
    supermarket = form.cleaned_data["supermarket"]
    found = campaigns.confirm_pledge(campaign, supermarket, actor=request.user)
    return Status(200, _receipt(found, supermarket))


@router.post(
    "/campaigns/{campaign_id}/pledge/withdraw",
    response={204: None, **REFUSALS},
    auth=PERSONAL,
    summary="Withdraw a supermarket's pledge",
)
def withdraw_pledge(
    request: AuthenticatedHttpRequest, campaign_id: int, payload: PledgeSupermarketIn
) -> Any:
    """The page's "Withdraw our pledge", while the campaign collects (409 after); nothing
    happens if the supermarket had not pledged."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = _pledge_form(request, campaign, payload.organisation)
    campaigns.withdraw_pledge(campaign, form.cleaned_data["supermarket"], actor=request.user)
    return Status(204, None)
