from django.contrib import admin
from django.http import HttpRequest

from komunigi.news.models import Issue, Subscriber, Suppression


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "status", "scheduled_at", "published_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["title_fr", "slug"]
    readonly_fields = ["status", "published_at", "sent_at", "created_by"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Read only: subscribing, unsubscribing and erasing go through the services (the
    facilitators' subscribers page), which keep the suppression list and the audit trail."""

    list_display = ["email", "language", "status", "source", "requested_at", "consent_at"]
    list_filter = ["status", "language", "source"]
    search_fields = ["email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["address_hash", "reason", "created_at"]
    list_filter = ["reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
