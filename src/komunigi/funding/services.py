"""Campaigns from opening to close, and the payments that follow: each in one transaction."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, OrganisationKind, Role, User
from komunigi.errors import DomainError
from komunigi.funding import emails, ledger, permissions, split, statements
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    ExpenseCategory,
    LateJoiner,
    LedgerLine,
    LedgerTransaction,
    Pledge,
    SplitRule,
    Sponsorship,
    TransactionKind,
)
from komunigi.money import format_money, to_cents
from komunigi.needs import lifecycle
from komunigi.needs import services as needs_services
from komunigi.needs.models import Need, Quote, QuoteStatus, instance_today

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


def open_campaign(
    need: Need,
    quote: Quote,
    *,
    actor: Any,
    deadline: datetime.datetime,
    split_rule: str = SplitRule.EQUAL,
    minimum_supermarkets: int = 2,
    overhead_rate: Decimal | None = None,
) -> Campaign:
    """Open the co-financing of an approved need on one of its valid quotes, which becomes the
    accepted one. The need moves to "being funded"."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.status != lifecycle.APPROVED:
            raise DomainError(_("Only an approved need can be co-financed."))
        if not need.quotes.valid().filter(pk=quote.pk).exists():
            raise DomainError(_("Choose a valid quote of this need."))
        if deadline <= timezone.now():
            raise DomainError(_("The deadline is already past."))
        Quote.objects.filter(pk=quote.pk).update(
            status=QuoteStatus.ACCEPTED, status_changed_at=timezone.now()
        )
        campaign = Campaign.objects.create(
            need=need,
            quote=quote,
            split_rule=split_rule,
            overhead_rate=settings.KOMUNIGI_OVERHEAD_RATE
            if overhead_rate is None
            else overhead_rate,
            cost=quote.amount,
            provider_contribution=quote.provider_contribution,
            deadline=deadline,
            minimum_supermarkets=minimum_supermarkets,
            opened_by=actor,
        )
        needs_services.change_status(need, lifecycle.FUNDING, actor=actor)
        log_action(actor, "funding.campaign.opened", campaign, {"quote": quote.pk})
        supermarkets = Organisation.objects.members().filter(kind=OrganisationKind.SUPERMARKET)
        for person in _voices(supermarkets):
            emails.send_campaign_opened(campaign, person)
        transaction.on_commit(lambda: _schedule_close(campaign))
    return campaign


def _schedule_close(campaign: Campaign) -> None:
    """With a worker that can wait, the campaign closes itself at its deadline; otherwise
    `komunigi close_due_campaigns` (cron) does it."""
    from komunigi.funding.tasks import close_campaign_at_deadline

    if close_campaign_at_deadline.get_backend().supports_defer:
        close_campaign_at_deadline.using(run_after=campaign.deadline).enqueue(campaign.pk)


def close_due_campaigns(now: datetime.datetime | None = None) -> int:
    """Close every collecting campaign whose deadline has passed; returns how many."""
    now = now or timezone.now()
    closed = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.COLLECTING, deadline__lt=now):
        try:
            close_campaign(campaign, actor=None)
        except DomainError:
            continue  # closed meanwhile by a facilitator
        closed += 1
    return closed


def pledge(
    campaign: Campaign,
    supermarket: Organisation,
    *,
    actor: Any,
    cap: Decimal | None = None,
    needs_board_approval: bool = False,
    weight: Decimal | None = None,
) -> Pledge:
    """A supermarket's pledge, made or replaced while the campaign collects."""
    if not permissions.can_pledge(actor, supermarket):
        raise PermissionDenied
    if cap is not None:
        split.check_amount(cap, "cap")
    with transaction.atomic():
        campaign = _collecting(campaign)
        found, created = Pledge.objects.update_or_create(
            campaign=campaign,
            organisation=supermarket,
            defaults={
                "cap": cap,
                "needs_board_approval": needs_board_approval,
                "confirmed_at": None,
                "weight": weight if campaign.split_rule == SplitRule.CUSTOM else None,
                "pledged_by": actor,
            },
        )
        verb = "pledged" if created else "pledge_changed"
        log_action(actor, f"funding.campaign.{verb}", campaign, _pledge_data(found))
    return found


def confirm_pledge(campaign: Campaign, supermarket: Organisation, *, actor: Any) -> Pledge:
    """The board approved: the conditional pledge becomes firm."""
    if not permissions.can_pledge(actor, supermarket):
        raise PermissionDenied
    with transaction.atomic():
        campaign = _collecting(campaign)
        found = Pledge.objects.filter(campaign=campaign, organisation=supermarket).first()
        if found is None:
            raise DomainError(_("%(name)s has not pledged.") % {"name": supermarket.name})
        found.confirmed_at = timezone.now()
        found.save(update_fields=["confirmed_at"])
        log_action(actor, "funding.campaign.pledge_confirmed", campaign, _pledge_data(found))
    return found


