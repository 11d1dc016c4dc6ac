"""Co-financing campaigns, their pledges, and the ledger every euro goes through.

The ledger is append-only and double-entry: a transaction's lines sum to zero, balances are
sums of lines, and a correction is a reversing transaction. A line's amount is what the
account is owed (positive) or owes (negative): a supermarket owes its share, a provider is
owed the quote, "outside" is the other side of real bank transfers."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from komunigi.commons.models import Module
from komunigi.community.models import Organisation
from komunigi.money import MONEY
from komunigi.needs.models import Need, Quote


class AccountKind(models.TextChoices):
    FUND = "fund", _("Community fund")
    ORGANISATION = "organisation", _("Organisation")
    CAMPAIGN = "campaign", _("Campaign")
    PROVIDER = "provider", _("Provider")
    OUTSIDE = "outside", _("Outside (bank transfers)")


class LedgerError(Exception):
    """A transaction that would break the ledger's rules: a programming error, never input."""


class Account(models.Model):
    # "fund", "outside", "organisation:12", "provider:5", "campaign:3": one account per holder,
    # unique on every database (a unique constraint over nullable columns is not).
    key = models.CharField(max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        "Campaign", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        holder = self.organisation or self.campaign
        return f"{self.get_kind_display()}: {holder}" if holder else self.get_kind_display()


class TransactionKind(models.TextChoices):
    CAMPAIGN_FUNDED = "campaign_funded", _("Campaign funded")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    PAYMENT_MADE = "payment_made", _("Payment made")
    REFUND = "refund", _("Refund of a credit")
    LATE_JOINER = "late_joiner", _("Late joiner's catch-up share")
    LATE_JOINER_PREMIUM = "late_joiner_premium", _("Late joiner's premium")
    SPONSORSHIP = "sponsorship", _("Sponsorship")
    FEE = "fee", _("Membership fee")
    MAINTENANCE_FUNDED = "maintenance_funded", _("Maintenance plan funded")
    MAINTENANCE_JOINED = "maintenance_joined", _("Newcomer's share of a maintenance plan")
    SUBSIDY = "subsidy", _("Subsidy")
    EXPENSE = "expense", _("Expense")
    REVERSAL = "reversal", _("Reversal")


class ExpenseCategory(models.TextChoices):
    ESTIMATION = "estimation", _("Estimation hours")
    COORDINATION = "coordination", _("Coordination")
    EVENTS = "events", _("Events")
    OTHER = "other", _("Other")


class AppendOnly(models.Model):
    """Written once, then never changed nor deleted: a correction is a reversing transaction."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise LedgerError(f"{self._meta.verbose_name} is append-only: reverse it instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerError(f"{self._meta.verbose_name} is append-only: reverse it instead")


class LedgerTransaction(AppendOnly):
    kind = models.CharField(_("kind"), max_length=30, choices=TransactionKind.choices)
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=ExpenseCategory.choices, blank=True
    )
    campaign = models.ForeignKey(
        "Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("campaign"),
    )
    fee = models.ForeignKey(
        "Fee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("membership fee"),
    )
    sponsorship = models.ForeignKey(
        "Sponsorship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("sponsorship"),
    )
    maintenance_plan = models.ForeignKey(
        "MaintenancePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("maintenance plan"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class LedgerLine(AppendOnly):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="lines"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_line_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"


class SplitRule(models.TextChoices):
    EQUAL = "equal", _("Equal shares")
    HOUSEHOLDS = "households", _("By member households")
    CUSTOM = "custom", _("Custom weights")


class CampaignStatus(models.TextChoices):
    COLLECTING = "collecting", pgettext_lazy("campaign status", "Collecting pledges")
    FUNDED = "funded", pgettext_lazy("campaign status", "Funded")
    FAILED = "failed", pgettext_lazy("campaign status", "Failed")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def with_details(self) -> "CampaignQuerySet":
        return self.select_related("need", "quote__provider")

    def with_pledge_count(self) -> "CampaignQuerySet":
        """Each with ``pledge_count``, counted for the rows a page shows only."""
        pledges = (
            Pledge.objects.filter(campaign=OuterRef("pk"))
            .order_by()
            .values("campaign")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(pledge_count=Coalesce(models.Subquery(pledges), 0))


class Campaign(models.Model):
    """Supermarkets pledging to share the cost of an approved need's accepted quote."""

    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("need")
    )
    quote = models.ForeignKey(
        Quote, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("quote")
    )
    split_rule = models.CharField(
        _("split rule"), max_length=12, choices=SplitRule.choices, default=SplitRule.EQUAL
    )
    overhead_rate = models.DecimalField(
        _("overhead rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("Kept by the community fund: 0.05 means five per cent."),
    )
    cost = models.DecimalField(_("cost"), **MONEY)
    provider_contribution = models.DecimalField(
        _("provider's contribution"), **MONEY, default=Decimal("0.00")
    )
    community_contribution = models.DecimalField(
        _("community fund's contribution"), **MONEY, default=Decimal("0.00")
    )
    deadline = models.DateTimeField(_("deadline"))
    minimum_supermarkets = models.PositiveSmallIntegerField(
        _("minimum number of supermarkets"), default=2, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CampaignStatus.choices,
        default=CampaignStatus.COLLECTING,
    )
    to_raise = models.DecimalField(_("raised from supermarkets"), **MONEY, null=True, blank=True)
    overhead = models.DecimalField(_("overhead"), **MONEY, null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    # Grows with every change of the pledges: what the split of these pledges is cached by.
    pledges_version = models.PositiveIntegerField(default=0, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["need"],
                condition=models.Q(status="collecting"),
                name="one_collecting_campaign_per_need",
            )
        ]

    def __str__(self) -> str:
        return self.need.title

    def get_absolute_url(self) -> str:
        return reverse("campaign", args=[self.pk])

    @property
    def is_collecting(self) -> bool:
        return self.status == CampaignStatus.COLLECTING


class Pledge(models.Model):
    """A supermarket's conditional promise to pay its share, up to its cap if it gave one."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("campaign")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("supermarket"),
    )
    cap = models.DecimalField(
        _("pays at most"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("For custom weights only."),
    )
    needs_board_approval = models.BooleanField(_("subject to our board's approval"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    pledged_at = models.DateTimeField(_("pledged at"), auto_now=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="one_pledge_per_supermarket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.campaign}"

    @property
    def is_firm(self) -> bool:
        """Counts at the close: unconditional, or confirmed by the board."""
        return not self.needs_board_approval or self.confirmed_at is not None


class LateJoiner(models.Model):
    """A supermarket that adopted an already funded development (DESIGN.md §4.3)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="late_joiners", verbose_name=_("campaign")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("supermarket")
    )
    weight = models.DecimalField(_("weight"), max_digits=10, decimal_places=2, default=Decimal(1))
    premium_rate = models.DecimalField(
        _("late-joiner premium"), max_digits=5, decimal_places=4, default=Decimal(0)
    )
    # None when its catch-up share is zero (a development that cost nothing to share).
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("late joiner")
        verbose_name_plural = _("late joiners")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="one_late_join_per_supermarket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.campaign}"


