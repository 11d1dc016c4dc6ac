"""The maintenance pool (DESIGN.md §6.1): a provider's upkeep of modules on a series, shared
module by module by the organisations that run them, committed to and closed like a
campaign, through the ledger."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.commons.models import Installation, Module
from komunigi.community.models import (
    VOTING_ROLES,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
)
from komunigi.dates import instance_today
from komunigi.errors import DomainError, require
from komunigi.funding import emails, ledger, maintenance_split, permissions
from komunigi.funding.models import (
    AccountKind,
    Commitment,
    MaintainedModule,
    MaintenancePlan,
    MaintenanceShare,
    MaintenanceStatus,
    OptOut,
    SplitRule,
    TransactionKind,
)
from komunigi.funding.services.campaigns import REMIND_BEFORE, share_weight

ZERO = Decimal("0.00")


def bundle_costs(amount: Decimal, modules: list[Module]) -> dict[Module, Decimal]:
    """One amount for the bundle, spread equally over its modules to the cent (the first
    modules by name take the remaining cents)."""
    names = sorted(modules, key=lambda m: m.technical_name)
    cents = int(amount * 100)
    each, left = divmod(cents, len(names))
    return {m: Decimal(each + (1 if i < left else 0)) / 100 for i, m in enumerate(names)}


def open_plan(
    *,
    actor: User,
    title: str,
    provider: Organisation,
    series: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    deadline: datetime.datetime,
    included: str,
    excluded: str = "",
    costs: dict[Module, Decimal],
    split_rule: str = SplitRule.EQUAL,
    overhead_rate: Decimal = ZERO,
    previous: MaintenancePlan | None = None,
) -> MaintenancePlan:
    """A plan open for commitments; ``previous``: the plan it renews for the next period."""
    require(permissions.can_run_campaigns(actor))
    if previous is not None and starts_on <= previous.starts_on:
        raise DomainError(_("A renewal starts after the plan it renews."))
    if provider.kind != OrganisationKind.PROVIDER:
        raise DomainError(_("A maintenance plan is offered by a provider."))
    if ends_on <= starts_on:
        raise DomainError(_("The period ends after it starts."))
    if deadline <= timezone.now():
        raise DomainError(_("The commitments' deadline is in the future."))
    if not costs:
        raise DomainError(_("A plan covers at least one module."))
    if any(cost <= 0 for cost in costs.values()):
        raise DomainError(_("Each module's upkeep costs something."))
    with transaction.atomic():
        plan = MaintenancePlan.objects.create(
            title=title.strip(),
            provider=provider,
            series=series,
            starts_on=starts_on,
            ends_on=ends_on,
            deadline=deadline,
            included=included.strip(),
            excluded=excluded.strip(),
            split_rule=split_rule,
            overhead_rate=overhead_rate,
            opened_by=actor,
            previous=previous,
        )
        MaintainedModule.objects.bulk_create(
            MaintainedModule(plan=plan, module=module, cost=cost) for module, cost in costs.items()
        )
        log_action(
            actor,
            "funding.maintenance.opened",
            plan,
            {"modules": len(costs), "renews": previous.pk if previous else None},
        )
        seen = preview(plan)
        emails.notify_plan_opened(
            plan,
            [
                (organisation, seen.everyone.total(str(organisation.pk)))
                for organisation in sorted(seen.organisations.values(), key=lambda o: o.name)
            ],
        )
        transaction.on_commit(lambda: _schedule(plan))
    return plan


def _schedule(plan: MaintenancePlan) -> None:
    """With a worker that can wait, the plan closes itself at its deadline; otherwise
    `komunigi close_due_campaigns` (cron) closes it."""
    from komunigi.funding.tasks import close_plan_at_deadline, remind_plan_before_deadline

    if close_plan_at_deadline.get_backend().supports_defer:
        close_plan_at_deadline.using(run_after=plan.deadline).enqueue(plan.pk)
        remind_at = plan.deadline - REMIND_BEFORE
        if remind_at > timezone.now():
            remind_plan_before_deadline.using(run_after=remind_at).enqueue(plan.pk)


def next_period(plan: MaintenancePlan) -> tuple[datetime.date, datetime.date]:
    """The period after ``plan``'s, as long as it (a year after a year)."""
    starts_on = plan.ends_on + datetime.timedelta(days=1)
    try:
        ends_on = plan.ends_on.replace(year=plan.ends_on.year + 1)
    except ValueError:  # 29 February
        ends_on = plan.ends_on + datetime.timedelta(days=365)
    if (plan.ends_on - plan.starts_on).days < 360:  # not yearly: the same number of days
        ends_on = starts_on + (plan.ends_on - plan.starts_on)
    return starts_on, ends_on


