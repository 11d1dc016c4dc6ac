"""Campaigns and the ledger, readable by facilitators. The ledger is written by services only:
an entry is corrected by a reversing transaction, never edited or deleted here."""

from django.contrib import admin
from django.http import HttpRequest

from komunigi.audit.admin import AuditedAdmin, ReadOnlyAdmin
from komunigi.funding.models import (
    Campaign,
    Fee,
    FeeTier,
    FeeTierAssignment,
    LateJoiner,
    LedgerLine,
    LedgerTransaction,
    Pledge,
    Sponsorship,
)


class PledgeInline(admin.TabularInline):
    model = Pledge
    extra = 0
    fields = ["organisation", "cap", "weight", "needs_board_approval", "confirmed_at"]
    # The stubs type fields as groups of fields; these are plain names, as readonly_fields wants.
    readonly_fields = fields  # type: ignore[assignment]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["need", "status", "cost", "to_raise", "deadline"]
    list_filter = ["status", "split_rule"]
    inlines = [PledgeInline]


class LedgerLineInline(admin.TabularInline):
    model = LedgerLine
    extra = 0
    readonly_fields = ["account", "amount"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "description", "reference", "campaign", "recorded_by"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    inlines = [LedgerLineInline]


@admin.register(Sponsorship)
class SponsorshipAdmin(ReadOnlyAdmin):
    """Granted and ended on the sponsorships page, which checks periods and records who did
    it; read here only."""

    list_display = ["organisation", "percentage", "starts_on", "ends_on", "granted_by"]


@admin.register(FeeTierAssignment)
class FeeTierAssignmentAdmin(ReadOnlyAdmin):
    """Set on the fees page, which re-issues this year's fee when the tier changes."""

    list_display = ["organisation", "tier", "set_by", "set_at"]


@admin.register(LateJoiner)
class LateJoinerAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "campaign", "weight", "premium_rate", "recorded_at"]


@admin.register(FeeTier)
class FeeTierAdmin(AuditedAdmin):
    """The schedule is edited here; fees already issued keep their amount."""

    list_display = ["name", "monthly_amount", "from_households", "is_default", "position"]


@admin.register(Fee)
class FeeAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "year", "tier", "amount", "reminded_at", "cancelled_at"]
    list_filter = ["year", "tier"]
