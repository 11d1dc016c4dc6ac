"""A campaign from opening to close: pledges, the split they give, and what closing does.

The page's preview and the close call the same `preview`, with the same pledges, so what a
campaign shows is what closing it does."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, User
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import emails, ledger, permissions, split
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    LedgerTransaction,
    Pledge,
    SplitRule,
    TransactionKind,
)
from komunigi.funding.services.checks import check_amount, voices
from komunigi.funding.services.sponsorships import apply_sponsorships
from komunigi.needs import lifecycle
from komunigi.needs import services as needs_services
from komunigi.needs.models import Need, Quote

# Representatives hear of a campaign's deadline this long before it.
REMIND_BEFORE = datetime.timedelta(days=3)


def open_campaign(
    need: Need,
    quote: Quote,
    *,
    actor: User,
    deadline: datetime.datetime,
    split_rule: str = SplitRule.EQUAL,
    minimum_supermarkets: int = 2,
    overhead_rate: Decimal | None = None,
    community_contribution: Decimal = split.ZERO,
) -> Campaign:
    """Open the co-financing of an approved need on one of its valid quotes, which becomes the
    accepted one. The need moves to "being funded"; the community fund may pay part of the
    cost (DESIGN.md §4.1's ``S``), taken from it only if the campaign is funded.

    Side effects: the people who speak for the member supermarkets interested in the need are
    e-mailed; with a worker that can wait, the close and the deadline reminder are scheduled."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    check_amount(community_contribution, "community_contribution")
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.status != lifecycle.APPROVED:
            raise DomainError(_("Only an approved need can be co-financed."))
        if not need.quotes.valid().filter(pk=quote.pk).exists():
            raise DomainError(_("Choose a valid quote of this need."))
        if deadline <= timezone.now():
            raise DomainError(_("The deadline is already past."))
        if quote.provider_contribution + community_contribution > quote.amount:
            raise DomainError(
                _("The provider's and the community fund's contributions exceed the cost.")
            )
        needs_services.accept_quote(quote, actor=actor)
        campaign = Campaign.objects.create(
            need=need,
            quote=quote,
            split_rule=split_rule,
            overhead_rate=settings.KOMUNIGI_OVERHEAD_RATE
            if overhead_rate is None
            else overhead_rate,
            cost=quote.amount,
            provider_contribution=quote.provider_contribution,
            community_contribution=community_contribution,
            deadline=deadline,
            minimum_supermarkets=minimum_supermarkets,
            opened_by=actor,
        )
        needs_services.move_by_process(need, lifecycle.FUNDING, actor=actor)
        log_action(
            actor,
            "funding.campaign.opened",
            campaign,
            {"quote": quote.pk, "community_contribution": str(community_contribution)},
        )
        # "A campaign opens on a need my supermarket is interested in": the need's followers
        # hear of it too, as of its status change to "being funded".
        interested = Organisation.objects.member_supermarkets().filter(interests__need=need)
        for person in voices(interested):
            emails.send_campaign_opened(campaign, person)
        transaction.on_commit(lambda: _schedule(campaign))
    return campaign


def _schedule(campaign: Campaign) -> None:
    """With a worker that can wait, the campaign reminds and closes itself on time; otherwise
    `komunigi send_campaign_reminders` and `komunigi close_due_campaigns` (cron) do it."""
    from komunigi.funding.tasks import close_campaign_at_deadline, remind_before_deadline

    if close_campaign_at_deadline.get_backend().supports_defer:
        close_campaign_at_deadline.using(run_after=campaign.deadline).enqueue(campaign.pk)
        remind_at = campaign.deadline - REMIND_BEFORE
        if remind_at > timezone.now():
            remind_before_deadline.using(run_after=remind_at).enqueue(campaign.pk)


# Pledges ------------------------------------------------------------------------------------


def pledge(
    campaign: Campaign,
    supermarket: Organisation,
    *,
    actor: User,
    cap: Decimal | None = None,
    needs_board_approval: bool = False,
    weight: Decimal | None = None,
) -> Pledge:
    """A supermarket's pledge, made or replaced while the campaign collects."""
    if not permissions.can_pledge(actor, supermarket):
        raise PermissionDenied
    if cap is not None:
        check_amount(cap, "cap")
    with transaction.atomic():
        campaign = _collecting(campaign)
        if campaign.split_rule == SplitRule.CUSTOM and weight is not None and not weight > 0:
            raise DomainError(_("A weight must be more than 0."))
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
        _pledges_changed(campaign)
    return found


def confirm_pledge(campaign: Campaign, supermarket: Organisation, *, actor: User) -> Pledge:
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
        _pledges_changed(campaign)
    return found


def withdraw_pledge(campaign: Campaign, supermarket: Organisation, *, actor: User) -> None:
    if not permissions.can_pledge(actor, supermarket):
        raise PermissionDenied
    with transaction.atomic():
        campaign = _collecting(campaign)
        deleted, _rows = Pledge.objects.filter(campaign=campaign, organisation=supermarket).delete()
        if deleted:
            log_action(
                actor, "funding.campaign.pledge_withdrawn", campaign, {"org": supermarket.pk}
            )
            _pledges_changed(campaign)


def _pledges_changed(campaign: Campaign) -> None:
    """A new version of the pledges: the split cached for the previous one is no longer read."""
    Campaign.objects.filter(pk=campaign.pk).update(pledges_version=F("pledges_version") + 1)


def _locked_open(campaign: Campaign) -> Campaign:
    """The campaign, locked so that pledges, the close and a cancellation come one after the
    other; refused once it is closed."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_collecting:
        raise DomainError(_("This campaign is closed."), code="closed")
    return campaign


def _collecting(campaign: Campaign) -> Campaign:
    """The campaign, locked and still taking pledges (its deadline not passed)."""
    campaign = _locked_open(campaign)
    if campaign.deadline <= timezone.now():
        raise DomainError(_("The deadline has passed: pledges are closed."), code="closed")
    return campaign


def _pledge_data(found: Pledge) -> dict[str, Any]:
    return {
        "org": found.organisation_id,
        "cap": None if found.cap is None else str(found.cap),
        "board": found.needs_board_approval,
    }


# What closing does --------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What closing the campaign now would do, and what it would do once every pending board
    agreed. ``now`` and ``all_agree`` are ``None`` without pledges to split."""

    campaign: Campaign
    firm: tuple[Pledge, ...]
    pending: tuple[Pledge, ...]  # subject to a board's approval not confirmed yet
    now: split.Split | None  # the firm pledges only: what the close does
    all_agree: split.Split | None  # firm and pending: only computed when some are pending

    @property
    def pledges(self) -> tuple[Pledge, ...]:
        return tuple(sorted(self.firm + self.pending, key=lambda p: p.organisation.name))

    @property
    def enough_firm(self) -> bool:
        return len(self.firm) >= self.campaign.minimum_supermarkets

    @property
    def funds_now(self) -> bool:
        """Closing now funds the campaign: enough firm pledges whose limits cover the cost."""
        return self.enough_firm and self.now is not None and self.now.fundable

    @property
    def funds_once_all_agree(self) -> bool:
        enough = len(self.firm) + len(self.pending) >= self.campaign.minimum_supermarkets
        return bool(self.pending) and enough and bool(self.all_agree and self.all_agree.fundable)

    def share_now(self, found: Pledge) -> Decimal | None:
        return _share(self.now, found) if self.funds_now else None

    def share_once_all_agree(self, found: Pledge) -> Decimal | None:
        return _share(self.all_agree, found) if self.funds_once_all_agree else None

    @property
    def rows(self) -> list[tuple[Pledge, Decimal | None, Decimal | None]]:
        """Each pledge with its share if closed now and once every pending board agreed."""
        return [(p, self.share_now(p), self.share_once_all_agree(p)) for p in self.pledges]


def _share(result: split.Split | None, found: Pledge) -> Decimal | None:
    if result is None or not result.fundable:
        return None
    return dict(result.shares).get(str(found.organisation_id))


def preview(campaign: Campaign, pledges: list[Pledge] | None = None) -> Preview:
    """The campaign's split if it closed now (firm pledges only) and once every pending board
    agreed: the one computation the page, the live fragment and the close share."""
    if pledges is None:
        pledges = list(campaign.pledges.select_related("organisation"))
    firm = tuple(p for p in pledges if p.is_firm)
    pending = tuple(p for p in pledges if not p.is_firm)
    return Preview(
        campaign=campaign,
        firm=firm,
        pending=pending,
        now=split_among(campaign, firm),
        all_agree=split_among(campaign, firm + pending) if pending else None,
    )


@dataclass(frozen=True)
class Outlook:
    """`Preview`'s figures without its objects, as the campaign page shows them: computed once
    per version of the pledges and cached (the same for everybody), so that a page or its
    polled fragment among a thousand pledges costs a page of rows, not the split."""

    firm: int
    pending: int
    minimum: int
    funds_now: bool
    funds_once_all_agree: bool
    to_raise: Decimal | None
    overhead: Decimal | None
    shortfall_now: Decimal
    shares_now: dict[int, Decimal]  # by organisation id, when closing now funds the campaign
    shares_once_all_agree: dict[int, Decimal]

    @property
    def enough_firm(self) -> bool:
        return self.firm >= self.minimum

    @property
    def pledges(self) -> int:
        return self.firm + self.pending


def outlook(campaign: Campaign, pledges: list[Pledge] | None = None) -> Outlook:
    """The campaign's `Preview` as figures, from the cache when its pledges have not changed
    (``pledges``, fetched already with the campaign, spare a query when it is not cached)."""
    opened = campaign.opened_at.timestamp()
    key = f"komunigi:campaign:{campaign.pk}:{opened}:v{campaign.pledges_version}"
    cached = cache.get(key)
    if cached is None:
        cached = _outlook(preview(campaign, pledges))
        cache.set(key, cached, timeout=24 * 3600)
    return cached


def _outlook(seen: Preview) -> Outlook:
    result = seen.now or seen.all_agree
    return Outlook(
        firm=len(seen.firm),
        pending=len(seen.pending),
        minimum=seen.campaign.minimum_supermarkets,
        funds_now=seen.funds_now,
        funds_once_all_agree=seen.funds_once_all_agree,
        to_raise=result.to_raise if result else None,
        overhead=result.overhead if result else None,
        shortfall_now=seen.now.shortfall if seen.now else split.ZERO,
        shares_now={int(k): v for k, v in seen.now.shares} if seen.funds_now and seen.now else {},
        shares_once_all_agree={int(k): v for k, v in seen.all_agree.shares}
        if seen.funds_once_all_agree and seen.all_agree
        else {},
    )


def split_among(
    campaign: Campaign, pledges: tuple[Pledge, ...] | list[Pledge]
) -> split.Split | None:
    """The campaign's cost split among ``pledges``, ``None`` without any."""
    if not pledges:
        return None
    return split.split(
        campaign.cost,
        [
            split.Participant(str(p.organisation_id), pledge_weight(campaign, p), p.cap)
            for p in pledges
        ],
        provider_contribution=campaign.provider_contribution,
        community_contribution=campaign.community_contribution,
        overhead_rate=campaign.overhead_rate,
    )


def amount_to_raise(campaign: Campaign) -> Decimal:
    """What the supermarkets raise between them (DESIGN.md §4.1's ``A``), whoever pledges:
    frozen at the close once funded, the engine's own figure before (it does not depend on
    the participants, so one stands for all of them)."""
    if campaign.to_raise is not None:
        return campaign.to_raise
    anyone = [split.Participant("anyone")]
    return split.split(
        campaign.cost,
        anyone,
        provider_contribution=campaign.provider_contribution,
        community_contribution=campaign.community_contribution,
        overhead_rate=campaign.overhead_rate,
    ).to_raise


def pledges_version(pledges: list[Pledge] | tuple[Pledge, ...]) -> str:
    """A short fingerprint of the pledges as they stand: a confirmation given for one set of
    pledges is not taken for another."""
    described = sorted((p.organisation_id, str(p.cap), p.is_firm, str(p.weight)) for p in pledges)
    return hashlib.sha256(repr(described).encode()).hexdigest()[:16]


def pledge_weight(campaign: Campaign, found: Pledge) -> Decimal:
    return share_weight(campaign.split_rule, found.organisation, found.weight)


def rule_weight(campaign: Campaign, supermarket: Organisation) -> Decimal:
    return share_weight(campaign.split_rule, supermarket, None)


def share_weight(rule: str, organisation: Organisation, custom: Decimal | None) -> Decimal:
    """An organisation's weight in a split by ``rule`` (campaigns and maintenance plans):
    the custom weight it agreed, its member households, or one."""
    if rule == SplitRule.CUSTOM and custom:
        return custom
    if rule == SplitRule.HOUSEHOLDS:
        return Decimal(organisation.member_households or 1)
    return Decimal(1)


def close_campaign(campaign: Campaign, *, actor: User | None, version: str = "") -> Campaign:
    """Funded when enough supermarkets pledged firmly and their caps cover the cost: the split
    is frozen into the ledger (each supermarket owes its share, the provider is owed the quote
    less its own contribution, the overhead goes to the fund, which pays its own
    contribution). Failed otherwise: no money moves. Unconfirmed "subject to approval" pledges
    do not count. The need follows; each pledging supermarket is e-mailed.

    ``version`` (from `pledges_version`), when given, is what the facilitator confirmed: if
    the pledges changed since, nothing happens and the caller asks again."""
    if actor is not None and not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    with transaction.atomic():
        campaign = _locked_open(campaign)
        pledges = list(campaign.pledges.select_related("organisation"))
        if version and version != pledges_version(pledges):
            raise DomainError(
                _("The pledges changed since you looked: check what closing does now."),
                code="changed",
            )
        outcome = preview(campaign, pledges)
        result = outcome.now if outcome.funds_now else None
        campaign.status = CampaignStatus.FUNDED if result else CampaignStatus.FAILED
        campaign.closed_at = timezone.now()
        fields = ["status", "closed_at"]
        if result is not None:
            campaign.to_raise, campaign.overhead = result.to_raise, result.overhead
            fields += ["to_raise", "overhead"]
            post_funded(campaign, list(outcome.firm), result, actor=actor, date=instance_today())
        campaign.save(update_fields=fields)
        need_status = lifecycle.FUNDED if result else lifecycle.FAILED
        needs_services.move_by_process(campaign.need, need_status, actor=actor)
        log_action(actor, f"funding.campaign.{campaign.status}", campaign)
        _tell_pledgers(campaign, list(outcome.firm) if result else pledges, result)
    return campaign


def cancel_campaign(
    campaign: Campaign, *, actor: User, reason: str, withdraw_need: bool = False
) -> Campaign:
    """Stop a campaign before its close: it fails, nothing is owed, the pledgers are told.
    With ``withdraw_need``, its need is withdrawn too (it no longer waits to be funded)."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied
    if not reason.strip():
        raise DomainError(_("Say why the campaign is cancelled."))
    with transaction.atomic():
        campaign = _locked_open(campaign)
        pledges = list(campaign.pledges.select_related("organisation"))
        campaign.status = CampaignStatus.FAILED
        campaign.closed_at = timezone.now()
        campaign.cancel_reason = reason.strip()[:300]
        campaign.save(update_fields=["status", "closed_at", "cancel_reason"])
        need = needs_services.move_by_process(
            campaign.need, lifecycle.FAILED, actor=actor, reason=reason
        )
        if withdraw_need:
            needs_services.change_status(need, lifecycle.WITHDRAWN, actor=actor, reason=reason)
        log_action(actor, "funding.campaign.cancelled", campaign, {"reason": reason.strip()})
        _tell_pledgers(campaign, pledges, None)
    return campaign


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


def _tell_pledgers(campaign: Campaign, pledges: list[Pledge], result: split.Split | None) -> None:
    """Each pledging supermarket learns the outcome: its share when funded (unconfirmed
    pledges took no part), or that it owes nothing."""
    shares = dict(result.shares) if result else {}
    for found in pledges:
        share = shares.get(str(found.organisation_id)) if result else None
        for person in voices([found.organisation]):
            emails.send_campaign_closed(campaign, person, found.organisation, share)


def post_funded(
    campaign: Campaign,
    firm: list[Pledge],
    result: split.Split,
    *,
    actor: User | None,
    date: datetime.date,
) -> LedgerTransaction:
    """The frozen split in the ledger: each supermarket owes its share, the provider is owed
    the quote less its own contribution, the overhead goes to the fund, which pays its own
    contribution; then sponsorships."""
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
    apply_sponsorships(campaign, shares, actor=actor, today=date)
    return funded


# Reminders ----------------------------------------------------------------------------------


def send_deadline_reminders(now: datetime.datetime | None = None) -> int:
    """Three days before a campaign's deadline, once: the representatives of the interested
    member supermarkets that have not pledged are reminded, and those whose pledge waits for
    their board are asked to confirm it. Returns how many campaigns were reminded."""
    now = now or timezone.now()
    due = Campaign.objects.filter(_reminder_due(now))
    return sum(remind_before_deadline(campaign, now=now) for campaign in due)


def _reminder_due(now: datetime.datetime) -> Q:
    """Collecting campaigns not reminded yet whose deadline is less than three days away."""
    return Q(
        status=CampaignStatus.COLLECTING,
        reminder_sent_at=None,
        deadline__gt=now,
        deadline__lte=now + REMIND_BEFORE,
    )


def remind_before_deadline(campaign: Campaign, *, now: datetime.datetime | None = None) -> bool:
    """One campaign's reminder; ``False`` when it is not due or went out already."""
    now = now or timezone.now()
    with transaction.atomic():
        # Claimed with a conditional update, so two runs never remind twice.
        claimed = Campaign.objects.filter(_reminder_due(now), pk=campaign.pk).update(
            reminder_sent_at=now
        )
        if not claimed:
            return False
        campaign = Campaign.objects.with_details().get(pk=campaign.pk)
        pledges = {p.organisation_id: p for p in campaign.pledges.select_related("organisation")}
        interested = Organisation.objects.member_supermarkets().filter(
            interests__need=campaign.need_id
        )
        for supermarket in interested.exclude(pk__in=pledges):
            for person in voices([supermarket]):
                emails.send_campaign_reminder(campaign, person, supermarket)
        for supermarket in [p.organisation for p in pledges.values() if not p.is_firm]:
            for person in voices([supermarket]):
                emails.send_pledge_confirmation_reminder(campaign, person, supermarket)
        log_action(None, "funding.campaign.reminded", campaign)
    return True