@dataclass(frozen=True)
class Change:
    """A module of a renewal beside the plan it renews."""

    module: Module
    cost_before: Decimal | None  # None: not in the previous plan
    cost_now: Decimal | None  # None: no longer in the plan
    shared_before: int | None  # organisations that bore it (None: the previous plan did not fund)
    running_now: int  # member organisations that run it on the series now

    @property
    def kind(self) -> str:
        if self.cost_before is None:
            return "added"
        if self.cost_now is None:
            return "removed"
        return "changed" if self.cost_before != self.cost_now else "same"


def renewal_changes(plan: MaintenancePlan) -> list[Change]:
    """Module by module, the renewal beside the plan it renews: added, removed, its cost then
    and now, who bore it then and who runs it now (a bounded number of queries)."""
    previous = plan.previous
    if previous is None:
        return []
    before = {m.module_id: m for m in previous.modules.select_related("module")}
    now = {m.module_id: m for m in plan.modules.select_related("module")}
    shared: dict[int, set[int]] = {}
    if previous.status == MaintenanceStatus.FUNDED:
        for module_id, organisation_id in previous.shares.values_list(
            "module_id", "organisation_id"
        ):
            shared.setdefault(module_id, set()).add(organisation_id)
    running: dict[int, set[int]] = {pk: set() for pk in {*before, *now}}
    for module_id, organisation_id in Installation.objects.filter(
        series=plan.series,
        module_id__in=list(running),
        organisation__status=OrganisationStatus.MEMBER,
    ).values_list("module_id", "organisation_id"):
        running[module_id].add(organisation_id)
    changes = []
    for module_id in {*before, *now}:
        item = now.get(module_id) or before[module_id]
        changes.append(
            Change(
                item.module,
                before[module_id].cost if module_id in before else None,
                now[module_id].cost if module_id in now else None,
                len(shared.get(module_id, ()))
                if previous.status == MaintenanceStatus.FUNDED
                else None,
                len(running[module_id]),
            )
        )
    return sorted(changes, key=lambda c: c.module.technical_name)


# Who shares what -----------------------------------------------------------------------------


def runners(
    plan: MaintenancePlan, covered: list[MaintainedModule] | None = None
) -> dict[int, set[int]]:
    """For each covered module, the member organisations that run it on the plan's series."""
    covered = list(plan.modules.all()) if covered is None else covered
    found: dict[int, set[int]] = {m.module_id: set() for m in covered}
    for module_id, organisation_id in Installation.objects.filter(
        series=plan.series,
        module_id__in=list(found),
        organisation__status=OrganisationStatus.MEMBER,
    ).values_list("module_id", "organisation_id"):
        found[module_id].add(organisation_id)
    return found


@dataclass(frozen=True)
class Preview:
    """The split if every organisation that runs the modules committed, and the split of the
    firm commitments as they stand (what closing now would do)."""

    everyone: maintenance_split.PoolSplit
    firm: maintenance_split.PoolSplit
    runners: dict[int, set[int]]  # module → organisations
    opted_out: set[tuple[int, int]]  # (module, organisation)
    commitments: dict[int, Commitment]  # by organisation
    organisations: dict[int, Organisation]
    sharers: dict[str, list[maintenance_split.Sharer]]  # by module: the firm ones, weighed