def withdraw_pledge(campaign: Campaign, supermarket: Organisation, *, actor: Any) -> None:
    if not permissions.can_pledge(actor, supermarket):
        raise PermissionDenied
    with transaction.atomic():
        campaign = _collecting(campaign)
        deleted, _rows = Pledge.objects.filter(campaign=campaign, organisation=supermarket).delete()
        if deleted:
            log_action(
                actor, "funding.campaign.pledge_withdrawn", campaign, {"org": supermarket.pk}
            )


def _collecting(campaign: Campaign) -> Campaign:
    """The campaign, locked so that pledges and the close come one after the other."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_collecting:
        raise DomainError(_("This campaign is closed."), code="closed")
    if campaign.deadline <= timezone.now():
        raise DomainError(_("The deadline has passed: pledges are closed."), code="closed")
    return campaign


def _pledge_data(found: Pledge) -> dict[str, Any]:
    return {
        "org": found.organisation_id,
        "cap": None if found.cap is None else str(found.cap),
        "board": found.needs_board_approval,
    }


def current_split(campaign: Campaign, pledges: list[Pledge] | None = None) -> split.Split | None:
    """The split of the campaign's cost among ``pledges`` (all of them by default)."""
    pledges = list(campaign.pledges.select_related("organisation")) if pledges is None else pledges
    if not pledges:
        return None
    return split.split(
        campaign.cost,
        [split.Participant(str(p.organisation_id), _weight(campaign, p), p.cap) for p in pledges],
        provider_contribution=campaign.provider_contribution,
        community_contribution=campaign.community_contribution,
        overhead_rate=campaign.overhead_rate,
    )


def _weight(campaign: Campaign, found: Pledge) -> Decimal:
    if campaign.split_rule == SplitRule.CUSTOM and found.weight:
        return found.weight
    return _rule_weight(campaign, found.organisation)


def close_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    """Funded when enough supermarkets pledged firmly and their caps cover the cost: the split
    is frozen into the ledger (each supermarket owes its share, the provider is owed the quote
    less its own contribution, the overhead goes to the fund). Failed otherwise: no money
    moves. Unconfirmed "subject to approval" pledges do not count. The need follows."""
    if actor is not None and not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.is_collecting:
            raise DomainError(_("This campaign is closed."), code="closed")
        pledges = list(campaign.pledges.select_related("organisation"))
        firm = [p for p in pledges if p.is_firm]
        result = current_split(campaign, firm)
        if result is None or not result.fundable or len(firm) < campaign.minimum_supermarkets:
            result = None
        funded = result is not None
        campaign.status = CampaignStatus.FUNDED if funded else CampaignStatus.FAILED
        campaign.closed_at = timezone.now()
        fields = ["status", "closed_at"]
        if result is not None:
            campaign.to_raise, campaign.overhead = result.to_raise, result.overhead
            fields += ["to_raise", "overhead"]
            post_funded(campaign, firm, result, actor=actor, date=instance_today())
        campaign.save(update_fields=fields)
        need_status = lifecycle.FUNDED if funded else lifecycle.FAILED
        needs_services.change_status(campaign.need, need_status, actor=actor)
        log_action(actor, f"funding.campaign.{campaign.status}", campaign)
        _tell_pledgers(campaign, firm if funded else pledges, result)
    return campaign


