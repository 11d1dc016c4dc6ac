"""Sponsorship of new partners (DESIGN.md §4.3): for a period, the community fund pays part of
an organisation's shares, at a campaign's close and on a late joiner's catch-up share alike."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, OrganisationKind, User
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import ledger, permissions
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    LedgerLine,
    Sponsorship,
    TransactionKind,
)
from komunigi.money import CENT, to_cents


def grant_sponsorship(
    organisation: Organisation,
    *,
    actor: User,
    percentage: Decimal,
    starts_on: datetime.date,
    ends_on: datetime.date,
    note: str = "",
) -> Sponsorship:
    """From ``starts_on`` to ``ends_on``, the fund pays ``percentage`` of the organisation's
    shares. Periods of one organisation do not overlap, so a share is sponsored once."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    if organisation.kind != OrganisationKind.SUPERMARKET:
        raise DomainError(_("Only a supermarket pays shares, so only a supermarket is sponsored."))
    if not is_valid_percentage(percentage):
        raise DomainError(_("A percentage above 0 and at most 100, with at most 2 decimals."))
    if ends_on < starts_on:
        raise DomainError(_("The sponsorship ends before it starts."))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        overlapping = Sponsorship.objects.filter(
            organisation=organisation, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).first()
        if overlapping is not None:
            raise DomainError(
                _("%(name)s is already sponsored from %(start)s to %(end)s.")
                % {
                    "name": organisation.name,
                    "start": overlapping.starts_on.isoformat(),
                    "end": overlapping.ends_on.isoformat(),
                }
            )
        sponsorship = Sponsorship.objects.create(
            organisation=organisation,
            percentage=percentage,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip(),
            granted_by=actor,
        )
        log_action(
            actor,
            "funding.sponsorship.granted",
            organisation,
            {
                "sponsorship": sponsorship.pk,
                "percentage": str(percentage),
                "from": starts_on.isoformat(),
                "until": ends_on.isoformat(),
            },
        )
    return sponsorship


def is_valid_percentage(percentage: Decimal) -> bool:
    """A sponsorship pays above 0 and at most 100 percent of a share, to the hundredth."""
    return Decimal(0) < percentage <= 100 and percentage == percentage.quantize(CENT)


def end_sponsorship(sponsorship: Sponsorship, *, actor: User) -> Sponsorship:
    """Stop a sponsorship today: shares from tomorrow on are the organisation's own. What it
    paid already stays paid."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    today = instance_today()
    with transaction.atomic():
        sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
        if sponsorship.ends_on <= today:
            raise DomainError(_("This sponsorship is over already."))
        sponsorship.ends_on = max(today, sponsorship.starts_on)
        sponsorship.save(update_fields=["ends_on"])
        log_action(
            actor,
            "funding.sponsorship.ended",
            sponsorship.organisation,
            {"sponsorship": sponsorship.pk, "until": sponsorship.ends_on.isoformat()},
        )
    return sponsorship


def apply_sponsorships(
    campaign: Campaign,
    shares: list[tuple[Organisation, Decimal]],
    *,
    actor: User | None,
    today: datetime.date,
) -> None:
    """The fund pays its percentage of the share of each organisation sponsored that day."""
    active = {
        s.organisation_id: s
        for s in Sponsorship.objects.filter(
            organisation__in=[o for o, _ in shares], starts_on__lte=today, ends_on__gte=today
        )
    }
    for organisation, amount in shares:
        sponsorship = active.get(organisation.pk)
        if sponsorship is None:
            continue
        paid = to_cents(amount * sponsorship.percentage / 100)
        if paid:
            ledger.post(
                TransactionKind.SPONSORSHIP,
                [
                    (ledger.account(AccountKind.ORGANISATION, organisation), paid),
                    (ledger.fund(), -paid),
                ],
                date=today,
                actor=actor,
                description=organisation.name,
                campaign=campaign,
                sponsorship=sponsorship,
            )


def sponsorship_costs(sponsorships: list[Sponsorship]) -> dict[int, Decimal]:
    """What each sponsorship has cost the fund so far, by sponsorship id (one query)."""
    lines = LedgerLine.objects.filter(
        transaction__sponsorship__in=sponsorships, account__kind=AccountKind.FUND
    )
    paid_by_fund = ledger.totals_by(lines, "transaction__sponsorship_id")
    return {s.pk: Decimal("0.00") - paid_by_fund.get(s.pk, Decimal("0.00")) for s in sponsorships}