def preview(plan: MaintenancePlan, covered: list[MaintainedModule] | None = None) -> Preview:
    """A bounded number of queries whatever the number of modules and organisations
    (``covered``: the plan's modules, when the caller has them already)."""
    covered = list(plan.modules.all()) if covered is None else covered
    running = runners(plan, covered)
    opted = set(plan.opt_outs.values_list("module_id", "organisation_id"))
    commitments = {c.organisation_id: c for c in plan.commitments.select_related("organisation")}
    ids = set().union(*running.values()) if running else set()
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    costs = {str(m.module_id): m.cost for m in covered}

    def weight(organisation_id: int) -> Decimal:
        found = commitments.get(organisation_id)
        custom = found.weight if found is not None else None
        return share_weight(plan.split_rule, organisations[organisation_id], custom)

    def sharers(firm_only: bool) -> dict[str, list[maintenance_split.Sharer]]:
        return {
            str(module_id): [
                maintenance_split.Sharer(str(o), weight(o))
                for o in sorted(who)
                if (module_id, o) not in opted
                and (not firm_only or (o in commitments and commitments[o].is_firm))
            ]
            for module_id, who in running.items()
        }

    firm_caps = {str(o): c.cap for o, c in commitments.items() if c.cap is not None and c.is_firm}
    all_sharers, firm_sharers = sharers(False), sharers(True)
    everyone = maintenance_split.pool_split(costs, all_sharers, overhead_rate=plan.overhead_rate)
    # When every organisation that runs the modules committed firmly, without a cap, both
    # splits are one.
    firm = (
        everyone
        if firm_sharers == all_sharers and not firm_caps
        else maintenance_split.pool_split(
            costs, firm_sharers, caps=firm_caps, overhead_rate=plan.overhead_rate
        )
    )
    return Preview(
        everyone=everyone,
        firm=firm,
        runners=running,
        opted_out=opted,
        commitments=commitments,
        organisations=organisations,
        sharers=firm_sharers,
    )


# Commitments and opt-outs ------------------------------------------------------------------


def organisations_committing_through(user: User) -> QuerySet[Organisation]:
    """An organisation commits money through its representative or substitute."""
    return Organisation.objects.filter(
        status=OrganisationStatus.MEMBER,
        memberships__user=user,
        memberships__role__in=VOTING_ROLES,
    ).order_by("name")


def can_commit(user: User, organisation: Organisation) -> bool:
    return bool(
        user.is_authenticated
        and organisations_committing_through(user).filter(pk=organisation.pk).exists()
    )


def _open(plan: MaintenancePlan) -> MaintenancePlan:
    """The plan, locked so that commitments, opt-outs and the close come one after the other;
    refused once it is closed."""
    locked = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)
    if not locked.is_collecting:
        raise DomainError(_("This maintenance plan is closed."))
    return locked


def _collecting(plan: MaintenancePlan) -> MaintenancePlan:
    """The plan, locked and still taking commitments and opt-outs (its deadline not passed)."""
    locked = _open(plan)
    if locked.deadline <= timezone.now():
        raise DomainError(_("The deadline has passed: commitments are closed."))
    return locked


def _runs_a_module(plan: MaintenancePlan, organisation: Organisation) -> bool:
    return Installation.objects.filter(
        organisation=organisation,
        series=plan.series,
        module__in=plan.modules.values("module"),
    ).exists()


def commit(
    plan: MaintenancePlan,
    organisation: Organisation,
    *,
    actor: User,
    cap: Decimal | None = None,
    weight: Decimal | None = None,
    needs_board_approval: bool = False,
) -> Commitment:
    if not can_commit(actor, organisation):
        raise PermissionDenied
    with transaction.atomic():
        plan = _collecting(plan)
        if not _runs_a_module(plan, organisation):
            raise DomainError(
                _("%(name)s runs none of the plan's modules on %(series)s.")
                % {"name": organisation.name, "series": plan.series}
            )
        found, _created = Commitment.objects.update_or_create(
            plan=plan,
            organisation=organisation,
            defaults={
                "cap": cap,
                "weight": weight,
                "needs_board_approval": needs_board_approval,
                "confirmed_at": None,
                "committed_by": actor,
            },
        )
        log_action(
            actor,
            "funding.maintenance.committed",
            plan,
            {"organisation": organisation.slug, "cap": str(cap) if cap is not None else None},
        )
    return found


