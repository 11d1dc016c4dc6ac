"""A supermarket that adopts an already funded development (DESIGN.md §4.3)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, OrganisationKind, User
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import emails, ledger, permissions, split, statements
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    LateJoiner,
    TransactionKind,
)
from komunigi.funding.services.campaigns import pledge_weight, rule_weight
from komunigi.funding.services.sponsorships import apply_sponsorships
from komunigi.money import to_cents


def borne_shares(campaign: Campaign) -> dict[int, Decimal]:
    """What each participant of a funded campaign bears now, by organisation id."""
    borne = statements.borne_by_campaign([campaign]).get(campaign.pk, {})
    return {organisation.pk: amount for organisation, amount in borne.items()}


def add_late_joiner(
    campaign: Campaign,
    supermarket: Organisation,
    *,
    actor: User,
    premium_rate: Decimal = Decimal(0),
    weight: Decimal | None = None,
) -> LateJoiner:
    """The split recomputed with ``supermarket`` included (`split.late_join`): it owes its new
    share (plus the premium, for the fund) and every earlier payer is credited what it overpaid
    under the new split. A sponsorship of the newcomer pays its part of the catch-up share."""
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
        joiner_weight = weight or rule_weight(campaign, supermarket)
        rebalanced = split.late_join(
            campaign.cost,
            {str(pk): amount for pk, amount in borne.items()},
            {str(pk): weights[pk] for pk in borne},
            split.Participant(str(supermarket.pk), joiner_weight),
            provider_contribution=campaign.provider_contribution,
            community_contribution=campaign.community_contribution,
            overhead_rate=campaign.overhead_rate,
        )
        catch_up, today = rebalanced.catch_up, instance_today()
        organisations = Organisation.objects.in_bulk(borne)
        joiner_account = ledger.account(AccountKind.ORGANISATION, supermarket)
        lines = [(joiner_account, -catch_up)]
        lines += [
            (ledger.account(AccountKind.ORGANISATION, organisations[int(key)]), credit)
            for key, credit in rebalanced.credits
        ]
        recorded = None
        if catch_up:
            recorded = ledger.post(
                TransactionKind.LATE_JOINER,
                lines,
                date=today,
                actor=actor,
                description=supermarket.name,
                campaign=campaign,
            )
            apply_sponsorships(campaign, [(supermarket, catch_up)], actor=actor, today=today)
        premium = to_cents(catch_up * premium_rate)
        if premium:
            ledger.post(
                TransactionKind.LATE_JOINER_PREMIUM,
                [(joiner_account, -premium), (ledger.fund(), premium)],
                date=today,
                actor=actor,
                description=supermarket.name,
                campaign=campaign,
            )
        joiner = LateJoiner.objects.create(
            campaign=campaign,
            organisation=supermarket,
            weight=joiner_weight,
            premium_rate=premium_rate,
            transaction=recorded,
        )
        log_action(
            actor,
            "funding.campaign.late_joiner",
            campaign,
            {"org": supermarket.pk, "share": str(catch_up), "premium": str(premium)},
        )
        emails.notify_late_join(
            campaign,
            supermarket,
            catch_up + premium,
            [(organisations[int(key)], credit) for key, credit in rebalanced.credits if credit],
        )
    return joiner


def _participant_weights(campaign: Campaign) -> dict[int, Decimal]:
    weights = {
        p.organisation_id: pledge_weight(campaign, p)
        for p in campaign.pledges.select_related("organisation")
    }
    weights.update({j.organisation_id: j.weight for j in campaign.late_joiners.all()})
    return weights
