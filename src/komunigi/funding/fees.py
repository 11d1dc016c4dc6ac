"""Yearly membership fees: issued to member organisations, paid, reminded. Through the ledger:
an issued fee is owed by the organisation to the community fund."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, OrganisationKind, Role
from komunigi.errors import DomainError
from komunigi.funding import emails, ledger, permissions, services
from komunigi.funding.models import (
    AccountKind,
    Fee,
    FeeTier,
    LedgerLine,
    LedgerTransaction,
    TransactionKind,
)
from komunigi.needs.models import instance_today

ZERO = Decimal("0.00")
# Organisations that pay a fee: the community's stakeholders (the OCA …) do not.
PAYING_KINDS = (OrganisationKind.SUPERMARKET, OrganisationKind.PROVIDER, OrganisationKind.PARTNER)
REMIND_AGAIN_AFTER = datetime.timedelta(days=14)


@dataclass(frozen=True)
class FeeRow:
    fee: Fee
    paid: Decimal

    @property
    def due(self) -> Decimal:
        return self.fee.amount - self.paid


def issue_fees(year: int, *, actor: Any, tiers: dict[int, FeeTier] | None = None) -> list[Fee]:
    """A fee for each paying member organisation (joined by then) that has none for ``year``:
    at the tier ``tiers`` gives it (by organisation id), else of its previous fee, else the
    default tier. Each is owed to the fund from then on."""
    if not permissions.can_record_payments(actor):
        raise PermissionDenied
    default = FeeTier.objects.filter(is_default=True).first() or FeeTier.objects.first()
    if default is None:
        raise DomainError(_("Define the fee schedule first."))
    today = instance_today()
    date = today if today.year == year else datetime.date(year, 1, 1)
    issued = []
    with transaction.atomic():
        organisations = (
            Organisation.objects.members()
            .filter(kind__in=PAYING_KINDS)
            .exclude(fees__year=year)
            .exclude(joined_on__year__gt=year)
            .order_by("name")
        )
        for organisation in organisations:
            previous = organisation.fees.select_related("tier").order_by("-year").first()
            tier = (tiers or {}).get(organisation.pk) or (previous.tier if previous else default)
            fee = Fee.objects.create(
                organisation=organisation, year=year, tier=tier, amount=tier.yearly_amount
            )
            if fee.amount:
                ledger.post(
                    TransactionKind.FEE,
                    [
                        (ledger.account(AccountKind.ORGANISATION, organisation), -fee.amount),
                        (ledger.fund(), fee.amount),
                    ],
                    date=date,
                    actor=actor,
                    description=f"{tier.name} {year}",
                    fee=fee,
                )
            issued.append(fee)
        log_action(actor, "funding.fees.issued", default, {"year": year, "count": len(issued)})
    return issued


def fees_of(year: int) -> list[FeeRow]:
    """The year's fees with what was paid of each (reversals deducted), in two queries."""
    fees = list(Fee.objects.filter(year=year).select_related("organisation", "tier"))
    paid: dict[int, Decimal] = {}
    for fee_id, amount in (
        LedgerLine.objects.filter(
            transaction__fee__in=fees,
            account__kind=AccountKind.ORGANISATION,
        )
        .exclude(transaction__kind=TransactionKind.FEE)
        .values_list("transaction__fee_id", "amount")
    ):
        paid[fee_id] = paid.get(fee_id, ZERO) + amount
    return [FeeRow(fee, paid.get(fee.pk, ZERO)) for fee in fees]


def record_fee_payment(
    fee: Fee, amount: Decimal, *, actor: Any, date: datetime.date, reference: str = ""
) -> LedgerTransaction:
    services.check_payment(actor, amount)
    with transaction.atomic():
        account = ledger.account(AccountKind.ORGANISATION, fee.organisation)
        recorded = ledger.post(
            TransactionKind.PAYMENT_RECEIVED,
            [(account, amount), (ledger.outside(), -amount)],
            date=date,
            actor=actor,
            description=str(fee),
            reference=reference,
            fee=fee,
        )
        log_action(
            actor, "funding.fee.paid", fee.organisation, {"fee": fee.pk, "amount": str(amount)}
        )
    return recorded


def send_fee_reminders(year: int, *, now: datetime.datetime | None = None) -> int:
    """E-mail the representative and substitute of each organisation whose fee for ``year``
    is not fully paid, at most once a fortnight. Returns how many fees were reminded."""
    now = now or timezone.now()
    reminded = 0
    for row in fees_of(year):
        fee = row.fee
        if row.due <= 0 or (fee.reminded_at and now - fee.reminded_at < REMIND_AGAIN_AFTER):
            continue
        with transaction.atomic():
            # Claimed with a conditional update, so two runs never remind twice.
            claimed = Fee.objects.filter(pk=fee.pk, reminded_at=fee.reminded_at).update(
                reminded_at=now
            )
            if not claimed:
                continue
            people = fee.organisation.memberships.filter(
                role__in=[Role.REPRESENTATIVE, Role.SUBSTITUTE], user__is_active=True
            ).select_related("user")
            for membership in people:
                emails.send_fee_reminder(fee, row.due, membership.user)
        reminded += 1
    return reminded
