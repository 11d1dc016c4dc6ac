from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from komunigi.notifications.models import OutboxMessage
from komunigi.notifications.tasks import deliver_outbox_message


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "subject", "sent_at", "attempts"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to", "subject"]
    actions = ["retry_now"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    # Bodies may hold one-time links (invitations, password resets): reading them would let
    # anyone with admin access log in as the recipient. Only superusers see them.
    BODIES = ["body_text", "body_html"]

    # Plain names are valid field groups, but the stubs' list of groups is invariant.
    def get_fields(self, request: HttpRequest, obj: object = None) -> list[str]:  # type: ignore[override]
        fields = [f.name for f in OutboxMessage._meta.fields if f.name != "id"]
        if not request.user.is_superuser:
            fields = [f for f in fields if f not in self.BODIES]
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Retry sending now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        unsent = list(queryset.filter(sent_at=None).values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=unsent).update(next_attempt_at=timezone.now())
        for message_id in unsent:
            deliver_outbox_message.enqueue(message_id)
        self.message_user(
            request,
            ngettext("%d e-mail queued again.", "%d e-mails queued again.", len(unsent))
            % len(unsent),
            messages.SUCCESS,
        )
