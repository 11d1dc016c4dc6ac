from django.contrib import admin
from django.http import HttpRequest

from komunigi.audit.admin import AuditedAdmin
from komunigi.needs.models import (
    Attachment,
    Ballot,
    Comment,
    EstimateAssignment,
    Interest,
    Need,
    PriorityRound,
    Quote,
    Tag,
)


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_by"]


class QuoteInline(admin.TabularInline):
    model = Quote
    extra = 0
    fields = ["provider", "amount", "provider_contribution", "valid_until", "status"]
    # Quotes change status through the need's page (withdrawal, expiry), which records it.
    # (The stubs type fields as groups of fields; these are plain names.)
    readonly_fields = fields  # type: ignore[assignment]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Need)
class NeedAdmin(AuditedAdmin):
    list_display = ["title", "organisation", "status", "status_changed_at", "created_at"]
    list_filter = ["status", "odoo_series", "tags"]
    search_fields = ["title", "problem", "organisation__name"]
    autocomplete_fields = ["organisation", "author"]
    filter_horizontal = ["tags"]
    list_select_related = ["organisation"]
    # Status moves go through the lifecycle on the need's page, which records them.
    readonly_fields = ["status", "status_changed_at", "created_at", "updated_at"]
    inlines = [InterestInline, QuoteInline]


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Comment)
class CommentAdmin(AuditedAdmin):
    list_display = ["need", "author", "created_at"]
    search_fields = ["body", "need__title"]
    list_select_related = ["need", "author"]


@admin.register(Attachment)
class AttachmentAdmin(AuditedAdmin):
    list_display = ["name", "need", "content_type", "size", "created_at"]
    list_select_related = ["need"]
    readonly_fields = ["content_type", "size"]


@admin.register(Quote)
class QuoteAdmin(AuditedAdmin):
    list_display = ["need", "provider", "amount", "provider_contribution", "valid_until", "status"]
    list_filter = ["status", "provider"]
    list_select_related = ["need", "provider"]
    autocomplete_fields = ["need", "provider"]
    readonly_fields = ["status", "status_changed_at"]


@admin.register(EstimateAssignment)
class EstimateAssignmentAdmin(AuditedAdmin):
    list_display = ["need", "provider", "hours_budget", "hours_spent", "status"]
    list_filter = ["status", "provider"]
    list_select_related = ["need", "provider"]


@admin.register(PriorityRound)
class PriorityRoundAdmin(AuditedAdmin):
    list_display = ["title", "status", "deadline", "closed_at"]
    list_filter = ["status"]
    filter_horizontal = ["candidates"]

    def get_readonly_fields(self, request: HttpRequest, obj: PriorityRound | None = None) -> list:
        # Once a supermarket has ranked, what it ranked and until when may no longer change.
        if obj is not None and (not obj.is_open or obj.ballots.exists()):
            return ["title", "candidates", "deadline", "status", "closed_at", "result"]
        return ["status", "closed_at", "result"]

    def has_delete_permission(self, request: HttpRequest, obj: PriorityRound | None = None) -> bool:
        return obj is None or (obj.is_open and not obj.ballots.exists())


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    """Ballots are read here, never edited: a round's count must stay recountable."""

    list_display = ["round", "organisation", "updated_at"]
    list_select_related = ["round", "organisation"]
    readonly_fields = ["round", "organisation", "ranking", "cast_by", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
