from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from komunigi.audit.models import AuditEvent
from komunigi.audit.services import log_action


class AuditedAdmin(admin.ModelAdmin):
    """An admin whose every addition, change (passwords included) and deletion also leaves an
    audit event, in the admin's own transaction. Django's change messages name the fields
    changed, never their values."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        log_action(request.user, _action(obj, "created_in_admin"), obj, {"change": message})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        log_action(request.user, _action(obj, "changed_in_admin"), obj, {"change": message})
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            log_action(request.user, _action(obj, "deleted_in_admin"), obj)
        return super().log_deletions(request, queryset)


def _action(obj: models.Model, verb: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail is append-only: readable here, never edited."""

    list_display = ["created_at", "actor_label", "action", "target_label"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "action", "target_label"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at",
        "actor",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "data",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (they check the rules and keep the trace)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
