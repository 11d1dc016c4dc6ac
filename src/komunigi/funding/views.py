import csv
import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from komunigi.community.models import Organisation
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.formfields import narrowed, primary_key
from komunigi.funding import (
    budget,
    fees,
    figures,
    ledger,
    permissions,
    services,
    statements,
)
from komunigi.funding.forms import (
    CancelCampaignForm,
    FeePaymentForm,
    FeeTierForm,
    FundEntryForm,
    LateJoinerForm,
    OpenCampaignForm,
    ParticipantFormSet,
    PaymentForm,
    PledgeForm,
    RefundForm,
    ReversalForm,
    SimulatorForm,
    SponsorshipForm,
    simulate,
)
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    Fee,
    FeeTier,
    LedgerTransaction,
    SplitRule,
    Sponsorship,
    TransactionKind,
)
from komunigi.http import AuthenticatedHttpRequest
from komunigi.needs.models import Need
from komunigi.pagination import paginate

PARTICIPANTS_PREFIX = "p"
SHARES_PER_PAGE = 50
CAMPAIGNS_PER_PAGE = 20
HISTORY_PER_PAGE = 10
HISTORY_SHARES = 12  # a development's payers listed on the history; the rest on its page
FEES_PER_PAGE = 50
SPONSORSHIPS_PER_PAGE = 50
# What the page opens with: the deck's shift reminder e-mails, 300 € shared by 4.
EXAMPLE = {
    "total": "300",
    "provider_contribution": "0",
    "community_contribution": "0",
    "overhead": "0",
}
EXAMPLE_NAMES = ["BEES coop", "BLOUM Coop", "Le NID", "Coopéco"]


def simulator(request: HttpRequest) -> HttpResponse:
    """Anybody tries a split: each share, and how it falls as more supermarkets join.

    A plain form post recomputes the page; with htmx, typing updates the results only."""
    data = request.POST.copy() if request.method == "POST" else _example()
    if "add" in data:  # the no-JavaScript way to get one more row
        key = f"{PARTICIPANTS_PREFIX}-TOTAL_FORMS"
        data[key] = str(int(data.get(key) or 0) + 1)
    form = SimulatorForm(data)
    participants = ParticipantFormSet(data, prefix=PARTICIPANTS_PREFIX)
    result = simulate(form, participants)
    context = {
        "form": form,
        "participants": participants,
        "result": result,
        "curve": figures.share_curve(result.curve, result.participants) if result else None,
    }
    if request.headers.get("HX-Request"):
        return render(request, "funding/_simulation.html", context)
    return render(request, "funding/simulator.html", context)


def _example() -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(EXAMPLE)
    data[f"{PARTICIPANTS_PREFIX}-TOTAL_FORMS"] = str(len(EXAMPLE_NAMES))
    data[f"{PARTICIPANTS_PREFIX}-INITIAL_FORMS"] = "0"
    for index, name in enumerate(EXAMPLE_NAMES):
        data[f"{PARTICIPANTS_PREFIX}-{index}-name"] = name
        data[f"{PARTICIPANTS_PREFIX}-{index}-weight"] = "1"
    return data


# Campaigns ---------------------------------------------------------------------------------


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.with_details().with_pledge_count()
    collecting = campaigns.filter(status=CampaignStatus.COLLECTING).order_by("deadline", "pk")
    closed = campaigns.exclude(status=CampaignStatus.COLLECTING).order_by("-closed_at", "-pk")
    return render(
        request,
        "funding/campaign_list.html",
        {
            "collecting": paginate(request, collecting, CAMPAIGNS_PER_PAGE, param="collecting"),
            "closed": paginate(request, closed, CAMPAIGNS_PER_PAGE),
            "own_organisations": permissions.organisations_proposing_for(request.user),
        },
    )


def campaign_detail(request: HttpRequest, pk: int, **bound: Any) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.with_details(), pk=pk)
    return render(
        request,
        "funding/campaign_detail.html",
        _campaign_context(request, campaign, **bound),
        status=400 if bound else 200,
    )


