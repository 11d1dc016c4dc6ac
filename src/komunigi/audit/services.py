"""The one call every service makes to leave a trace of what it changed."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from komunigi.audit.models import AuditEvent


def log_action(
    actor: Any, action: str, target: models.Model, data: dict[str, Any] | None = None
) -> AuditEvent:
    """Record ``actor`` doing ``action`` (``"<app>.<model>.<verb>"``) on ``target``.

    Call it inside the service's transaction, so the trace and the change commit together.
    ``actor`` is None for the system (a scheduled task, an anonymous visitor).
    """
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_person else None,
        actor_label=str(actor) if is_person else "",
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_label=str(target)[:200],
        data=data or {},
    )


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """The trail of one object, newest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")
