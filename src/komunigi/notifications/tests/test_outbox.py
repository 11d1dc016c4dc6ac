from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from komunigi.community import services
from komunigi.community.models import User
from komunigi.community.tests.factories import JoinRequestFactory
from komunigi.notifications import outbox
from komunigi.notifications.models import OutboxMessage
from komunigi.testing import SmtpServer, free_port

pytestmark = pytest.mark.django_db


def queue_one(to: str = "someone@example.org") -> OutboxMessage:
    return outbox.queue_email(
        kind="test",
        to=to,
        subject="Bonjour",
        body_text="Texte",
        body_html="<p>Texte</p>",
        language="fr",
    )


def test_invitation_reaches_a_real_smtp_server_in_the_contacts_language(
    smtp_server: SmtpServer, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    join_request = JoinRequestFactory(
        organisation_name="FoodHub München", contact_email="anna@foodhub.example", language="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_join_request(join_request, actor=facilitator)

    assert smtp_server.received.wait(timeout=10)
    [message] = smtp_server.messages
    assert message["To"] == "anna@foodhub.example"
    assert message["Subject"] == "Welcome to Komunigi: FoodHub München is a member"
    assert message["Content-Language"] == "en"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "you are its representative" in text
    assert "http://127.0.0.1:8000/en/accounts/set-password/" in text
    assert '<html lang="en">' in html
    assert OutboxMessage.objects.get().sent_at is not None


def test_failed_delivery_is_recorded_and_retried_later(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    message = queue_one()

    assert outbox.deliver(message.pk) is outbox.Delivery.FAILED
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)

    # Not due yet: the retry waits for its back-off.
    assert outbox.deliver_due() == (0, 0)


def test_send_outbox_command_retries_due_messages(
    smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=1, last_error="ConnectionRefusedError", next_attempt_at=timezone.now()
    )
    call_command("send_outbox")
    assert capsys.readouterr().out == "1 sent, 0 failed\n"
    assert [m["Subject"] for m in smtp_server.messages] == ["Bonjour"]
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (2, "")


def test_a_message_is_never_sent_twice() -> None:
    message = queue_one()
    assert outbox.deliver(message.pk) is outbox.Delivery.SENT
    assert outbox.deliver(message.pk) is outbox.Delivery.SKIPPED
    assert outbox.deliver_due() == (0, 0)
    assert len(mail.outbox) == 1


def test_a_message_claimed_by_another_worker_is_left_alone_until_the_claim_expires() -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now())
    assert outbox.deliver(message.pk) is outbox.Delivery.SKIPPED
    dead_claim = timezone.now() - outbox.CLAIM_TIMEOUT - timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=dead_claim)
    assert outbox.deliver(message.pk) is outbox.Delivery.SENT
    assert len(mail.outbox) == 1


def test_a_one_time_link_does_not_stay_in_the_database_once_sent() -> None:
    message = outbox.queue_email(
        kind="invitation",
        to="new@example.org",
        subject="Welcome",
        body_text="Set your password: https://example.org/set-password/abc/",
        body_html="<a href='https://example.org/set-password/abc/'>link</a>",
        language="en",
        sensitive=True,
    )
    outbox.deliver(message.pk)
    assert "set-password/abc" in mail.outbox[0].body
    message.refresh_from_db()
    assert (message.body_text, message.body_html) == (outbox.REDACTED, "")
    assert message.subject == "Welcome"


def test_facilitators_do_not_see_email_bodies_in_the_admin(
    client: Client, facilitator: User
) -> None:
    message = queue_one()
    client.force_login(facilitator)
    page = client.get(f"/en/admin/notifications/outboxmessage/{message.pk}/change/")
    assert page.status_code == 200
    assert "Bonjour" in page.content.decode()
    assert "Texte" not in page.content.decode()


def test_messages_are_given_up_after_the_last_attempt() -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS)
    assert outbox.deliver_due() == (0, 0)
    assert mail.outbox == []


def test_retry_delay_backs_off_up_to_four_hours() -> None:
    assert [outbox.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 9, 20)] == [
        1,
        2,
        4,
        240,
        240,
    ]


def test_an_email_is_not_queued_when_its_transaction_rolls_back(
    django_capture_on_commit_callbacks,
) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                queue_one()
                raise RuntimeError("the service failed after queueing")
        except RuntimeError:
            pass
    assert OutboxMessage.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_a_retry_after_a_failed_delivery_sends_the_same_message_id(
    smtp_server: SmtpServer, settings
) -> None:
    message = queue_one()
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = free_port(), 2  # nobody listens there
    assert outbox.deliver(message.pk) is outbox.Delivery.FAILED

    settings.EMAIL_PORT = port
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver_due() == (1, 0)

    [received] = smtp_server.messages
    message.refresh_from_db()
    assert received["Message-ID"] == message.message_id
    assert message.message_id.endswith("@komunigi.localhost>")


def test_the_envelope_threads_names_the_sender_and_carries_list_headers_and_attachments(
    smtp_server: SmtpServer,
) -> None:
    envelope = outbox.Envelope(
        in_reply_to="<first@komunigi.localhost>",
        references=["<root@komunigi.localhost>", "<first@komunigi.localhost>"],
        reply_to="claire@bees.example",
        from_name="Claire Dubois (BEES coop) via Komunigi",
        from_address="community@komunigi.localhost",
        headers={"List-Id": "Entraide <community.komunigi.localhost>", **outbox.BULK_HEADERS},
        attachments=[outbox.Attachment("notes.txt", "text/plain", "Bonjour".encode())],
    )
    outbox.queue_email(
        kind="test",
        to="anna@foodhub.example",
        subject="[community] Inventaire",
        body_text="Texte",
        body_html="",
        language="fr",
        envelope=envelope,
    )
    assert outbox.deliver_due() == (1, 0)

    [received] = smtp_server.messages
    assert received["From"] == '"Claire Dubois (BEES coop) via Komunigi" <community@komunigi.localhost>'
    assert received["Reply-To"] == "claire@bees.example"
    assert received["In-Reply-To"] == "<first@komunigi.localhost>"
    assert received["References"] == "<root@komunigi.localhost> <first@komunigi.localhost>"
    assert received["List-Id"] == "Entraide <community.komunigi.localhost>"
    assert received["Precedence"] == "bulk"
    assert received["Auto-Submitted"] == "auto-generated"
    [attachment] = list(received.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == ("notes.txt", "Bonjour")


def test_without_an_envelope_the_sender_is_the_instances_address() -> None:
    message = queue_one()
    assert outbox.sender(message) == "Komunigi <noreply@komunigi.localhost>"
    assert outbox.headers_of(message)["Message-ID"] == message.message_id
