"""Production runs tasks in a worker process: e-mails wait in the database until it takes them."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from komunigi.notifications import outbox
from komunigi.notifications.models import OutboxMessage
from komunigi.testing import SmtpServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queue_one() -> OutboxMessage:
    return outbox.queue_email(
        kind="test",
        to="a@example.org",
        subject="Hallo",
        body_text="Text",
        body_html="",
        language="de",
    )


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_worker_sends_the_emails_waiting_in_the_database(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    message = queue_one()
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1

    run_worker()

    assert [m.subject for m in mail.outbox] == ["Hallo"]
    message.refresh_from_db()
    assert message.sent_at is not None


def test_worker_schedules_a_retry_after_a_failed_delivery(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    message = queue_one()

    run_worker()

    message.refresh_from_db()
    assert message.sent_at is None
    assert message.attempts == 1
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == message.next_attempt_at
    assert retry.args_kwargs["args"] == [message.pk]


def test_worker_delivers_over_real_smtp(settings, smtp_server: SmtpServer) -> None:
    settings.TASKS = DATABASE_TASKS
    queue_one()
    run_worker()
    assert smtp_server.received.wait(timeout=10)
    assert [m["Subject"] for m in smtp_server.messages] == ["Hallo"]
