"""The maintenance pool's pages: the plans, one plan with each organisation's bill line by
line, commitments and opt-outs, and what facilitators do (open, close)."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komunigi.commons.models import Module
from komunigi.community.models import Organisation
from komunigi.errors import DomainError
from komunigi.funding import permissions
from komunigi.funding.maintenance_forms import CommitForm, JoinForm, OpenPlanForm
from komunigi.funding.models import MaintenancePlan, MaintenanceStatus, SplitRule
from komunigi.funding.services import maintenance, maintenance_joins
from komunigi.http import AuthenticatedHttpRequest
from komunigi.money import format_money
from komunigi.needs.permissions import is_in
from komunigi.pagination import paginate

PLANS_PER_PAGE = 20


def plan_list(request: HttpRequest) -> HttpResponse:
    plans = MaintenancePlan.objects.select_related("provider").order_by("-starts_on", "-pk")
    return render(
        request,
        "funding/maintenance_list.html",
        {
            "page": paginate(request, plans, PLANS_PER_PAGE),
            "can_open": permissions.can_run_campaigns(request.user),
        },
    )


@login_required
def plan_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _open_plan(request, OpenPlanForm(request.POST or None), previous=None)


@login_required
def plan_renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The next period's plan, from this one: the same modules, costs and terms to start
    from; its page then shows the changes side by side."""
    previous = get_object_or_404(MaintenancePlan.objects.select_related("provider"), pk=pk)
    starts_on, ends_on = maintenance.next_period(previous)
    covered = previous.modules.select_related("module").order_by("module__technical_name")
    initial = {
        "title": previous.title,
        "provider": previous.provider_id,
        "series": previous.series,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "modules": "\n".join(f"{m.module.technical_name} {m.cost}" for m in covered),
        "included": previous.included,
        "excluded": previous.excluded,
        "split_rule": previous.split_rule,
        "overhead": previous.overhead_rate * 100,
    }
    return _open_plan(
        request, OpenPlanForm(request.POST or None, initial=initial), previous=previous
    )