def withdraw_commitment(plan: MaintenancePlan, organisation: Organisation, *, actor: User) -> None:
    if not can_commit(actor, organisation):
        raise PermissionDenied
    with transaction.atomic():
        plan = _collecting(plan)
        Commitment.objects.filter(plan=plan, organisation=organisation).delete()
        log_action(
            actor, "funding.maintenance.withdrawn", plan, {"organisation": organisation.slug}
        )


def confirm_commitment(plan: MaintenancePlan, organisation: Organisation, *, actor: User) -> None:
    """The board approved: the commitment counts at the close."""
    if not can_commit(actor, organisation):
        raise PermissionDenied
    with transaction.atomic():
        plan = _collecting(plan)
        updated = Commitment.objects.filter(
            plan=plan, organisation=organisation, needs_board_approval=True
        ).update(confirmed_at=timezone.now())
        if not updated:
            raise DomainError(_("There is no commitment waiting for a board's approval."))
        log_action(
            actor, "funding.maintenance.confirmed", plan, {"organisation": organisation.slug}
        )


def opt_out(
    plan: MaintenancePlan, organisation: Organisation, module: Module, *, actor: User, back: bool
) -> None:
    """``organisation`` no longer wants ``module`` maintained (or, ``back``, wants it again):
    its share of it is spread over the others."""
    if not can_commit(actor, organisation):
        raise PermissionDenied
    with transaction.atomic():
        plan = _collecting(plan)
        if not plan.modules.filter(module=module).exists():
            raise DomainError(_("The plan does not cover this module."))
        if not Installation.objects.filter(
            organisation=organisation, module=module, series=plan.series
        ).exists():
            raise DomainError(
                _("%(name)s does not run %(module)s on %(series)s.")
                % {"name": organisation.name, "module": module.technical_name,
                   "series": plan.series}
            )  # fmt: skip
        if back:
            OptOut.objects.filter(plan=plan, organisation=organisation, module=module).delete()
        else:
            OptOut.objects.get_or_create(
                plan=plan, organisation=organisation, module=module,
                defaults={"opted_out_by": actor},
            )  # fmt: skip
        log_action(
            actor,
            "funding.maintenance.opted_in" if back else "funding.maintenance.opted_out",
            plan,
            {"organisation": organisation.slug, "module": module.technical_name},
        )


# Closing --------------------------------------------------------------------------------------


def close_plan(plan: MaintenancePlan, *, actor: User | None) -> MaintenancePlan:
    """Funded when the firm commitments share every module within their caps: each
    organisation owes its bill, the provider is owed the plan's cost, the overhead goes to the
    fund. Failed otherwise, and nothing moves."""
    if actor is not None and not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    with transaction.atomic():
        plan = _open(plan)
        seen = preview(plan)
        result = seen.firm
        plan.status = MaintenanceStatus.FUNDED if result.fundable else MaintenanceStatus.FAILED
        plan.closed_at = timezone.now()
        fields = ["status", "closed_at"]
        if result.fundable:
            plan.to_raise, plan.overhead = result.to_raise, result.overhead
            fields += ["to_raise", "overhead"]
            _post_funded(plan, seen, actor=actor)
        plan.save(update_fields=fields)
        log_action(actor, f"funding.maintenance.{plan.status}", plan)
        committed = sorted(
            (c.organisation for c in seen.commitments.values()), key=lambda o: o.name
        )
        emails.notify_plan_closed(
            plan, [(o, result.total(str(o.pk)) if result.fundable else ZERO) for o in committed]
        )
    return plan


