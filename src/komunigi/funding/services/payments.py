"""Money that moved outside the platform, recorded by facilitators: payments of shares and to
providers, refunds of credits, the fund's own income and expenses, and their corrections."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, OrganisationKind, User
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import emails, ledger, permissions
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    ExpenseCategory,
    LedgerLine,
    LedgerTransaction,
    TransactionKind,
)
from komunigi.funding.services.checks import check_payment
from komunigi.money import format_money

# Entries a facilitator typed, and may so correct by reversing them.
CORRECTABLE = frozenset(
    {
        TransactionKind.PAYMENT_RECEIVED,
        TransactionKind.PAYMENT_MADE,
        TransactionKind.REFUND,
        TransactionKind.SUBSIDY,
        TransactionKind.EXPENSE,
    }
)


def record_fund_entry(
    kind: str,
    amount: Decimal,
    *,
    actor: User,
    date: datetime.date,
    description: str,
    category: str = "",
    reference: str = "",
) -> LedgerTransaction:
    """Money in or out of the community fund outside campaigns: a subsidy, or an expense
    (estimation hours, coordination, events)."""
    check_payment(actor, amount)
    if kind == TransactionKind.SUBSIDY:
        lines = [(ledger.fund(), amount), (ledger.outside(), -amount)]
        category = ""
    elif kind == TransactionKind.EXPENSE:
        lines = [(ledger.fund(), -amount), (ledger.outside(), amount)]
        category = category or ExpenseCategory.OTHER
    else:
        raise DomainError(_("Choose income or expense."))
    with transaction.atomic():
        recorded = ledger.post(
            kind,
            lines,
            date=date,
            actor=actor,
            description=description,
            category=category,
            reference=reference,
        )
        log_action(actor, f"funding.fund.{kind}", recorded, {"amount": str(amount)})
    return recorded


def record_payment(
    campaign: Campaign,
    organisation: Organisation,
    amount: Decimal,
    *,
    actor: User,
    date: datetime.date,
    reference: str = "",
) -> LedgerTransaction:
    """A bank transfer: from a supermarket for its share, or to the provider for its work."""
    check_payment(actor, amount)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.FUNDED:
            raise DomainError(_("Payments are recorded on funded campaigns only."))
        if organisation.pk == campaign.quote.provider_id:
            kind, holder = TransactionKind.PAYMENT_MADE, AccountKind.PROVIDER
            lines = [(ledger.account(holder, organisation), -amount), (ledger.outside(), amount)]
        elif organisation.kind == OrganisationKind.SUPERMARKET:
            kind, holder = TransactionKind.PAYMENT_RECEIVED, AccountKind.ORGANISATION
            lines = [(ledger.account(holder, organisation), amount), (ledger.outside(), -amount)]
        else:
            raise DomainError(_("Payments come from supermarkets or go to the provider."))
        recorded = ledger.post(
            kind,
            lines,
            date=date,
            actor=actor,
            reference=reference,
            description=organisation.name,
            campaign=campaign,
        )
        log_action(
            actor,
            f"funding.{kind}",
            campaign,
            {"org": organisation.pk, "amount": str(amount), "ref": reference},
        )
        if holder == AccountKind.ORGANISATION:
            emails.notify_payment_recorded(organisation, amount, campaign.need.title)
    return recorded


def refund_credit(
    organisation: Organisation,
    amount: Decimal,
    *,
    actor: User,
    date: datetime.date,
    reference: str = "",
) -> LedgerTransaction:
    """Pay back (part of) what an organisation is owed, such as a late joiner's credits,
    rather than setting it against its next shares."""
    check_payment(actor, amount)
    with transaction.atomic():
        account = ledger.account(AccountKind.ORGANISATION, organisation)
        # Locked, so two refunds typed at once cannot both take the same credit.
        list(LedgerLine.objects.select_for_update().filter(account=account))
        credit = ledger.balance(account)
        if amount > credit:
            raise DomainError(
                _("%(name)s is owed %(credit)s: no more can be refunded.")
                % {
                    "name": organisation.name,
                    "credit": format_money(
                        credit, settings.KOMUNIGI_CURRENCY, get_language() or settings.LANGUAGE_CODE
                    ),
                }
            )
        recorded = ledger.post(
            TransactionKind.REFUND,
            [(account, -amount), (ledger.outside(), amount)],
            date=date,
            actor=actor,
            reference=reference,
            description=organisation.name,
        )
        log_action(actor, "funding.refund", organisation, {"amount": str(amount)})
    return recorded


def reverse_transaction(
    original: LedgerTransaction, *, actor: User, reason: str
) -> LedgerTransaction:
    """Correct a mistaken entry with its mirror image: nothing is edited or deleted."""
    if not permissions.can_record_payments(actor):
        raise PermissionDenied
    if not reason.strip():
        raise DomainError(_("Say why the entry is reversed."))
    with transaction.atomic():
        original = LedgerTransaction.objects.select_for_update().get(pk=original.pk)
        if LedgerTransaction.objects.filter(reverses=original).exists():
            raise DomainError(_("This entry is already reversed."))
        if original.kind not in CORRECTABLE:
            raise DomainError(_("Only an entry typed by hand is corrected this way."))
        reversal = ledger.reverse(
            original, date=instance_today(), actor=actor, description=reason.strip()
        )
        log_action(actor, "funding.transaction.reversed", reversal, {"reverses": original.pk})
    return reversal