def _open_plan(
    request: AuthenticatedHttpRequest, form: OpenPlanForm, previous: MaintenancePlan | None
) -> HttpResponse:
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        costs = {m: c for m, c in data["costs"].items() if c is not None}
        without = [m for m, c in data["costs"].items() if c is None]
        if without:
            costs |= maintenance.bundle_costs(data["bundle"], without)
        try:
            plan = maintenance.open_plan(
                actor=request.user,
                title=data["title"],
                provider=data["provider"],
                series=data["series"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                deadline=data["deadline"],
                included=data["included"],
                excluded=data["excluded"],
                costs=costs,
                split_rule=data["split_rule"],
                overhead_rate=data["overhead"] / 100,
                previous=previous,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The maintenance plan is open for commitments."))
            return redirect(plan)
    return render(
        request,
        "funding/maintenance_open.html",
        {"form": form, "previous": previous},
        status=400 if form.errors else 200,
    )


@dataclass(frozen=True)
class BillLine:
    module: Module
    cost: Decimal
    share: Decimal | None  # if everyone that runs the module commits; None: opted out
    firm_share: Decimal | None  # with the firm commitments so far
    opted_out: bool
    others: int  # who else shares it: the opt-out's cost falls on them


@dataclass(frozen=True)
class Bill:
    organisation: Organisation
    lines: list[BillLine]
    total: Decimal
    firm_total: Decimal
    runs: int  # of the plan's modules
    commitment: Any


def _bills(seen: maintenance.Preview, covered: list[Any], mine: list[Organisation]) -> list[Bill]:
    """Each of the person's organisations that runs a covered module: its bill, line by line."""
    bills = []
    for organisation in mine:
        everyone = dict(seen.everyone.bills.get(str(organisation.pk), []))
        firm = dict(seen.firm.bills.get(str(organisation.pk), []))
        lines = []
        for item in covered:
            runners = seen.runners.get(item.module_id, set())
            if organisation.pk not in runners:
                continue
            key = str(item.module_id)
            opted = (item.module_id, organisation.pk) in seen.opted_out
            sharing = [o for o in runners if (item.module_id, o) not in seen.opted_out]
            lines.append(
                BillLine(
                    item.module,
                    item.cost,
                    None if opted else everyone.get(key),
                    None if opted else firm.get(key),
                    opted,
                    len([o for o in sharing if o != organisation.pk]),
                )
            )
        if lines:
            bills.append(
                Bill(
                    organisation,
                    lines,
                    seen.everyone.total(str(organisation.pk)),
                    seen.firm.total(str(organisation.pk)),
                    len(lines),
                    seen.commitments.get(organisation.pk),
                )
            )
    return bills


def plan_detail(request: HttpRequest, pk: int, **bound: Any) -> HttpResponse:
    plan = get_object_or_404(MaintenancePlan.objects.select_related("provider", "previous"), pk=pk)
    covered = list(plan.modules.select_related("module").order_by("module__technical_name"))
    if plan.status == MaintenanceStatus.FUNDED:
        # Funded, its shares are set: the page reads them rather than split again.
        context = _funded(plan, covered)
    else:
        context = _collecting(request, plan, covered, bound.get("commit_form"))
    return render(
        request,
        "funding/maintenance_plan.html",
        {
            "plan": plan,
            "total_cost": sum((item.cost for item in covered), Decimal("0.00")),
            **context,
            "changes": maintenance.renewal_changes(plan),
            # The meetings it was put to (the meetings app links a decision to it).
            "put_to": list(
                plan.agenda_items.select_related("meeting", "decision").order_by(
                    "meeting__starts_at"
                )
            ),
            **_during_the_period(request, plan, bound.get("join_form")),
            # Commitments and opt-outs until the deadline; the close may come a little later.
            "taking": plan.is_collecting and plan.deadline > timezone.now(),
            "can_close": plan.is_collecting and permissions.can_run_campaigns(request.user),
            "can_renew": permissions.can_run_campaigns(request.user),
            "show_amounts": permissions.can_see_shares(request.user),
            "can_export": permissions.can_run_campaigns(request.user)
            or is_in(request.user, plan.provider_id),
        },
        status=400 if bound else 200,
    )


def _collecting(
    request: HttpRequest, plan: MaintenancePlan, covered: list[Any], commit_form: Any
) -> dict[str, Any]:
    """Not funded: the split if everyone commits, the firm one so far, and the person's bills."""
    seen = maintenance.preview(plan, covered)
    mine: list[Organisation] = []
    if request.user.is_authenticated:
        mine = list(maintenance.organisations_committing_through(request.user))
    bills = _bills(seen, covered, mine)
    return {
        "rows": [
            (
                item,
                len(seen.runners.get(item.module_id, ())),
                len(seen.everyone.modules[str(item.module_id)].shares)
                if str(item.module_id) in seen.everyone.modules
                else 0,
            )
            for item in covered
        ],
        "seen": seen,
        "bills": bills,
        "commitments": [
            (c, seen.firm.total(str(c.organisation_id)) if seen.firm.fundable else None)
            for c in sorted(seen.commitments.values(), key=lambda c: c.organisation.name)
        ],
        "commit_form": commit_form
        or CommitForm(
            organisations=Organisation.objects.filter(pk__in=[b.organisation.pk for b in bills]),
            custom_weights=plan.split_rule == SplitRule.CUSTOM,
        ),
    }


def _funded(plan: MaintenancePlan, covered: list[Any]) -> dict[str, Any]:
    """Funded: who runs each module now, who shares it, and each commitment's bill."""
    running = maintenance.runners(plan, covered)
    sharing: dict[int, int] = {}
    bills: dict[int, Decimal] = {}
    for module_id, organisation_id, amount in plan.shares.values_list(
        "module_id", "organisation_id", "amount"
    ):
        sharing[module_id] = sharing.get(module_id, 0) + 1
        bills[organisation_id] = bills.get(organisation_id, Decimal("0.00")) + amount
    commitments = plan.commitments.select_related("organisation").order_by("organisation__name")
    return {
        "rows": [
            (item, len(running.get(item.module_id, ())), sharing.get(item.module_id, 0))
            for item in covered
        ],
        "commitments": [(c, bills.get(c.organisation_id)) for c in commitments],
    }


def _during_the_period(
    request: HttpRequest, plan: MaintenancePlan, join_form: JoinForm | None
) -> dict[str, Any]:
    """A funded plan: who shares it, the newcomers since, and for facilitators who may join."""
    if plan.status != MaintenanceStatus.FUNDED:
        return {}
    sharing: dict[int, Any] = {}
    for share in plan.shares.select_related("organisation").order_by("organisation__name"):
        row = sharing.setdefault(share.organisation_id, [share.organisation, Decimal("0.00"), 0])
        row[1] += share.amount
        row[2] += 1
    context: dict[str, Any] = {
        "sharing": list(sharing.values()),
        "joins": list(plan.joins.select_related("organisation", "module")),
    }
    if permissions.can_run_campaigns(request.user):
        context["join_form"] = join_form or JoinForm(
            newcomers=maintenance_joins.newcomers(plan),
            custom_weights=plan.split_rule == SplitRule.CUSTOM,
        )
    return context


@login_required
@require_POST
def plan_join(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(MaintenancePlan, pk=pk)
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    form = JoinForm(
        request.POST,
        newcomers=maintenance_joins.newcomers(plan),
        custom_weights=plan.split_rule == SplitRule.CUSTOM,
    )
    if form.is_valid():
        newcomer = form.cleaned_data["newcomer"]
        try:
            joined = maintenance_joins.join(
                plan,
                newcomer.organisation,
                newcomer.module,
                actor=request.user,
                joined_on=form.cleaned_data["joined_on"],
                premium_rate=form.cleaned_data["premium"] / 100,
                weight=form.cleaned_data.get("weight"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s shares %(module)s from now on: %(amount)s for the days left.")
                % {
                    "name": newcomer.organisation.name,
                    "module": newcomer.module.technical_name,
                    "amount": format_money(
                        joined.catch_up + joined.premium,
                        settings.KOMUNIGI_CURRENCY,
                        get_language() or "en",
                    ),
                },
            )
            return redirect(plan)
    return plan_detail(request, pk, join_form=form)


def _mine(request: AuthenticatedHttpRequest, chosen: str) -> Organisation:
    organisation = (
        maintenance.organisations_committing_through(request.user).filter(pk=chosen).first()
        if chosen.isdigit()
        else None
    )
    if organisation is None:
        raise PermissionDenied
    return organisation


@login_required
@require_POST
def plan_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(MaintenancePlan, pk=pk)
    form = CommitForm(
        request.POST,
        organisations=maintenance.organisations_committing_through(request.user),
        custom_weights=plan.split_rule == SplitRule.CUSTOM,
    )
    if not form.is_valid():
        return plan_detail(request, pk, commit_form=form)
    organisation = form.cleaned_data["organisation"]
    action = request.POST.get("action", "commit")
    try:
        if action == "withdraw":
            maintenance.withdraw_commitment(plan, organisation, actor=request.user)
            messages.success(request, _("The commitment is withdrawn."))
        elif action == "confirm":
            maintenance.confirm_commitment(plan, organisation, actor=request.user)
            messages.success(request, _("The board's approval is recorded: the commitment counts."))
        else:
            maintenance.commit(
                plan,
                organisation,
                actor=request.user,
                cap=form.cleaned_data["cap"],
                weight=form.cleaned_data.get("weight"),
                needs_board_approval=form.cleaned_data["needs_board_approval"],
            )
            messages.success(
                request,
                _("%(name)s is committed to the maintenance plan.") % {"name": organisation.name},
            )
    except DomainError as error:
        form.add_error(None, error.message)
        return plan_detail(request, pk, commit_form=form)
    return redirect(plan)


@login_required
@require_POST
def plan_opt_out(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(MaintenancePlan, pk=pk)
    organisation = _mine(request, request.POST.get("organisation", ""))
    module = get_object_or_404(Module, pk=request.POST.get("module") or 0)
    back = request.POST.get("back") == "1"
    try:
        maintenance.opt_out(plan, organisation, module, actor=request.user, back=back)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            (_("%(module)s is back in %(name)s's bill.") if back else
             _("%(name)s no longer shares %(module)s: its share is spread over the others."))
            % {"module": module.technical_name, "name": organisation.name},
        )  # fmt: skip
    return redirect(plan)


@login_required
@require_POST
def plan_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(MaintenancePlan, pk=pk)
    if not permissions.can_run_campaigns(request.user):
        raise PermissionDenied
    try:
        closed = maintenance.close_plan(plan, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The plan is funded: each organisation owes its bill.")
            if closed.status == "funded"
            else _("The plan failed: nobody owes anything."),
        )
    return redirect(plan)


def plan_shares_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Each organisation's share of each module of a funded plan: for the provider's invoices."""
    plan = get_object_or_404(MaintenancePlan.objects.select_related("provider"), pk=pk)
    if not (
        plan.status == MaintenanceStatus.FUNDED
        and (permissions.can_run_campaigns(request.user) or is_in(request.user, plan.provider_id))
    ):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="maintenance-{plan.pk}-shares.csv"'
    writer = csv.writer(response)
    writer.writerow(["organisation", "module", "share", "currency"])
    for share in plan.shares.select_related("organisation", "module").order_by(
        "organisation__name", "module__technical_name"
    ):
        writer.writerow(
            [share.organisation.name, share.module.technical_name, share.amount,
             settings.KOMUNIGI_CURRENCY]
        )  # fmt: skip
    return response