def reject_plan(plan: MaintenancePlan, *, actor: User | None, reason: str) -> MaintenancePlan:
    """A meeting decided against the plan (``reason``: which): it ends as failed, nothing
    moves, and those who committed hear it."""
    if actor is not None and not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    with transaction.atomic():
        plan = _open(plan)
        plan.status, plan.closed_at = MaintenanceStatus.FAILED, timezone.now()
        plan.save(update_fields=["status", "closed_at"])
        log_action(actor, "funding.maintenance.rejected", plan, {"reason": reason})
        committed = plan.commitments.select_related("organisation").order_by("organisation__name")
        emails.notify_plan_closed(plan, [(c.organisation, ZERO) for c in committed])
    return plan


def close_due_plans(now: datetime.datetime | None = None) -> int:
    """Close every collecting plan whose deadline has passed; returns how many."""
    now = now or timezone.now()
    closed = 0
    for plan in MaintenancePlan.objects.filter(
        status=MaintenanceStatus.COLLECTING, deadline__lt=now
    ):
        try:
            close_plan(plan, actor=None)
        except DomainError:
            continue  # closed meanwhile by a facilitator
        closed += 1
    return closed


def send_plan_reminders(now: datetime.datetime | None = None) -> int:
    """Three days before a plan's deadline, once: the organisations that run its modules and
    have not committed are reminded, and those whose commitment waits for their board are
    asked to confirm it. Returns how many plans were reminded."""
    now = now or timezone.now()
    due = MaintenancePlan.objects.filter(_reminder_due(now))
    return sum(remind_before_deadline(plan, now=now) for plan in due)


def _reminder_due(now: datetime.datetime) -> Q:
    return Q(
        status=MaintenanceStatus.COLLECTING,
        reminder_sent_at=None,
        deadline__gt=now,
        deadline__lte=now + REMIND_BEFORE,
    )


def remind_before_deadline(plan: MaintenancePlan, *, now: datetime.datetime | None = None) -> bool:
    """One plan's reminder; ``False`` when it is not due or went out already."""
    now = now or timezone.now()
    with transaction.atomic():
        # Claimed with a conditional update, so two runs never remind twice.
        if not MaintenancePlan.objects.filter(_reminder_due(now), pk=plan.pk).update(
            reminder_sent_at=now
        ):
            return False
        seen = preview(plan)
        for organisation in sorted(seen.organisations.values(), key=lambda o: o.name):
            commitment = seen.commitments.get(organisation.pk)
            if commitment is None and seen.everyone.total(str(organisation.pk)):
                emails.notify_plan_reminder(plan, organisation, waiting_for_board=False)
            elif commitment is not None and not commitment.is_firm:
                emails.notify_plan_reminder(plan, organisation, waiting_for_board=True)
        log_action(None, "funding.maintenance.reminded", plan)
    return True


def _post_funded(plan: MaintenancePlan, seen: Preview, *, actor: User | None) -> None:
    result = seen.firm
    cost = result.to_raise - result.overhead
    lines = [
        (
            ledger.account(AccountKind.ORGANISATION, seen.organisations[int(key)]),
            -result.total(key),
        )
        for key in sorted(result.bills, key=int)
    ]
    lines += [
        (ledger.account(AccountKind.PROVIDER, plan.provider), cost),
        (ledger.fund(), result.overhead),
    ]
    weights = {
        (module, organisation.key): organisation.weight
        for module, sharers in seen.sharers.items()
        for organisation in sharers
    }
    MaintenanceShare.objects.bulk_create(
        MaintenanceShare(
            plan=plan,
            organisation_id=int(key),
            module_id=int(module),
            amount=amount,
            stake=amount,
            weight=weights[(module, key)],
        )
        for key, lines_of in result.bills.items()
        for module, amount in lines_of
    )
    ledger.post(
        TransactionKind.MAINTENANCE_FUNDED,
        lines,
        date=instance_today(),
        actor=actor,
        description=plan.title,
        maintenance_plan=plan,
    )
