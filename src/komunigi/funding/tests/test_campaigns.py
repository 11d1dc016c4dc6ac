"""Campaigns from pledges to the ledger, and the ledger's rules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from komunigi.commons.models import Installation, Module
from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import fees, ledger, services
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    Fee,
    FeeTier,
    LedgerError,
    LedgerLine,
    LedgerTransaction,
)
from komunigi.funding.services import maintenance, maintenance_joins
from komunigi.money import to_cents
from komunigi.needs.models import Need, QuoteStatus
from komunigi.needs.tests.factories import NeedFactory, QuoteFactory

D = Decimal
TODAY = datetime.date(2026, 11, 23)


def supermarket(name: str | None = None, households: int | None = None) -> tuple:
    named = {"name": name} if name else {}  # or the factory's own, unique, name
    organisation = OrganisationFactory(**named, member_households=households)
    representative = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE).user
    return organisation, representative


def open_campaign(
    facilitator: User, amount: str = "300.00", contribution: str = "0.00", **options
) -> Campaign:
    need = NeedFactory(status="approved")
    quote = QuoteFactory(need=need, amount=D(amount), provider_contribution=D(contribution))
    options.setdefault("deadline", timezone.now() + datetime.timedelta(days=14))
    options.setdefault("overhead_rate", D("0"))
    return services.open_campaign(need, quote, actor=facilitator, **options)


@pytest.fixture
def four(db: None) -> list[tuple]:
    return [supermarket(name) for name in ("BEES coop", "BLOUM", "Le NID", "Coopéco")]


def test_opening_accepts_the_quote_and_moves_the_need(facilitator: User) -> None:
    campaign = open_campaign(facilitator)
    campaign.quote.refresh_from_db()
    assert campaign.quote.status == QuoteStatus.ACCEPTED
    assert Need.objects.get(pk=campaign.need_id).status == "funding"


def test_only_an_approved_need_with_a_valid_quote_is_co_financed(facilitator: User) -> None:
    quote = QuoteFactory()  # its need is quoted, not approved
    with pytest.raises(DomainError):
        services.open_campaign(
            quote.need, quote, actor=facilitator, deadline=timezone.now() + datetime.timedelta(1)
        )
    assert Campaign.objects.count() == 0


def test_only_facilitators_open_campaigns(four: list[tuple]) -> None:
    need = NeedFactory(status="approved")
    quote = QuoteFactory(need=need)
    with pytest.raises(PermissionDenied):
        services.open_campaign(
            need, quote, actor=four[0][1], deadline=timezone.now() + datetime.timedelta(days=3)
        )


def test_funded_campaign_writes_each_share_to_the_ledger(
    facilitator: User, four: list[tuple]
) -> None:
    campaign = open_campaign(facilitator, "1000.00", "100.00", overhead_rate=D("0.05"))
    for organisation, representative in four:
        services.pledge(campaign, organisation, actor=representative)
    services.pledge(campaign, four[0][0], actor=four[0][1], cap=D("200.00"))

    closed = services.close_campaign(campaign, actor=facilitator)

    assert (closed.status, closed.to_raise, closed.overhead) == ("funded", D("945.00"), D("45.00"))
    owed = {o.name: ledger.balance(ledger.account(AccountKind.ORGANISATION, o)) for o, _ in four}
    assert owed == {
        "BEES coop": D("-200.00"),  # 236.25 would be above its cap
        "BLOUM": D("-248.34"),
        "Le NID": D("-248.33"),
        "Coopéco": D("-248.33"),
    }
    provider = ledger.account(AccountKind.PROVIDER, campaign.quote.provider)
    assert ledger.balance(provider) == D("900.00")  # the quote less its own contribution
    assert ledger.balance(ledger.fund()) == D("45.00")
    assert ledger.balance(ledger.account(AccountKind.CAMPAIGN, campaign)) == D("0.00")
    assert ledger.total_of_all_lines() == 0
    assert Need.objects.get(pk=campaign.need_id).status == "funded"


def test_campaign_fails_below_the_minimum_and_no_money_moves(
    facilitator: User, four: list[tuple]
) -> None:
    campaign = open_campaign(facilitator, minimum_supermarkets=3)
    for organisation, representative in four[:2]:
        services.pledge(campaign, organisation, actor=representative)
    # A pledge still waiting for its board's approval does not count.
    services.pledge(campaign, four[2][0], actor=four[2][1], needs_board_approval=True)

    closed = services.close_campaign(campaign, actor=facilitator)

    assert closed.status == CampaignStatus.FAILED
    assert LedgerTransaction.objects.count() == 0
    assert Need.objects.get(pk=campaign.need_id).status == "failed"


def test_a_confirmed_conditional_pledge_counts(facilitator: User, four: list[tuple]) -> None:
    campaign = open_campaign(facilitator, minimum_supermarkets=3)
    for organisation, representative in four[:3]:
        services.pledge(campaign, organisation, actor=representative, needs_board_approval=True)
    for organisation, representative in four[:3]:
        services.confirm_pledge(campaign, organisation, actor=representative)
    assert services.close_campaign(campaign, actor=facilitator).status == CampaignStatus.FUNDED


def test_caps_that_cannot_cover_the_cost_fail_the_campaign(
    facilitator: User, four: list[tuple]
) -> None:
    campaign = open_campaign(facilitator)
    for organisation, representative in four[:2]:
        services.pledge(campaign, organisation, actor=representative, cap=D("100.00"))
    assert services.close_campaign(campaign, actor=facilitator).status == CampaignStatus.FAILED
    assert LedgerLine.objects.count() == 0


def test_split_by_member_households(facilitator: User) -> None:
    small, large = supermarket("Small", 100), supermarket("Large", 300)
    campaign = open_campaign(facilitator, "400.00", split_rule="households")
    for organisation, representative in (small, large):
        services.pledge(campaign, organisation, actor=representative)
    result = services.preview(campaign).now
    assert result is not None
    assert dict(result.shares) == {str(small[0].pk): D("100.00"), str(large[0].pk): D("300.00")}


def test_only_a_supermarkets_representative_or_substitute_pledges(
    facilitator: User, four: list[tuple]
) -> None:
    campaign = open_campaign(facilitator)
    bees = four[0][0]
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    substitute = MembershipFactory(organisation=bees, role=Role.SUBSTITUTE).user
    provider_person = MembershipFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.PROVIDER)
    ).user
    for person in (member, four[1][1], provider_person, facilitator):
        with pytest.raises(PermissionDenied):
            services.pledge(campaign, bees, actor=person)
    services.pledge(campaign, bees, actor=substitute)
    assert campaign.pledges.get().pledged_by == substitute


def test_no_pledge_after_the_close_or_the_deadline(facilitator: User, four: list[tuple]) -> None:
    campaign = open_campaign(facilitator)
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now())
    with pytest.raises(DomainError):
        services.pledge(campaign, four[0][0], actor=four[0][1])
    services.close_campaign(campaign, actor=facilitator)
    with pytest.raises(DomainError):
        services.pledge(campaign, four[0][0], actor=four[0][1])
    with pytest.raises(DomainError):
        services.close_campaign(campaign, actor=facilitator)


def test_due_campaigns_close_by_themselves(facilitator: User, four: list[tuple]) -> None:
    due = open_campaign(facilitator)
    later = open_campaign(facilitator)
    for organisation, representative in four[:2]:
        services.pledge(due, organisation, actor=representative)
    Campaign.objects.filter(pk=due.pk).update(deadline=timezone.now() - datetime.timedelta(1))
    assert services.close_due_campaigns() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("funded", "collecting")


def test_payments_settle_what_is_owed_and_reversals_undo_them(
    facilitator: User, four: list[tuple]
) -> None:
    campaign = open_campaign(facilitator)
    for organisation, representative in four:
        services.pledge(campaign, organisation, actor=representative)
    services.close_campaign(campaign, actor=facilitator)
    bees = four[0][0]
    bees_account = ledger.account(AccountKind.ORGANISATION, bees)

    payment = services.record_payment(
        campaign, bees, D("75.00"), actor=facilitator, date=TODAY, reference="BE-2026-117"
    )
    assert ledger.balance(bees_account) == D("0.00")
    services.record_payment(
        campaign, campaign.quote.provider, D("300.00"), actor=facilitator, date=TODAY
    )
    provider = ledger.account(AccountKind.PROVIDER, campaign.quote.provider)
    assert ledger.balance(provider) == D("0.00")

    services.reverse_transaction(payment, actor=facilitator, reason="Typed on the wrong line")
    assert ledger.balance(bees_account) == D("-75.00")
    assert LedgerTransaction.objects.filter(pk=payment.pk).exists()  # kept, not deleted
    with pytest.raises(DomainError):
        services.reverse_transaction(payment, actor=facilitator, reason="Twice")
    with pytest.raises(PermissionDenied):
        services.record_payment(campaign, bees, D("1.00"), actor=four[0][1], date=TODAY)
    assert ledger.total_of_all_lines() == 0


def test_ledger_refuses_unbalanced_edited_or_deleted_entries(db: None) -> None:
    fund, outside = ledger.fund(), ledger.outside()
    with pytest.raises(LedgerError):
        ledger.post("payment_received", [(fund, D("10.00")), (outside, D("-9.99"))], date=TODAY)
    entry = ledger.post(
        "payment_received", [(fund, D("10.00")), (outside, D("-10.00"))], date=TODAY
    )
    line = entry.lines.first()
    line.amount = D("11.00")
    with pytest.raises(LedgerError):
        line.save()
    with pytest.raises(LedgerError):
        line.delete()
    with pytest.raises(LedgerError):
        entry.delete()
    assert ledger.total_of_all_lines() == 0


amounts = st.integers(min_value=1, max_value=500_000).map(lambda n: Decimal(n) / 100)


class LedgerMachine(RuleBasedStateMachine):
    """Random sequences of pledges, closes, payments, late joiners, refunds, reversals,
    community contributions, sponsorships, fee tier changes and maintenance plans (opened,
    committed to, opted out of, closed, joined during the period): every transaction and the
    whole ledger always sum to zero, and a close does what its preview said."""

    @initialize()
    def community(self) -> None:
        self.facilitator = UserFactory(is_facilitator=True)
        self.supermarkets = [supermarket() for _ in range(4)]
        self.campaigns: list[Campaign] = []
        self.payments: list[LedgerTransaction] = []
        self.tiers = [
            FeeTier.objects.create(name=f"Tier {n} {FeeTier.objects.count()}", monthly_amount=m)
            for n, m in enumerate([D("10.00"), D("25.00")])
        ]
        self.year = instance_today().year
        fees.issue_fees(self.year, actor=self.facilitator)

    @rule(amount=amounts, minimum=st.integers(1, 3), fund_part=st.sampled_from([0, 0.1, 1]))
    def open(self, amount: Decimal, minimum: int, fund_part: float) -> None:
        contribution = to_cents(amount * Decimal(str(fund_part)))
        self.campaigns.append(
            open_campaign(
                self.facilitator,
                str(amount),
                minimum_supermarkets=minimum,
                community_contribution=contribution,
            )
        )

    @rule(data=st.data(), cap=st.none() | amounts, board=st.booleans())
    def pledge(self, data: st.DataObject, cap: Decimal | None, board: bool) -> None:
        collecting = [c for c in self.campaigns if c.is_collecting]
        if collecting:
            campaign = data.draw(st.sampled_from(collecting))
            organisation, person = data.draw(st.sampled_from(self.supermarkets))
            services.pledge(
                campaign, organisation, actor=person, cap=cap, needs_board_approval=board
            )

    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        collecting = [c for c in self.campaigns if c.is_collecting]
        if collecting:
            campaign = data.draw(st.sampled_from(collecting))
            outlook = services.preview(campaign)
            closed = services.close_campaign(campaign, actor=self.facilitator)
            self.campaigns[self.campaigns.index(campaign)] = closed
            # What the page showed is what closing did.
            assert (closed.status == CampaignStatus.FUNDED) == outlook.funds_now
            if outlook.funds_now:
                # A share of nothing (the fund paid it all) moves nothing: the ledger has no line.
                shown = {
                    str(p.organisation_id): outlook.share_now(p)
                    for p in outlook.firm
                    if outlook.share_now(p)
                }
                borne = {str(k): v for k, v in services.borne_shares(closed).items()}
                assert borne == shown

    @rule(data=st.data(), percentage=st.sampled_from([D("25"), D("100")]))
    def sponsor(self, data: st.DataObject, percentage: Decimal) -> None:
        organisation, _person = data.draw(st.sampled_from(self.supermarkets))
        if not organisation.sponsorships.exists():
            services.grant_sponsorship(
                organisation,
                actor=self.facilitator,
                percentage=percentage,
                starts_on=TODAY - datetime.timedelta(days=400),
                ends_on=instance_today() + datetime.timedelta(days=400),
            )

    @rule(data=st.data())
    def change_tier(self, data: st.DataObject) -> None:
        organisation, _person = data.draw(st.sampled_from(self.supermarkets))
        tier = data.draw(st.sampled_from(self.tiers))
        reissued = fees.set_fee_tier(organisation, tier, actor=self.facilitator)
        current = Fee.objects.filter(
            organisation=organisation, year=self.year, cancelled_at=None
        ).first()
        if current is None:  # a newcomer since this year's fees: its coming fees take the tier
            assert reissued is None
        else:
            assert (current.tier, current.amount) == (tier, tier.yearly_amount)

    @rule(data=st.data(), amount=amounts)
    def pay(self, data: st.DataObject, amount: Decimal) -> None:
        funded = [c for c in self.campaigns if c.status == CampaignStatus.FUNDED]
        if funded:
            campaign = data.draw(st.sampled_from(funded))
            payer = data.draw(
                st.sampled_from([campaign.quote.provider] + [o for o, _ in self.supermarkets])
            )
            self.payments.append(
                services.record_payment(campaign, payer, amount, actor=self.facilitator, date=TODAY)
            )

    @rule(data=st.data(), premium=st.sampled_from([D(0), D("0.1")]))
    def late_joiner(self, data: st.DataObject, premium: Decimal) -> None:
        funded = [c for c in self.campaigns if c.status == CampaignStatus.FUNDED]
        if funded:
            campaign = data.draw(st.sampled_from(funded))
            organisation, _person = data.draw(st.sampled_from([supermarket(), *self.supermarkets]))
            if organisation.pk in services.borne_shares(campaign):
                return
            services.add_late_joiner(
                campaign, organisation, actor=self.facilitator, premium_rate=premium
            )
            if (organisation, _person) not in self.supermarkets:
                self.supermarkets.append((organisation, _person))

    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        organisation, _person = data.draw(st.sampled_from(self.supermarkets))
        credit = ledger.balance(ledger.account(AccountKind.ORGANISATION, organisation))
        if credit > 0:
            self.payments.append(
                services.refund_credit(organisation, credit, actor=self.facilitator, date=TODAY)
            )

    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        open_payments = [p for p in self.payments if not hasattr(p, "reversed_by")]
        if open_payments:
            payment = data.draw(st.sampled_from(open_payments))
            services.reverse_transaction(payment, actor=self.facilitator, reason="mistake")
            payment.refresh_from_db()

    @rule(data=st.data(), costs=st.lists(amounts, min_size=1, max_size=3), fund=st.booleans())
    def open_maintenance(self, data: st.DataObject, costs: list[Decimal], fund: bool) -> None:
        """A plan for modules run by some of the supermarkets (the maintenance pool); ``fund``:
        every one of them commits at once and it closes, funded, for newcomers to join."""
        plans = getattr(self, "plans", [])
        self.plans = plans
        covered = {}
        for cost in costs:
            module = Module.objects.create(technical_name=f"module_{Module.objects.count()}")
            for organisation, _person in data.draw(
                st.lists(st.sampled_from(self.supermarkets), min_size=1, max_size=3, unique=True)
            ):
                Installation.objects.get_or_create(
                    organisation=organisation, module=module, series="12.0"
                )
            covered[module] = cost
        plans.append(
            maintenance.open_plan(
                actor=self.facilitator,
                title="Upkeep",
                provider=OrganisationFactory(kind="provider"),
                series="12.0",
                starts_on=TODAY - datetime.timedelta(days=200),  # newcomers join for the rest
                ends_on=TODAY + datetime.timedelta(days=165),
                deadline=timezone.now() + datetime.timedelta(days=7),
                included="Fixes",
                costs=covered,
                overhead_rate=data.draw(st.sampled_from([D("0"), D("0.05")])),
            )
        )
        if fund:
            plan = plans[-1]
            for organisation, person in self.supermarkets:
                if Installation.objects.filter(
                    organisation=organisation, module__in=list(covered)
                ).exists():
                    maintenance.commit(plan, organisation, actor=person)
            plans[-1] = maintenance.close_plan(plan, actor=self.facilitator)
            assert plans[-1].status == "funded"

    @rule(data=st.data(), cap=st.none() | amounts, leave=st.booleans())
    def commit_to_maintenance(self, data: st.DataObject, cap: Decimal | None, leave: bool) -> None:
        collecting = [p for p in getattr(self, "plans", []) if p.is_collecting]
        if collecting:
            plan = data.draw(st.sampled_from(collecting))
            organisation, person = data.draw(st.sampled_from(self.supermarkets))
            try:
                if leave:
                    item = data.draw(st.sampled_from(list(plan.modules.all())))
                    maintenance.opt_out(plan, organisation, item.module, actor=person, back=False)
                else:
                    maintenance.commit(plan, organisation, actor=person, cap=cap)
            except DomainError:
                pass  # it runs none of the plan's modules

    @rule(data=st.data())
    def close_maintenance(self, data: st.DataObject) -> None:
        collecting = [p for p in getattr(self, "plans", []) if p.is_collecting]
        if collecting:
            plan = data.draw(st.sampled_from(collecting))
            fundable = maintenance.preview(plan).firm.fundable
            closed = maintenance.close_plan(plan, actor=self.facilitator)
            self.plans[self.plans.index(plan)] = closed
            assert (closed.status == "funded") == fundable

    @rule(data=st.data(), premium=st.sampled_from([D(0), D("0.1")]))
    def join_maintenance(self, data: st.DataObject, premium: Decimal) -> None:
        """A supermarket starts running a module of a funded plan: it joins for the rest of
        the period, from a day after the module's last newcomer."""
        funded = [p for p in getattr(self, "plans", []) if p.status == "funded"]
        if not funded:  # a funded plan is a few steps away: take them here
            self.open_maintenance(data, [D("100.00")], fund=True)
            funded = [p for p in self.plans if p.status == "funded"]
        if funded:
            plan = data.draw(st.sampled_from(funded))
            item = data.draw(st.sampled_from(list(plan.modules.select_related("module"))))
            organisation, _person = data.draw(st.sampled_from([supermarket(), *self.supermarkets]))
            shares = plan.shares.filter(module=item.module)
            if shares.filter(organisation=organisation).exists() or plan.opt_outs.filter(
                organisation=organisation, module=item.module
            ):
                return
            since = max([s.joined_on for s in shares if s.joined_on] or [plan.starts_on])
            Installation.objects.get_or_create(
                organisation=organisation, module=item.module, series=plan.series
            )
            maintenance_joins.join(
                plan,
                organisation,
                item.module,
                actor=self.facilitator,
                joined_on=since + datetime.timedelta(days=data.draw(st.integers(0, 5))),
                premium_rate=premium,
            )
            if (organisation, _person) not in self.supermarkets:
                self.supermarkets.append((organisation, _person))

    @invariant()
    def sums_to_zero(self) -> None:
        if hasattr(self, "facilitator"):
            assert ledger.total_of_all_lines() == 0
            for entry in LedgerTransaction.objects.prefetch_related("lines"):
                assert sum(line.amount for line in entry.lines.all()) == 0
            for campaign in self.campaigns:  # what payers bear is what was raised
                if campaign.status == CampaignStatus.FUNDED:
                    borne = services.borne_shares(campaign)
                    assert sum(borne.values()) == campaign.to_raise
            for plan in getattr(self, "plans", []):  # each module's shares: its cost, overhead
                if plan.status == "funded":
                    for item in plan.modules.all():
                        shares = plan.shares.filter(module=item.module)
                        assert sum(s.amount for s in shares) == to_cents(
                            item.cost * (1 + plan.overhead_rate)
                        )


def test_ledger_sums_to_zero_after_random_sequences(db: None) -> None:
    # Examples share the test's database: the invariants hold over everything recorded so far.
    run_state_machine_as_test(
        LedgerMachine, settings=settings(max_examples=15, stateful_step_count=12, deadline=None)
    )