def _voices(supermarkets: Any) -> Any:
    """The people who speak and commit money for these supermarkets."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation__in=supermarkets,
        memberships__role__in=[Role.REPRESENTATIVE, Role.SUBSTITUTE],
    ).distinct()


def _tell_pledgers(campaign: Campaign, pledges: list[Pledge], result: split.Split | None) -> None:
    """Each pledging supermarket learns the outcome: its share when funded (unconfirmed
    pledges took no part), or that it owes nothing."""
    shares = dict(result.shares) if result else {}
    for found in pledges:
        share = shares.get(str(found.organisation_id)) if result else None
        for person in _voices([found.organisation]):
            emails.send_campaign_closed(campaign, person, found.organisation, share)


def post_funded(
    campaign: Campaign,
    firm: list[Pledge],
    result: split.Split,
    *,
    actor: Any,
    date: datetime.date,
) -> LedgerTransaction:
    """The frozen split in the ledger: each supermarket owes its share, the provider is owed
    the quote less its own contribution, the overhead goes to the fund; then sponsorships."""
    pot = ledger.account(AccountKind.CAMPAIGN, campaign)
    owed_to_provider = campaign.cost - campaign.provider_contribution
    by_id = {str(p.organisation_id): p.organisation for p in firm}
    lines = [
        (ledger.account(AccountKind.ORGANISATION, by_id[key]), -amount)
        for key, amount in result.shares
    ]
    lines += [
        (pot, result.to_raise + campaign.community_contribution),
        (ledger.fund(), -campaign.community_contribution),
        (pot, -owed_to_provider),
        (ledger.account(AccountKind.PROVIDER, campaign.quote.provider), owed_to_provider),
        (pot, -result.overhead),
        (ledger.fund(), result.overhead),
    ]
    funded = ledger.post(
        TransactionKind.CAMPAIGN_FUNDED,
        lines,
        date=date,
        actor=actor,
        description=campaign.need.title,
        campaign=campaign,
    )
    shares = [(by_id[key], amount) for key, amount in result.shares]
    _post_sponsorships(campaign, shares, actor=actor, today=date)
    return funded


def _post_sponsorships(
    campaign: Campaign,
    shares: list[tuple[Organisation, Decimal]],
    *,
    actor: Any,
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
            )


def record_fund_entry(
    kind: str,
    amount: Decimal,
    *,
    actor: Any,
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


def check_payment(actor: Any, amount: Decimal) -> None:
    """Only facilitators record money that moved, and it is a positive number of cents."""
    if not permissions.can_record_payments(actor):
        raise PermissionDenied
    split.check_amount(amount, "amount")
    if amount == 0:
        raise DomainError(_("A payment moves some money."))


def record_payment(
    campaign: Campaign,
    organisation: Organisation,
    amount: Decimal,
    *,
    actor: Any,
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
    return recorded


def refund_credit(
    organisation: Organisation,
    amount: Decimal,
    *,
    actor: Any,
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
                    "credit": format_money(credit, settings.KOMUNIGI_CURRENCY, get_language()),
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
    original: LedgerTransaction, *, actor: Any, reason: str
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


def borne_shares(campaign: Campaign) -> dict[int, Decimal]:
    """What each participant of a funded campaign bears now, by organisation id."""
    borne = statements.borne_by_campaign([campaign]).get(campaign.pk, {})
    return {organisation.pk: amount for organisation, amount in borne.items()}


def add_late_joiner(
    campaign: Campaign,
    supermarket: Organisation,
    *,
    actor: Any,
    premium_rate: Decimal = Decimal(0),
    weight: Decimal | None = None,
) -> LateJoiner:
    """A supermarket adopts a funded development (DESIGN.md §4.3): the split is recomputed
    with it included; it owes its new share (plus the premium, for the fund) and every earlier
    payer is credited what it overpaid under the new split. Earlier payers are capped at what
    they bear, so rounding can never raise anyone's share: credits sum exactly to the
    catch-up share."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    if not 0 <= premium_rate < 1:
        raise DomainError(_("A premium from 0 to less than 100 percent."))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.FUNDED:
            raise DomainError(_("Only a funded development can be adopted later."))
        if supermarket.kind != OrganisationKind.SUPERMARKET:
            raise DomainError(_("Only a supermarket shares the cost."))
        borne = borne_shares(campaign)
        if supermarket.pk in borne:
            raise DomainError(
                _("%(name)s already shares this development.") % {"name": supermarket.name}
            )
        weights = _participant_weights(campaign)
        weights[supermarket.pk] = weight or _rule_weight(campaign, supermarket)
        result = split.split(
            campaign.cost,
            [
                split.Participant(str(pk), weights[pk], borne.get(pk))
                for pk in [*borne, supermarket.pk]
            ],
            provider_contribution=campaign.provider_contribution,
            community_contribution=campaign.community_contribution,
            overhead_rate=campaign.overhead_rate,
        )
        new = {int(key): amount for key, amount in result.shares}
        catch_up = new[supermarket.pk]
        organisations = Organisation.objects.in_bulk([*borne, supermarket.pk])
        lines = [(ledger.account(AccountKind.ORGANISATION, supermarket), -catch_up)]
        lines += [
            (ledger.account(AccountKind.ORGANISATION, organisations[pk]), borne[pk] - new[pk])
            for pk in borne
        ]
        recorded = (
            ledger.post(
                TransactionKind.LATE_JOINER,
                lines,
                date=instance_today(),
                actor=actor,
                description=supermarket.name,
                campaign=campaign,
            )
            if catch_up
            else None
        )
        premium = to_cents(catch_up * premium_rate)
        if premium:
            ledger.post(
                TransactionKind.LATE_JOINER_PREMIUM,
                [
                    (ledger.account(AccountKind.ORGANISATION, supermarket), -premium),
                    (ledger.fund(), premium),
                ],
                date=instance_today(),
                actor=actor,
                description=supermarket.name,
                campaign=campaign,
            )
        joiner = LateJoiner.objects.create(
            campaign=campaign,
            organisation=supermarket,
            weight=weights[supermarket.pk],
            premium_rate=premium_rate,
            transaction=recorded,
        )
        log_action(
            actor,
            "funding.campaign.late_joiner",
            campaign,
            {"org": supermarket.pk, "share": str(catch_up), "premium": str(premium)},
        )
    return joiner


def _participant_weights(campaign: Campaign) -> dict[int, Decimal]:
    weights = {
        p.organisation_id: _weight(campaign, p)
        for p in campaign.pledges.select_related("organisation")
    }
    weights.update({j.organisation_id: j.weight for j in campaign.late_joiners.all()})
    return weights


def _rule_weight(campaign: Campaign, supermarket: Organisation) -> Decimal:
    if campaign.split_rule == SplitRule.HOUSEHOLDS:
        return Decimal(supermarket.member_households or 1)
    return Decimal(1)