def campaign_split(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the campaign page that pledges change (polled by htmx)."""
    campaign = get_object_or_404(Campaign.objects.with_details(), pk=pk)
    return render(request, "funding/_campaign_split.html", _split_context(request, campaign))


def _split_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    """While collecting: what closing now does and what it would do once every pending board
    agreed (the close's own computation), as a meter and in words, and how each share would
    fall with more supermarkets. Once closed: the shares as the ledger has them, late joiners
    included (the CSV's and the history's own rows), and what is paid of them. No query of
    its own for the charts: the outlook and the ledger's rows hold their figures."""
    show_amounts = _show_amounts(request)
    context: dict[str, Any] = {"campaign": campaign, "show_amounts": show_amounts}
    if campaign.is_collecting:
        outlook = services.outlook(campaign)
        to_raise = (
            services.campaigns.amount_to_raise(campaign)
            if outlook.to_raise is None
            else outlook.to_raise
        )
        page = paginate(
            request,
            campaign.pledges.select_related("organisation").order_by("organisation__name"),
            SHARES_PER_PAGE,
            param="pledges",
        )
        context.update(
            {
                "outlook": outlook,
                "page": page,
                "rows": [
                    (
                        found,
                        outlook.shares_now.get(found.organisation_id),
                        outlook.shares_once_all_agree.get(found.organisation_id),
                    )
                    for found in page
                ],
                "money": figures.pledges_meter(outlook, to_raise),
                "curve": figures.share_curve(
                    figures.curve_from(to_raise, outlook.pledges),
                    outlook.pledges,
                    figure_id="campaign-curve",
                ),
            }
        )
    else:
        rows = statements.campaign_shares(campaign)
        context["shares"] = paginate(request, rows, SHARES_PER_PAGE, param="shares")
        if rows and show_amounts:  # what each paid is not public where shares are hidden
            context["money"] = figures.payments_meter(
                services.campaigns.amount_to_raise(campaign), rows
            )
    return context


def _show_amounts(request: HttpRequest) -> bool:
    return permissions.can_see_shares(request.user)


def _campaign_context(request: HttpRequest, campaign: Campaign, **bound: Any) -> dict[str, Any]:
    user = request.user
    pledging = permissions.supermarkets_pledging_through(user)
    custom = campaign.split_rule == SplitRule.CUSTOM
    can_pay = permissions.can_record_payments(user) and campaign.status == CampaignStatus.FUNDED
    can_run = permissions.can_run_campaigns(user)
    context = {
        **_split_context(request, campaign),
        "can_run": can_run,
        "own_pledges": list(
            campaign.pledges.filter(organisation__in=pledging).select_related("organisation")
        ),
        "pledge_form": bound.get("pledge_form")
        or (
            PledgeForm(supermarkets=pledging, custom_weights=custom)
            if campaign.is_collecting and pledging.exists()
            else None
        ),
        "can_export": permissions.can_export_shares(user, campaign),
    }
    if can_run and campaign.is_collecting:
        context["cancel_form"] = bound.get("cancel_form") or CancelCampaignForm()
    if can_pay:
        payers, context["narrow_payers"] = narrowed(_payers(campaign), request.GET.get("payer", ""))
        joiners, context["narrow_joiners"] = narrowed(
            _possible_late_joiners(campaign), request.GET.get("joiner", "")
        )
        context["payment_form"] = bound.get("payment_form") or PaymentForm(
            organisations=payers, initial={"date": instance_today()}
        )
        context["entries"] = list(
            campaign.transactions.exclude(kind=TransactionKind.CAMPAIGN_FUNDED)
            .select_related("reverses")
            .prefetch_related("lines__account__organisation")
        )
        context["reversed_ids"] = {e.reverses_id for e in context["entries"] if e.reverses_id}
        context["reversal_form"] = ReversalForm()
        context["late_joiner_form"] = bound.get("late_joiner_form") or LateJoinerForm(
            supermarkets=joiners
        )
    return context


def _possible_late_joiners(campaign: Campaign) -> Any:
    sharing = services.borne_shares(campaign)
    return Organisation.objects.member_supermarkets().exclude(pk__in=sharing).order_by("name")


@login_required
@require_POST
def campaign_late_joiner(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.with_details(), pk=pk)
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    form = LateJoinerForm(request.POST, supermarkets=_possible_late_joiners(campaign))
    if not form.is_valid():
        return campaign_detail(request, pk, late_joiner_form=form)
    supermarket = form.cleaned_data["supermarket"]
    try:
        services.add_late_joiner(
            campaign,
            supermarket,
            actor=request.user,
            premium_rate=form.cleaned_data["premium"] / 100,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s now shares this development; earlier payers are credited.")
            % {"name": supermarket.name},
        )
    return redirect(campaign)


def _payers(campaign: Campaign) -> Any:
    return (
        Organisation.objects.filter(
            Q(pk=campaign.quote.provider_id)
            | Q(pledges__campaign=campaign)
            | Q(pk__in=campaign.late_joiners.values("organisation"))
        )
        .distinct()
        .order_by("name")
    )


@login_required
def campaign_open(request: AuthenticatedHttpRequest, need_id: int) -> HttpResponse:
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    need = get_object_or_404(Need, pk=need_id)
    initial = {
        "overhead": str(settings.KOMUNIGI_OVERHEAD_RATE * 100),
        "deadline": timezone.localtime() + datetime.timedelta(weeks=3),
    }
    form = OpenCampaignForm(request.POST or None, need=need, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.open_campaign(
                need,
                form.cleaned_data["quote"],
                actor=request.user,
                deadline=form.cleaned_data["deadline"],
                split_rule=form.cleaned_data["split_rule"],
                minimum_supermarkets=form.cleaned_data["minimum_supermarkets"],
                overhead_rate=form.cleaned_data["overhead"] / 100,
                community_contribution=form.cleaned_data["community_contribution"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The campaign is open: supermarkets can pledge."))
            return redirect(campaign)
    status = 400 if form.errors else 200
    return render(
        request,
        "funding/campaign_form.html",
        {"need": need, "form": form, "fund_balance": ledger.balance(ledger.fund())},
        status=status,
    )


@login_required
@require_POST
def campaign_pledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    pledging = permissions.supermarkets_pledging_through(request.user)
    if not pledging.exists():
        raise PermissionDenied
    form = PledgeForm(
        request.POST, supermarkets=pledging, custom_weights=campaign.split_rule == SplitRule.CUSTOM
    )
    if not form.is_valid():
        return campaign_detail(request, pk, pledge_form=form)
    supermarket = form.cleaned_data["supermarket"]
    action = request.POST.get("action", "pledge")
    try:
        if action == "withdraw":
            services.withdraw_pledge(campaign, supermarket, actor=request.user)
            messages.success(request, _("%(name)s's pledge is withdrawn.") % {"name": supermarket})
        elif action == "confirm":
            services.confirm_pledge(campaign, supermarket, actor=request.user)
            messages.success(request, _("%(name)s's pledge is confirmed.") % {"name": supermarket})
        else:
            services.pledge(
                campaign,
                supermarket,
                actor=request.user,
                cap=form.cleaned_data["cap"],
                needs_board_approval=form.cleaned_data["needs_board_approval"],
                weight=form.cleaned_data.get("weight"),
            )
            messages.success(request, _("%(name)s's pledge is recorded.") % {"name": supermarket})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(campaign)


@login_required
@require_POST
def campaign_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close the campaign. Before its deadline, the facilitator first sees what closing does
    (funded with these shares, or failed; which pending pledges are left out) and confirms;
    the confirmation holds for the pledges it showed only."""
    campaign = get_object_or_404(Campaign.objects.with_details(), pk=pk)
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    early = campaign.is_collecting and campaign.deadline > timezone.now()
    if early and "confirm" not in request.POST:
        return _confirm_close(request, campaign)
    try:
        closed = services.close_campaign(
            campaign, actor=request.user, version=request.POST.get("version", "") if early else ""
        )
    except DomainError as error:
        if error.code == "changed":
            return _confirm_close(request, campaign, changed=error.message)
        messages.error(request, error.message)
    else:
        if closed.status == CampaignStatus.FUNDED:
            messages.success(request, _("The campaign is funded: the shares are owed."))
        else:
            messages.warning(request, _("The campaign failed: nobody owes anything."))
    return redirect(campaign)


def _confirm_close(request: HttpRequest, campaign: Campaign, changed: str = "") -> HttpResponse:
    outlook = services.preview(campaign)
    return render(
        request,
        "funding/campaign_close.html",
        {
            "campaign": campaign,
            "outlook": outlook,
            "version": services.pledges_version(outlook.pledges),
            "changed": changed,
        },
        status=409 if changed else 200,
    )


@login_required
@require_POST
def campaign_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.with_details(), pk=pk)
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    form = CancelCampaignForm(request.POST)
    if not form.is_valid():
        return campaign_detail(request, pk, cancel_form=form)
    try:
        services.cancel_campaign(
            campaign,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            withdraw_need=form.cleaned_data["withdraw_need"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.warning(request, _("The campaign is cancelled: nobody owes anything."))
    return redirect(campaign)


@login_required
@require_POST
def campaign_payment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.with_details(), pk=pk)
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    form = PaymentForm(request.POST, organisations=_payers(campaign))
    if not form.is_valid():
        return campaign_detail(request, pk, payment_form=form)
    try:
        services.record_payment(
            campaign,
            form.cleaned_data["organisation"],
            form.cleaned_data["amount"],
            actor=request.user,
            date=form.cleaned_data["date"],
            reference=form.cleaned_data["reference"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The payment is recorded."))
    return redirect(campaign)


@login_required
@require_POST
def transaction_reverse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(LedgerTransaction, pk=pk)
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    form = ReversalForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Say why the entry is reversed."))
        services.reverse_transaction(entry, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The entry is reversed."))
    return redirect(entry.campaign or "campaigns")


def campaign_shares_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Each supermarket's share, paid and still due: for the provider's invoices."""
    campaign = get_object_or_404(Campaign.objects.with_details(), pk=pk)
    if not permissions.can_export_shares(request.user, campaign):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-shares.csv"'
    writer = csv.writer(response)
    writer.writerow(["organisation", "share", "paid", "due", "currency"])
    for row in statements.campaign_shares(campaign):
        writer.writerow([row.name, row.share, row.paid, row.due, settings.KOMUNIGI_CURRENCY])
    return response


# Transparency ------------------------------------------------------------------------------


def budget_page(request: HttpRequest, **bound: Any) -> HttpResponse:
    """The fund's income and expenses by source and year, its balance month by month, and
    their charts."""
    fund = ledger.fund()
    years = budget.years(fund)
    months = budget.balance_by_month(fund)
    sponsorships = list(Sponsorship.objects.select_related("organisation"))
    context = {
        "years": years,
        "tiers": FeeTier.objects.all(),
        # The balance month by month ends at the fund's balance: its lines summed once for both.
        "balance": months[-1][1] if months else Decimal("0.00"),
        "contributions": budget.contributions(fund),
        "maintenance_years": budget.maintenance_by_year(),
        "sponsorships": _with_costs(sponsorships),
        "figures": figures.budget_figures(years, months) if years and months else [],
    }
    if permissions.can_record_payments(request.user):
        context["entry_form"] = bound.get("entry_form") or FundEntryForm(
            initial={"date": instance_today()}
        )
    return render(request, "funding/budget.html", context, status=400 if bound else 200)


@login_required
@require_POST
def fund_entry(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    form = FundEntryForm(request.POST)
    if not form.is_valid():
        return budget_page(request, entry_form=form)
    services.record_fund_entry(
        form.cleaned_data["kind"],
        form.cleaned_data["amount"],
        actor=request.user,
        date=form.cleaned_data["date"],
        description=form.cleaned_data["description"],
        category=form.cleaned_data["category"],
        reference=form.cleaned_data["reference"],
    )
    messages.success(request, _("The entry is recorded."))
    return redirect("funding_budget")


def history_page(request: HttpRequest) -> HttpResponse:
    """Each funded campaign, its total, and who bears what of it."""
    page = paginate(
        request,
        Campaign.objects.with_details()
        .filter(status=CampaignStatus.FUNDED)
        .order_by("-closed_at", "-pk"),
        HISTORY_PER_PAGE,
    )
    campaigns = list(page)
    shared = statements.payers(campaigns, first=HISTORY_SHARES)
    return render(
        request,
        "funding/history.html",
        {
            # Each with its first payers by name, and how many share it in all.
            "campaigns": [(c, shared[c.pk].first, shared[c.pk].count) for c in campaigns],
            "page": page,
            "show_amounts": _show_amounts(request),
        },
    )


@login_required
def statement_page(request: HttpRequest, slug: str, **bound: Any) -> HttpResponse:
    """An organisation's account: what it owes and is owed, entry by entry."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_see_statement(request.user, organisation):
        raise PermissionDenied
    entries, balance = statements.account_page(organisation, request.GET.get("page"))
    credit = ledger.balance(ledger.account(AccountKind.ORGANISATION, organisation))
    refund_form = None
    if permissions.can_record_payments(request.user) and credit > 0:
        refund_form = bound.get("refund_form") or RefundForm(
            initial={"amount": credit, "date": instance_today()}
        )
    return render(
        request,
        "funding/statement.html",
        {
            "organisation": organisation,
            "entries": entries,
            "balance": balance,
            "refund_form": refund_form,
        },
        status=400 if bound else 200,
    )


@login_required
@require_POST
def statement_refund(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    form = RefundForm(request.POST)
    if not form.is_valid():
        return statement_page(request, slug, refund_form=form)
    try:
        services.refund_credit(
            organisation,
            form.cleaned_data["amount"],
            actor=request.user,
            date=form.cleaned_data["date"],
            reference=form.cleaned_data["reference"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The refund is recorded."))
    return redirect("statement", slug=slug)


def _with_costs(sponsorships: list[Sponsorship]) -> list[tuple[Sponsorship, Decimal]]:
    costs = services.sponsorship_costs(sponsorships)
    return [(s, costs[s.pk]) for s in sponsorships]


# Sponsorships ------------------------------------------------------------------------------


def _sponsorable() -> Any:
    return Organisation.objects.member_supermarkets().order_by("name")


@login_required
def sponsorships_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Facilitators grant and end sponsorships, and see what each has cost the fund."""
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    initial: dict[str, Any] = {"starts_on": instance_today()}
    chosen = Organisation.objects.filter(slug=request.GET.get("organisation", "")).first()
    if chosen is not None:
        initial["organisation"] = chosen
    supermarkets, narrow = _sponsorable(), False
    if request.method != "POST":  # among many, found by a name (the one welcomed is offered)
        supermarkets, narrow = narrowed(supermarkets, request.GET.get("find", ""))
        if chosen is not None:
            supermarkets = _sponsorable().filter(Q(pk__in=supermarkets) | Q(pk=chosen.pk))
    form = SponsorshipForm(request.POST or None, supermarkets=supermarkets, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_sponsorship(
                form.cleaned_data["organisation"],
                actor=request.user,
                percentage=form.cleaned_data["percentage"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is sponsored.") % {"name": form.cleaned_data["organisation"].name},
            )
            return redirect("sponsorships")
    page = paginate(
        request, Sponsorship.objects.select_related("organisation"), SPONSORSHIPS_PER_PAGE
    )
    return render(
        request,
        "funding/sponsorships.html",
        {
            "form": form,
            "page": page,
            "sponsorships": _with_costs(list(page)),
            "today": instance_today(),
            "narrow": narrow,
            "welcomed": chosen if request.GET.get("welcome") else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def sponsorship_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sponsorship = get_object_or_404(Sponsorship, pk=pk)
    try:
        services.end_sponsorship(sponsorship, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The sponsorship ends today."))
    return redirect("sponsorships")


# Membership fees ---------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else instance_today().year


@login_required
def fees_page(request: HttpRequest, **bound: Any) -> HttpResponse:
    """The year's fees, what is paid and due, and the facilitators' controls."""
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    year = _year(request)
    page = paginate(
        request,
        Fee.objects.filter(year=year, cancelled_at=None)
        .select_related("organisation", "tier")
        .order_by("organisation__name", "pk"),
        FEES_PER_PAGE,
    )
    return render(
        request,
        "funding/fees.html",
        {
            "year": year,
            "rows": fees.rows_for(list(page)),
            "page": page,
            "tiers": FeeTier.objects.all(),
            "due": fees.due_in(year),
            "payment_form": bound.get("payment_form") or _fee_payment_form(request, year),
            "tier_form": bound.get("tier_form") or _fee_tier_form(request),
        },
        status=400 if bound else 200,
    )


def _fee_payment_form(request: HttpRequest, year: int) -> FeePaymentForm | None:
    """The payment form of the fee a row's "Record a payment" link chose, if any."""
    number = primary_key(request.GET.get("pay"))
    if number is None:
        return None
    chosen = Fee.objects.filter(pk=number, year=year, cancelled_at=None).select_related(
        "organisation"
    )
    fee = chosen.first()
    if fee is None:
        return None
    return FeePaymentForm(fees=chosen, initial={"fee": fee, "date": instance_today()})


def _fee_tier_form(request: HttpRequest) -> FeeTierForm | None:
    """The tier form of the organisation a row's "Change its tier" link chose, if any."""
    number = primary_key(request.GET.get("tier"))
    if number is None:
        return None
    chosen = _fee_payers().filter(pk=number)
    organisation = chosen.first()
    if organisation is None:
        return None
    return FeeTierForm(organisations=chosen, initial={"organisation": organisation})


@login_required
@require_POST
def fees_issue(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = _year(request)
    try:
        issued = fees.issue_fees(year, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext("%(count)d fee issued for %(year)d.", "%(count)d fees issued for %(year)d.",
                     len(issued)) % {"count": len(issued), "year": year},
        )  # fmt: skip
    return redirect(f"{reverse('fees')}?year={year}")


@login_required
@require_POST
def fees_payment(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    year = _year(request)
    form = FeePaymentForm(request.POST, fees=Fee.objects.filter(year=year, cancelled_at=None))
    if not form.is_valid():
        return fees_page(request, payment_form=form)
    fees.record_fee_payment(
        form.cleaned_data["fee"],
        form.cleaned_data["amount"],
        actor=request.user,
        date=form.cleaned_data["date"],
        reference=form.cleaned_data["reference"],
    )
    messages.success(request, _("The payment is recorded."))
    return redirect(f"{reverse('fees')}?year={year}")


@login_required
@require_POST
def fees_remind(request: HttpRequest) -> HttpResponse:
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    year = _year(request)
    count = fees.send_fee_reminders(year)
    messages.success(
        request,
        ngettext("%(count)d organisation reminded.", "%(count)d organisations reminded.", count)
        % {"count": count},
    )
    return redirect(f"{reverse('fees')}?year={year}")


def _fee_payers() -> Any:
    return Organisation.objects.members().filter(kind__in=fees.PAYING_KINDS).order_by("name")


@login_required
@require_POST
def fees_tier(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A facilitator sets an organisation's tier; this year's fee follows if it differs."""
    if not permissions.can_record_payments(request.user):
        raise PermissionDenied
    form = FeeTierForm(request.POST, organisations=_fee_payers())
    if not form.is_valid():
        return fees_page(request, tier_form=form)
    organisation, tier = form.cleaned_data["organisation"], form.cleaned_data["tier"]
    reissued = fees.set_fee_tier(organisation, tier, actor=request.user)
    if reissued is not None:
        message = _("%(name)s's tier is %(tier)s: its %(year)d fee is re-issued.") % {
            "name": organisation.name,
            "tier": tier.name,
            "year": reissued.year,
        }
    else:
        message = _("%(name)s's tier is %(tier)s.") % {"name": organisation.name, "tier": tier.name}
    messages.success(request, message)
    return redirect(f"{reverse('fees')}?year={_year(request)}")
