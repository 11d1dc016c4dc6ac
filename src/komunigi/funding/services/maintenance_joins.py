"""Newcomers to a funded maintenance plan (DESIGN.md §6.1): an organisation that starts
running a covered module during the period bears its part of the days left, and the earlier
sharers are credited exactly as much, as late joiners are (§4.3). One that stops running a
module keeps its share for the period: nothing here takes a share back."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.commons.models import Installation, Module
from komunigi.community.models import Organisation, OrganisationStatus, User
from komunigi.dates import instance_today, show_date
from komunigi.errors import DomainError
from komunigi.funding import emails, ledger, maintenance_split, permissions
from komunigi.funding.models import (
    AccountKind,
    LedgerTransaction,
    MaintenanceJoin,
    MaintenancePlan,
    MaintenanceShare,
    MaintenanceStatus,
    OptOut,
    TransactionKind,
)
from komunigi.funding.services.campaigns import share_weight
from komunigi.money import to_cents


def days_left(plan: MaintenancePlan, day: datetime.date) -> int:
    """The days of ``plan``'s period from ``day`` on, ``day`` included."""
    return (plan.ends_on - day).days + 1


@dataclass(frozen=True)
class Newcomer:
    organisation: Organisation
    module: Module


def newcomers(plan: MaintenancePlan) -> list[Newcomer]:
    """Member organisations that run a module of a funded plan on its series now but do not
    share it (and did not opt it out): who a facilitator may record as joining."""
    if plan.status != MaintenanceStatus.FUNDED:
        return []
    covered = {m.module_id: m.module for m in plan.modules.select_related("module")}
    known = set(plan.shares.values_list("module_id", "organisation_id"))
    known |= set(plan.opt_outs.values_list("module_id", "organisation_id"))
    running = Installation.objects.filter(
        series=plan.series,
        module_id__in=list(covered),
        organisation__status=OrganisationStatus.MEMBER,
    ).select_related("organisation")
    found = [
        Newcomer(i.organisation, covered[i.module_id])
        for i in running
        if (i.module_id, i.organisation_id) not in known
    ]
    return sorted(found, key=lambda n: (n.organisation.name, n.module.technical_name))


