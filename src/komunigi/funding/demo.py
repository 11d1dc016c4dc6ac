"""Demo money: the deck's three co-financings as funded and paid campaigns, the 2021 Brussels
subsidy, the 2022 fee schedule with its fees, and the campaign now collecting pledges for
product labels.

Idempotent: a need that has a campaign, or a subsidy already recorded, is left as it is.
Historic campaigns are written as they happened (their needs were funded and built long ago,
so today's lifecycle moves must not run again); the open one goes through the services.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils import timezone

from komunigi.community.demo import FACILITATOR
from komunigi.community.models import Organisation, Role, User
from komunigi.funding import fees, ledger, services, split
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    ExpenseCategory,
    Fee,
    FeeTier,
    LedgerTransaction,
    Pledge,
    SplitRule,
    TransactionKind,
)
from komunigi.needs import lifecycle
from komunigi.needs.models import Need, QuoteStatus


@dataclass(frozen=True)
class PastCampaign:
    need: str
    supermarkets: tuple[str, ...]
    funded_on: datetime.date


PAST_CAMPAIGNS = [
    # 50 000 € shared by six supermarkets and Coop IT Easy, which paid a seventh share itself.
    PastCampaign(
        "Migration d'Odoo 9 à Odoo 12",
        ("bees-coop", "bloum", "babl-market", "coopeco", "oufticoop", "vervicoop"),
        datetime.date(2021, 10, 1),
    ),
    PastCampaign(
        "Améliorer les e-mails de rappel avant les shifts",
        ("bloum", "bees-coop", "coopeco", "vervicoop"),
        datetime.date(2022, 4, 1),
    ),
    PastCampaign(
        "Formulaire de prise de part : case à cocher et texte configurables",
        ("bees-coop", "oufticoop"),
        datetime.date(2022, 6, 1),
    ),
]
SUBSIDY = "Subside « Prove your Social Innovation » (Région de Bruxelles-Capitale)"
# The deck names the subsidy, not its amount: this one is illustrative.
SUBSIDY_AMOUNT = Decimal("25000.00")
SUBSIDY_DATE = datetime.date(2021, 6, 1)
# What the fund paid for (illustrative amounts): (date, category, description, amount)
EXPENSES = [
    (datetime.date(2021, 12, 15), ExpenseCategory.COORDINATION, "Coordination 2021", "6000.00"),
    (datetime.date(2022, 3, 14), ExpenseCategory.EVENTS,
     "Rencontre des 13 et 14 mars 2022 : salle et repas", "1850.00"),
    (datetime.date(2022, 12, 15), ExpenseCategory.COORDINATION, "Coordination 2022", "7500.00"),
    (datetime.date(2026, 9, 30), ExpenseCategory.ESTIMATION,
     "Estimation : échange de shifts (Coopdevs, 6 h)", "480.00"),
]  # fmt: skip
# The community's 2022 proposal: (name, € per month, for whom, default).
FEE_TIERS = [
    ("Observateur", Decimal("10.00"), "Suivre la communauté et ses rencontres", False),
    ("Actif", Decimal("25.00"), "Participer aux décisions et aux cofinancements", True),
    ("Soutien", Decimal("35.00"), "Soutenir davantage la coordination", False),
]
FEE_YEAR = 2022
SUPPORTING = ("bees-coop", "coop-it-easy")
OBSERVING = ("la-feve", "foodhub-munchen")
UNPAID = ("foodhub-munchen",)  # reminded, still due
OPEN_CAMPAIGN = "Générer les étiquettes d'articles dans Odoo"
# (supermarket, cap, subject to its board's approval)
OPEN_PLEDGES = [("coopeco", None, False), ("bees-coop", Decimal("1000.00"), False),
                ("vervicoop", None, True)]  # fmt: skip


def load_demo_funding() -> None:
    facilitator = User.objects.get(email=FACILITATOR[1])
    organisations = {o.slug: o for o in Organisation.objects.all()}
    with transaction.atomic():
        if not LedgerTransaction.objects.filter(description=SUBSIDY).exists():
            ledger.post(
                TransactionKind.SUBSIDY,
                [(ledger.fund(), SUBSIDY_AMOUNT), (ledger.outside(), -SUBSIDY_AMOUNT)],
                date=SUBSIDY_DATE,
                actor=facilitator,
                description=SUBSIDY,
            )
        for date, category, description, amount in EXPENSES:
            if not LedgerTransaction.objects.filter(description=description).exists():
                ledger.post(
                    TransactionKind.EXPENSE,
                    [(ledger.fund(), -Decimal(amount)), (ledger.outside(), Decimal(amount))],
                    date=date,
                    actor=facilitator,
                    description=description,
                    category=category,
                )
        for past in PAST_CAMPAIGNS:
            need = Need.objects.get(title=past.need)
            if not need.campaigns.exists():
                _past_campaign(facilitator, need, past, organisations)
        if not Fee.objects.filter(year=FEE_YEAR).exists():
            _fees(facilitator, organisations)
        labels = Need.objects.get(title=OPEN_CAMPAIGN)
        if not labels.campaigns.exists() and labels.status == lifecycle.APPROVED:
            _open_campaign(facilitator, labels, organisations)


def _past_campaign(
    facilitator: User, need: Need, past: PastCampaign, organisations: dict[str, Organisation]
) -> None:
    quote = need.quotes.get(status=QuoteStatus.ACCEPTED)
    closed_at = timezone.make_aware(datetime.datetime.combine(past.funded_on, datetime.time(12)))
    campaign = Campaign.objects.create(
        need=need,
        quote=quote,
        split_rule=SplitRule.EQUAL,
        overhead_rate=Decimal(0),  # before the community agreed on coordination costs
        cost=quote.amount,
        provider_contribution=quote.provider_contribution,
        deadline=closed_at,
        minimum_supermarkets=len(past.supermarkets),
        status=CampaignStatus.FUNDED,
        opened_by=facilitator,
        closed_at=closed_at,
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        opened_at=closed_at - datetime.timedelta(weeks=4)
    )
    supermarkets = [organisations[slug] for slug in past.supermarkets]
    pledges = [
        Pledge.objects.create(
            campaign=campaign, organisation=supermarket, pledged_by=_representative(supermarket)
        )
        for supermarket in supermarkets
    ]
    # Every past campaign had supermarkets, so pledges: there is a split.
    result = cast(split.Split, services.split_among(campaign, pledges))
    Campaign.objects.filter(pk=campaign.pk).update(
        to_raise=result.to_raise, overhead=result.overhead
    )
    services.post_funded(campaign, pledges, result, actor=facilitator, date=past.funded_on)
    shares = dict(result.shares)
    owed = campaign.cost - campaign.provider_contribution
    # Everyone paid within the month, and the provider was paid in full.
    for number, supermarket in enumerate(supermarkets, start=1):
        amount = shares[str(supermarket.pk)]
        ledger.post(
            TransactionKind.PAYMENT_RECEIVED,
            [(ledger.account(AccountKind.ORGANISATION, supermarket), amount),
             (ledger.outside(), -amount)],
            date=past.funded_on + datetime.timedelta(days=7 + number),
            actor=facilitator,
            description=supermarket.name,
            reference=f"KMG-{past.funded_on.year}-{campaign.pk:03}-{number:02}",
            campaign=campaign,
        )  # fmt: skip
    ledger.post(
        TransactionKind.PAYMENT_MADE,
        [(ledger.account(AccountKind.PROVIDER, quote.provider), -owed), (ledger.outside(), owed)],
        date=past.funded_on + datetime.timedelta(days=30),
        actor=facilitator,
        description=quote.provider.name,
        reference=f"KMG-{past.funded_on.year}-{campaign.pk:03}-PRESTA",
        campaign=campaign,
    )


def _open_campaign(facilitator: User, need: Need, organisations: dict[str, Organisation]) -> None:
    quote = need.quotes.valid().order_by("amount").first()
    if quote is None:
        return
    campaign = services.open_campaign(
        need,
        quote,
        actor=facilitator,
        deadline=timezone.now() + datetime.timedelta(weeks=3),
        minimum_supermarkets=3,
    )
    for slug, cap, board in OPEN_PLEDGES:
        supermarket = organisations[slug]
        services.pledge(
            campaign,
            supermarket,
            actor=_representative(supermarket),
            cap=cap,
            needs_board_approval=board,
        )


def _fees(facilitator: User, organisations: dict[str, Organisation]) -> None:
    tiers = {}
    for position, (name, monthly, description, default) in enumerate(FEE_TIERS):
        tiers[name], _ = FeeTier.objects.get_or_create(
            name=name,
            defaults={
                "monthly_amount": monthly,
                "description": description,
                "is_default": default,
                "position": position,
            },
        )
    chosen = {organisations[slug].pk: tiers["Soutien"] for slug in SUPPORTING}
    chosen |= {organisations[slug].pk: tiers["Observateur"] for slug in OBSERVING}
    for number, fee in enumerate(fees.issue_fees(FEE_YEAR, actor=facilitator, tiers=chosen)):
        if fee.organisation.slug not in UNPAID:
            fees.record_fee_payment(
                fee,
                fee.amount,
                actor=facilitator,
                date=datetime.date(FEE_YEAR, 3, 1) + datetime.timedelta(days=number),
                reference=f"COTIS-{FEE_YEAR}-{number + 1:02}",
            )


def _representative(organisation: Organisation) -> User:
    return organisation.memberships.get(role=Role.REPRESENTATIVE).user