class Sponsorship(models.Model):
    """For a period, the community fund pays part of an organisation's shares (DESIGN.md §4.3):
    a way to welcome a new partner. What it costs shows on the budget page."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sponsorships",
        verbose_name=_("organisation"),
    )
    percentage = models.DecimalField(
        _("percentage of its shares"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("why"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="sponsorship_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.percentage} %"


class FeeTier(models.Model):
    """A step of the yearly membership fee schedule (the community's 2022 proposal: observer,
    active, supporting)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    monthly_amount = models.DecimalField(
        _("per month"), **MONEY, validators=[MinValueValidator(Decimal("0.00"))]
    )
    description = models.CharField(_("for whom"), max_length=300, blank=True)
    is_default = models.BooleanField(
        _("default tier"), default=False, help_text=_("For an organisation's first fee.")
    )
    from_households = models.PositiveIntegerField(
        _("from member households"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the default tier of organisations with at least this many member households."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("fee tier")
        verbose_name_plural = _("fee tiers")
        ordering = ["position", "monthly_amount"]

    def __str__(self) -> str:
        return self.name

    @property
    def yearly_amount(self) -> Decimal:
        return self.monthly_amount * 12


class FeeTierAssignment(models.Model):
    """The tier a facilitator chose for an organisation: its fees are issued at it."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="fee_tier_assignment",
        verbose_name=_("organisation"),
    )
    tier = models.ForeignKey(
        FeeTier, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("tier")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("fee tier of an organisation")
        verbose_name_plural = _("fee tiers of organisations")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.tier}"


class Fee(models.Model):
    """One organisation's membership fee for one year, owed once issued. A fee re-issued at
    another tier is cancelled (its ledger entry reversed) and replaced, never edited."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="fees", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    tier = models.ForeignKey(
        FeeTier, on_delete=models.PROTECT, related_name="fees", verbose_name=_("tier")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership fee")
        verbose_name_plural = _("membership fees")
        ordering = ["-year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=models.Q(cancelled_at__isnull=True),
                name="one_fee_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


# The maintenance pool (DESIGN.md §6.1) ---------------------------------------------------------


class MaintenanceStatus(models.TextChoices):
    COLLECTING = "collecting", _("Collecting commitments")
    FUNDED = "funded", _("Funded")
    FAILED = "failed", _("Failed")


class MaintenancePlan(models.Model):
    """A provider's yearly (or other period's) upkeep of a set of modules on one series, shared
    module by module by the organisations that run each."""

    title = models.CharField(_("title"), max_length=200)
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="maintenance_plans",
        verbose_name=_("provider"),
    )
    series = models.CharField(_("Odoo series"), max_length=10)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    included = models.TextField(
        _("what is included"),
        max_length=10_000,
        help_text=_("Response time, fixes, minor Odoo updates, CI… Markdown."),
    )
    excluded = models.TextField(_("what is not included"), max_length=10_000, blank=True)
    split_rule = models.CharField(
        _("split rule"), max_length=12, choices=SplitRule.choices, default=SplitRule.EQUAL
    )
    overhead_rate = models.DecimalField(
        _("overhead rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("Kept by the community fund: 0.05 means five per cent."),
    )
    deadline = models.DateTimeField(_("commitments until"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MaintenanceStatus.choices,
        default=MaintenanceStatus.COLLECTING,
    )
    to_raise = models.DecimalField(_("raised from organisations"), **MONEY, null=True, blank=True)
    overhead = models.DecimalField(_("overhead"), **MONEY, null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The plan it renews for the next period: its page compares the two side by side.
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
    )

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("maintenance_plan", args=[self.pk])

    @property
    def is_collecting(self) -> bool:
        return self.status == MaintenanceStatus.COLLECTING


class MaintainedModule(models.Model):
    """A module a plan covers, and what its upkeep costs for the period."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="modules")
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="maintenance", verbose_name=_("module")
    )
    cost = models.DecimalField(_("cost"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        verbose_name = _("maintained module")
        verbose_name_plural = _("maintained modules")
        ordering = ["module__technical_name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "module"], name="maintained_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.module}"


class Commitment(models.Model):
    """An organisation's promise to pay its share of the modules it runs, up to its cap."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="commitments")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="maintenance_commitments",
        verbose_name=_("organisation"),
    )
    cap = models.DecimalField(
        _("pays at most"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("For the whole bill, all its modules together."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("For custom weights only."),
    )
    needs_board_approval = models.BooleanField(_("subject to our board's approval"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    committed_at = models.DateTimeField(_("committed at"), auto_now=True)

    class Meta:
        verbose_name = _("maintenance commitment")
        verbose_name_plural = _("maintenance commitments")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation"], name="one_commitment_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.plan}"

    @property
    def is_firm(self) -> bool:
        return not self.needs_board_approval or self.confirmed_at is not None


class OptOut(models.Model):
    """An organisation that no longer wants a module maintained does not share its cost."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="opt_outs")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="maintenance_opt_outs"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    opted_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opted_out_at = models.DateTimeField(_("opted out at"), auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance opt-out")
        verbose_name_plural = _("maintenance opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["plan", "organisation", "module"], name="opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} opts {self.module} out of {self.plan}"


class MaintenanceShare(models.Model):
    """What an organisation bears of a module's upkeep for the period, set when the plan is
    funded (the ledger holds each bill as a whole) and lowered by the credits of newcomers."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.PROTECT, related_name="shares")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="maintenance_shares"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("share"), **MONEY)
    # The weight it shares the module with, and what it bears of the days from the module's
    # last newcomer on (the whole period before any): what the next newcomer's split reads.
    weight = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(1))
    stake = models.DecimalField(**MONEY, default=Decimal(0))
    joined_on = models.DateField(_("joined on"), null=True, blank=True)  # None: from the start

    class Meta:
        verbose_name = _("maintenance share")
        verbose_name_plural = _("maintenance shares")
        ordering = ["module__technical_name", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation", "module"], name="one_share_per_module"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.module} {self.amount}"


class MaintenanceJoin(models.Model):
    """An organisation that started running a covered module during a funded plan's period:
    it bears its part of the days left, and the earlier sharers are credited as much."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.PROTECT, related_name="joins")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="maintenance_joins",
        verbose_name=_("organisation"),
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField(_("runs it since"))
    catch_up = models.DecimalField(_("catch-up share"), **MONEY)
    premium = models.DecimalField(_("premium"), **MONEY, default=Decimal(0))
    transaction = models.ForeignKey(
        "LedgerTransaction", on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("newcomer to a maintenance plan")
        verbose_name_plural = _("newcomers to maintenance plans")
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation", "module"], name="one_join_per_module"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} joins {self.module} in {self.plan}"