def join(
    plan: MaintenancePlan,
    organisation: Organisation,
    module: Module,
    *,
    actor: User,
    joined_on: datetime.date,
    premium_rate: Decimal = Decimal(0),
    weight: Decimal | None = None,
) -> MaintenanceJoin:
    """``organisation`` runs ``module`` since ``joined_on``: it owes its share of the days left
    (plus the premium, for the fund) and each earlier sharer is credited what it now covers."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    if not 0 <= premium_rate < 1:
        raise DomainError(_("A premium from 0 to less than 100 percent."))
    with transaction.atomic():
        plan = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)
        _check_newcomer(plan, organisation, module, joined_on)
        shares = list(
            MaintenanceShare.objects.select_for_update()
            .filter(plan=plan, module=module)
            .select_related("organisation")
            .order_by("organisation_id")
        )
        if any(s.organisation_id == organisation.pk for s in shares):
            raise DomainError(
                _("%(name)s already shares %(module)s.")
                % {"name": organisation.name, "module": module.technical_name}
            )
        since = max((s.joined_on for s in shares if s.joined_on), default=plan.starts_on)
        if joined_on < since:
            raise DomainError(
                _("A newcomer to %(module)s joined on %(date)s: a later one joins from then on.")
                % {"module": module.technical_name, "date": show_date(since)}
            )
        joiner_weight = share_weight(plan.split_rule, organisation, weight)
        joined = maintenance_split.join_pro_rata(
            {str(s.organisation_id): s.stake for s in shares},
            {str(s.organisation_id): s.weight for s in shares},
            maintenance_split.Sharer(str(organisation.pk), joiner_weight),
            days_left=days_left(plan, joined_on),
            days=days_left(plan, since),
        )
        credits = dict(joined.credits)
        for share in shares:
            share.amount -= credits[str(share.organisation_id)]
            share.stake = joined.stakes[str(share.organisation_id)]
        MaintenanceShare.objects.bulk_update(shares, ["amount", "stake"])
        MaintenanceShare.objects.create(
            plan=plan,
            organisation=organisation,
            module=module,
            amount=joined.catch_up,
            stake=joined.catch_up,
            weight=joiner_weight,
            joined_on=joined_on,
        )
        credited = [(s.organisation, credits[str(s.organisation_id)]) for s in shares]
        recorded, premium = _post(
            plan, organisation, joined.catch_up, credited, premium_rate, actor
        )
        found = MaintenanceJoin.objects.create(
            plan=plan,
            organisation=organisation,
            module=module,
            joined_on=joined_on,
            catch_up=joined.catch_up,
            premium=premium,
            transaction=recorded,
            recorded_by=actor,
        )
        log_action(
            actor,
            "funding.maintenance.joined",
            plan,
            {
                "organisation": organisation.slug,
                "module": module.technical_name,
                "since": joined_on.isoformat(),
                "share": str(joined.catch_up),
                "premium": str(premium),
            },
        )
        emails.notify_maintenance_join(
            plan, organisation, module, joined.catch_up + premium, [c for c in credited if c[1]]
        )
    return found


def _check_newcomer(
    plan: MaintenancePlan, organisation: Organisation, module: Module, joined_on: datetime.date
) -> None:
    if plan.status != MaintenanceStatus.FUNDED:
        raise DomainError(_("Only a funded plan takes newcomers during its period."))
    if not plan.starts_on <= joined_on <= plan.ends_on:
        raise DomainError(
            _("A newcomer joins during the plan's period, from %(start)s to %(end)s.")
            % {"start": show_date(plan.starts_on), "end": show_date(plan.ends_on)}
        )
    if joined_on > instance_today():
        raise DomainError(_("A newcomer joins from a day that has come, not a future one."))
    if organisation.status != OrganisationStatus.MEMBER:
        raise DomainError(_("Only a member organisation shares the upkeep."))
    if not plan.modules.filter(module=module).exists():
        raise DomainError(_("The plan does not cover this module."))
    names = {"name": organisation.name, "module": module.technical_name, "series": plan.series}
    if not Installation.objects.filter(
        organisation=organisation, module=module, series=plan.series
    ).exists():
        raise DomainError(_("%(name)s does not run %(module)s on %(series)s.") % names)
    if OptOut.objects.filter(plan=plan, organisation=organisation, module=module).exists():
        raise DomainError(
            _("%(name)s opted %(module)s out of this plan: it does not share it this period.")
            % names
        )


def _post(
    plan: MaintenancePlan,
    organisation: Organisation,
    catch_up: Decimal,
    credited: list[tuple[Organisation, Decimal]],
    premium_rate: Decimal,
    actor: User,
) -> tuple[LedgerTransaction | None, Decimal]:
    """The newcomer's share against the earlier sharers' credits, and its premium to the
    fund, each through the ledger; a share rounded to nothing moves nothing."""
    today, account = instance_today(), ledger.account(AccountKind.ORGANISATION, organisation)
    recorded = None
    if catch_up:
        recorded = ledger.post(
            TransactionKind.MAINTENANCE_JOINED,
            [(account, -catch_up)]
            + [(ledger.account(AccountKind.ORGANISATION, o), credit) for o, credit in credited],
            date=today,
            actor=actor,
            description=f"{plan.title} · {organisation.name}",
            maintenance_plan=plan,
        )
    premium = to_cents(catch_up * premium_rate)
    if premium:
        ledger.post(
            TransactionKind.LATE_JOINER_PREMIUM,
            [(account, -premium), (ledger.fund(), premium)],
            date=today,
            actor=actor,
            description=f"{plan.title} · {organisation.name}",
            maintenance_plan=plan,
        )
    return recorded, premium
