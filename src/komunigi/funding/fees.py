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
from komunigi.community.models import Organisation, OrganisationKind, User
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import emails, ledger, permissions
from komunigi.funding.models import (
    AccountKind,
    Fee,
    FeeTier,
    FeeTierAssignment,
    LedgerLine,
    LedgerTransaction,
    TransactionKind,
)
from komunigi.funding.services import check_payment

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


def issue_fees(year: int, *, actor: User, tiers: dict[int, FeeTier] | None = None) -> list[Fee]:
    """A fee for each paying member organisation (joined by then) that has none for ``year``,
    at the tier `tier_for` gives it (``tiers``, by organisation id, first). Each is owed to the
    fund from then on."""
    if not permissions.can_record_payments(actor):
        raise PermissionDenied
    schedule = list(FeeTier.objects.all())
    if not schedule:
        raise DomainError(_("Define the fee schedule first."))
    issued = []
    with transaction.atomic():
        organisations = (
            Organisation.objects.members()
            .filter(kind__in=PAYING_KINDS)
            .exclude(pk__in=Fee.objects.filter(year=year, cancelled_at=None).values("organisation"))
            .exclude(joined_on__year__gt=year)
            .select_related("fee_tier_assignment__tier")
            .order_by("name")
        )
        for organisation in organisations:
            tier = (tiers or {}).get(organisation.pk) or tier_for(organisation, schedule)
            issued.append(_issue(organisation, year, tier, actor=actor))
        log_action(actor, "funding.fees.issued", schedule[0], {"year": year, "count": len(issued)})
    return issued


def tier_for(organisation: Organisation, schedule: list[FeeTier]) -> FeeTier:
    """The tier a facilitator chose for it; else the one its member households fall in, when
    the schedule sets thresholds; else its previous fee's; else the default tier."""
    # Read with the organisation (`issue_fees` selects it); absent, the attribute raises.
    assignment = getattr(organisation, "fee_tier_assignment", None)
    if assignment is not None:
        return assignment.tier
    by_size = households_tier(organisation.member_households, schedule)
    if by_size is not None:
        return by_size
    previous = (
        organisation.fees.filter(cancelled_at=None).select_related("tier").order_by("-year").first()
    )
    if previous is not None:
        return previous.tier
    return next((t for t in schedule if t.is_default), schedule[0])


def households_tier(households: int | None, schedule: list[FeeTier]) -> FeeTier | None:
    """The tier with the highest threshold that ``households`` reaches, if any is set."""
    if households is None:
        return None
    reached = [
        t for t in schedule if t.from_households is not None and households >= t.from_households
    ]
    return max(reached, key=lambda t: t.from_households or 0, default=None)


def _issue(organisation: Organisation, year: int, tier: FeeTier, *, actor: User) -> Fee:
    today = instance_today()
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
            date=today if today.year == year else datetime.date(year, 1, 1),
            actor=actor,
            description=f"{tier.name} {year}",
            fee=fee,
        )
        emails.notify_fee_issued(fee)
    return fee


def set_fee_tier(organisation: Organisation, tier: FeeTier, *, actor: User) -> Fee | None:
    """Choose the organisation's tier for its coming fees. When this year's fee is at another
    tier it is re-issued, never edited: the old fee is cancelled by a reversal and a new one
    issued at the new tier; what was paid of the old one counts for the new. Returns the new
    fee, if any."""
    if not permissions.can_record_payments(actor):
        raise PermissionDenied
    year = instance_today().year
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        FeeTierAssignment.objects.update_or_create(
            organisation=organisation, defaults={"tier": tier, "set_by": actor}
        )
        current = Fee.objects.filter(
            organisation=organisation, year=year, cancelled_at=None
        ).first()
        reissued = None
        if current is not None and current.tier_id != tier.pk:
            _cancel(current, actor=actor, reason=_("Re-issued at another tier"))
            reissued = _issue(organisation, year, tier, actor=actor)
        log_action(
            actor,
            "funding.fee.tier_set",
            organisation,
            {"tier": tier.pk, "reissued": reissued.pk if reissued else None},
        )
    return reissued


def _cancel(fee: Fee, *, actor: User, reason: str) -> None:
    fee.cancelled_at = timezone.now()
    fee.save(update_fields=["cancelled_at"])
    issued = fee.transactions.filter(kind=TransactionKind.FEE).first()
    if issued is not None:
        ledger.reverse(issued, date=instance_today(), actor=actor, description=reason)


def fees_of(year: int) -> list[FeeRow]:
    """The year's fees with what was paid of each, in two queries."""
    return rows_for(
        list(
            Fee.objects.filter(year=year, cancelled_at=None).select_related("organisation", "tier")
        )
    )


def rows_for(fees: list[Fee]) -> list[FeeRow]:
    """These fees with what was paid of each, in one query. A payment counts for the
    organisation's fee of its year, also one made before the fee was re-issued; reversed
    payments are deducted; the reversal of a cancelled fee is no payment."""
    payments = _payments(
        transaction__fee__year__in={f.year for f in fees},
        transaction__fee__organisation__in=[f.organisation_id for f in fees],
    )
    paid = ledger.totals_by(payments, "account__organisation_id", "transaction__fee__year")
    return [FeeRow(fee, paid.get((fee.organisation_id, fee.year), ZERO)) for fee in fees]


def due_in(year: int) -> Decimal:
    """What is still owed of the year's fees, all organisations together (two queries)."""
    issued = Fee.objects.filter(year=year, cancelled_at=None).aggregate(cents=ledger.cents())
    return ledger.from_cents(issued["cents"]) - ledger.total(_payments(transaction__fee__year=year))


def _payments(**where: object) -> Any:
    return (
        LedgerLine.objects.filter(account__kind=AccountKind.ORGANISATION, **where)
        .exclude(transaction__kind=TransactionKind.FEE)
        .exclude(transaction__reverses__kind=TransactionKind.FEE)
    )


def record_fee_payment(
    fee: Fee, amount: Decimal, *, actor: User, date: datetime.date, reference: str = ""
) -> LedgerTransaction:
    check_payment(actor, amount)
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
        emails.notify_payment_recorded(fee.organisation, amount, str(fee))
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
            for person in User.objects.speaking_for([fee.organisation]).order_by("pk"):
                emails.send_fee_reminder(fee, row.due, person)
        reminded += 1
    return reminded
