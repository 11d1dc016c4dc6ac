"""Background tasks: thin, they take ids and call the outbox."""

from django_tasks import task

from komunigi.notifications import outbox
from komunigi.notifications.models import OutboxMessage


@task()
def deliver_outbox_message(message_id: int) -> str:
    result = outbox.deliver(message_id)
    if result is outbox.Delivery.FAILED and deliver_outbox_message.get_backend().supports_defer:
        # The database worker can wait: try again after the back-off. Without a worker that
        # defers, `komunigi send_outbox` (run by cron) picks the message up.
        message = OutboxMessage.objects.get(pk=message_id)
        if message.attempts < outbox.MAX_ATTEMPTS:
            deliver_outbox_message.using(run_after=message.next_attempt_at).enqueue(message_id)
    return result.value


@task()
def send_digest_task(person_id: int) -> str:
    """Send the person's digest if it is due; if it is not yet (they moved their hour), wait."""
    from django.contrib.auth import get_user_model

    from komunigi.notifications import services

    person = get_user_model().objects.filter(pk=person_id).first()
    if person is None:
        return "gone"
    if services.send_digest(person) is not None:
        return "sent"
    if not services.settings_of(person).paused:
        pending = person.digest_items.filter(digest=None).exists()
        if pending:
            services.schedule_digest(person)
    return "waiting"
