"""The one call every service makes to leave a trace of what it changed."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from komunigi.audit.models import AuditEvent

if TYPE_CHECKING:
    from komunigi.community.models import User  # community's services import this module


def log_action(
    actor: "User | AnonymousUser | None",
    action: str,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record ``actor`` doing ``action`` (``"<app>.<model>.<verb>"``) on ``target``.

    Call it inside the service's transaction, so the trace and the change commit together.
    ``actor`` is None for the system (a scheduled task, an anonymous visitor).
    """
    person = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=person,
        actor_label=str(person) if person is not None else "",
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
