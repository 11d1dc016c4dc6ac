"""Campaigns and the ledger, readable by facilitators. The ledger is written by services only:
an entry is corrected by a reversing transaction, never edited or deleted here."""

from django.contrib import admin
from django.http import HttpRequest

from komunigi.audit.admin import AuditedAdmin, ReadOnlyAdmin
from komunigi.funding.models import (
    Campaign,
    Fee,
    FeeTier,
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
    readonly_fields = fields
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
class SponsorshipAdmin(AuditedAdmin):
    """Granted by facilitators: the share the fund pays is written at each campaign's close."""

    list_display = ["organisation", "percentage", "starts_on", "ends_on"]
    autocomplete_fields = ["organisation"]


@admin.register(LateJoiner)
class LateJoinerAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "campaign", "weight", "premium_rate", "recorded_at"]


@admin.register(FeeTier)
class FeeTierAdmin(AuditedAdmin):
    """The schedule is edited here; fees already issued keep their amount."""

    list_display = ["name", "monthly_amount", "is_default", "position"]


@admin.register(Fee)
class FeeAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "year", "tier", "amount", "reminded_at"]
    list_filter = ["year", "tier"]
