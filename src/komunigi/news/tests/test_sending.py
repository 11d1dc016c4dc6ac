"""Sending an issue: real SMTP and its headers, batches that survive a restart, schedules."""

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from komunigi.audit.models import AuditEvent
from komunigi.community.models import User
from komunigi.errors import DomainError
from komunigi.news import services, tasks
from komunigi.news.models import Delivery, Issue, IssueStatus, Subscriber
from komunigi.news.tests.factories import IssueFactory, SubscriberFactory
from komunigi.notifications import outbox
from komunigi.notifications.models import OutboxMessage
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db

BASE_URL = "https://komunigi.example.org"


def t(message: str, language: str = "fr", **params: Any) -> str:
    """``message`` as ``language`` words it: what the recipient reads."""
    with translation.override(language):
        translated = translation.gettext(message)
    return translated % params if params else translated


def text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def issue_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind="newsletter-issue").order_by("to"))


def test_newsletter_email_carries_the_one_click_unsubscribe_headers_and_link(
    smtp_server: SmtpServer, facilitator: User, settings, django_capture_on_commit_callbacks
) -> None:
    settings.KOMUNIGI_BASE_URL = BASE_URL
    subscriber = SubscriberFactory(email="reader@example.org", language="en")
    issue = IssueFactory(
        title_fr="Rencontre de mars",
        body_fr="Rendez-vous le **19 mars**.",
        title_en="March meeting",
        body_en="See you on **19 March**.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_issue_now(issue, actor=facilitator)

    [message] = smtp_server.messages
    assert message["To"] == "reader@example.org"
    assert message["Subject"] == "March meeting"
    assert message["Content-Language"] == "en"
    assert message["Precedence"] == "bulk"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The long header is folded after its name: the folding white space is no part of it.
    header = str(message["List-Unsubscribe"]).strip()
    assert re.fullmatch(rf"<{re.escape(BASE_URL)}/en/news/unsubscribe/[^/>]+/>", header)
    url = header[1:-1]
    assert f"Unsubscribe in one click: {url}" in text(message)
    assert f'<a href="{url}"' in html(message)
    # Its own unsubscribe line, once: not the notifications' footer as well.
    assert (text(message).count(url), html(message).count(url)) == (1, 1)
    assert "<strong>19 March</strong>" in html(message)
    assert f"{BASE_URL}/en/news/{issue.slug}/" in text(message)

    # The header's address works as RFC 8058 wants: a POST, without cookie or token.
    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix(BASE_URL),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_confirmation_email_reaches_a_real_smtp_server_with_its_link(
    smtp_server: SmtpServer, settings, django_capture_on_commit_callbacks
) -> None:
    settings.KOMUNIGI_BASE_URL = BASE_URL
    with django_capture_on_commit_callbacks(execute=True):
        services.request_subscription(email="new@example.org", language="de", client="192.0.2.1")
    [message] = smtp_server.messages
    assert message["To"] == "new@example.org"
    assert message["Content-Language"] == "de"
    assert message["List-Unsubscribe"] is None  # not a newsletter: nothing to unsubscribe from
    [link] = re.findall(rf"{re.escape(BASE_URL)}/de/news/confirm/\S+/", text(message))
    assert f'href="{link}"' in html(message)
    # The link is a consent: its text does not stay readable in the outbox once sent.
    assert OutboxMessage.objects.get().body_text == outbox.REDACTED


def test_each_subscriber_gets_their_language_or_french(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory(email="nl@example.org", language="nl")
    SubscriberFactory(email="de@example.org", language="de")
    SubscriberFactory(email="fr@example.org", language="fr")
    issue = IssueFactory(title_fr="Bonjour", title_nl="Hallo", body_nl="Nieuws.")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_issue_now(issue, actor=facilitator)
    assert [(m.to, m.subject, m.language) for m in issue_messages()] == [
        ("de@example.org", "Bonjour", "fr"),
        ("fr@example.org", "Bonjour", "fr"),
        ("nl@example.org", "Hallo", "nl"),
    ]


def test_sending_resumes_after_a_worker_restart_and_never_writes_twice(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    subscribers = SubscriberFactory.create_batch(5)
    SubscriberFactory(status="pending", consent_at=None)
    issue = IssueFactory()
    # Not capturing the commit callbacks: the batch task is left unrun, as by a worker
    # stopped right after the facilitator pressed "send".
    services.send_issue_now(issue, actor=facilitator)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING

    assert services.queue_issue_batch(issue.pk, size=2) is True
    assert services.progress(issue) == services.Progress(sent=0, failed=0, remaining=5)
    # The worker dies here. Cron's command resumes: the task runs again, to the end.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_newsletters() == (0, 1)
    # And once more, as a duplicate task or a second cron run would.
    assert tasks.send_issue_batch.call(issue.pk) is False
    services.queue_issue_batch(issue.pk)

    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert issue.sent_at is not None
    assert sorted(m.to for m in issue_messages()) == sorted(s.email for s in subscribers)
    assert Delivery.objects.filter(issue=issue).count() == 5
    # The first batch's e-mails were queued but not sent when the worker died: the outbox's
    # own retry (`komunigi send_outbox`) sends them, once.
    assert services.progress(issue) == services.Progress(sent=3, failed=0, remaining=2)
    assert outbox.deliver_due() == (2, 0)
    assert outbox.deliver_due() == (0, 0)
    assert services.progress(issue) == services.Progress(sent=5, failed=0, remaining=0)


def test_delivery_is_unique_per_issue_and_address(facilitator: User) -> None:
    from django.db import IntegrityError, transaction

    issue = IssueFactory()
    Delivery.objects.create(issue=issue, address_hash="h", language="fr")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(issue=issue, address_hash="h", language="fr")


def test_progress_counts_sent_failed_and_remaining_from_the_outbox(facilitator: User) -> None:
    SubscriberFactory.create_batch(4)
    issue = IssueFactory()
    services.send_issue_now(issue, actor=facilitator)
    services.queue_issue_batch(issue.pk, size=3)
    issue.refresh_from_db()
    first, second, _third = (d.message for d in Delivery.objects.order_by("pk"))
    assert outbox.deliver(first.pk) is outbox.Delivery.SENT
    OutboxMessage.objects.filter(pk=second.pk).update(last_error="SMTPServerDisconnected")
    assert services.progress(issue) == services.Progress(sent=1, failed=1, remaining=2)


def test_issue_page_shows_the_progress_bar(facilitator: User) -> None:
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    services.send_issue_now(issue, actor=facilitator)
    services.queue_issue_batch(issue.pk, size=1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(facilitator)
    page = client.get(f"/en/facilitation/newsletter/{issue.pk}/").content.decode()
    assert '<progress class="sending" max="3" value="0"' in page
    assert "Sent: 0 · failed (retried later): 0 · remaining: 3" in page
    partial = client.get(f"/en/facilitation/newsletter/{issue.pk}/progress/").content.decode()
    assert 'hx-trigger="every 5s"' in partial


def test_the_progress_bar_refreshes_until_the_outbox_has_sent_the_last_email(
    facilitator: User,
) -> None:
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    services.send_issue_now(issue, actor=facilitator)
    assert services.queue_issue_batch(issue.pk) is False  # one batch: the issue is "sent"
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(facilitator)
    progress_url = f"/en/facilitation/newsletter/{issue.pk}/progress/"
    # Queued, not delivered yet: the page and the bar it reloads keep polling.
    page = client.get(f"/en/facilitation/newsletter/{issue.pk}/").content.decode()
    assert f'hx-get="{progress_url}" hx-trigger="every 5s"' in page
    partial = client.get(progress_url).content.decode()
    assert "Sent: 0 · failed (retried later): 0 · remaining: 3" in partial
    assert f'hx-get="{progress_url}" hx-trigger="every 5s"' in partial

    assert outbox.deliver_due() == (3, 0)
    partial = client.get(progress_url).content.decode()
    assert "Sent: 3 · failed (retried later): 0 · remaining: 0" in partial
    assert "hx-trigger" not in partial  # the swap that shows the end stops the polling


def test_scheduled_issue_starts_when_its_time_has_come(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory(email="reader@example.org")
    issue = IssueFactory()
    at = timezone.now() + timedelta(hours=1)
    services.schedule_issue(issue, actor=facilitator, at=at)
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (IssueStatus.SCHEDULED, at)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_newsletters() == (0, 0)
    assert issue_messages() == []
    assert not Issue.objects.published().exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_newsletters")  # an hour early still: nothing
        assert services.send_due_newsletters(now=at + timedelta(minutes=1)) == (1, 0)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert [m.to for m in issue_messages()] == ["reader@example.org"]
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        "news.issue.scheduled",
        "news.issue.sending_started",
        "news.issue.sent",
    ]


def test_unscheduled_issue_is_not_sent(facilitator: User) -> None:
    SubscriberFactory()
    issue = IssueFactory()
    at = timezone.now() + timedelta(minutes=5)
    services.schedule_issue(issue, actor=facilitator, at=at)
    services.unschedule_issue(issue, actor=facilitator)
    assert services.send_due_newsletters(now=at + timedelta(hours=1)) == (0, 0)
    assert tasks.start_scheduled_issue.call(issue.pk) is False
    assert Issue.objects.get().status == IssueStatus.DRAFT


def test_scheduling_in_the_past_is_refused(facilitator: User) -> None:
    issue = IssueFactory()
    with pytest.raises(DomainError):
        services.schedule_issue(issue, actor=facilitator, at=timezone.now() - timedelta(1))
    assert Issue.objects.get().status == IssueStatus.DRAFT


def test_sent_issue_cannot_be_sent_again_nor_edited(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory()
    issue = IssueFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_issue_now(issue, actor=facilitator)
    with pytest.raises(DomainError):
        services.send_issue_now(issue, actor=facilitator)
    with pytest.raises(DomainError):
        services.update_issue(issue, actor=facilitator, texts={"title_fr": "Autre"})
    assert len(issue_messages()) == 1


def test_test_email_goes_to_the_facilitator_only_and_changes_nothing(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory()
    issue = IssueFactory(title_fr="Lettre de juin")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(issue, actor=facilitator)
    assert [(m.to, m.subject) for m in issue_messages()] == [
        ("facilitator@example.org", f"{t('[Test]', facilitator.language)} Lettre de juin")
    ]
    # In the facilitator's language.
    assert issue_messages()[0].body_text.startswith(
        t("This is a test: subscribers have not received this issue yet.", facilitator.language)
    )
    assert Issue.objects.get().status == IssueStatus.DRAFT
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("persona", ["representative", "outsider"])
def test_only_facilitators_write_and_send(persona: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    issue = IssueFactory()
    SubscriberFactory()
    with pytest.raises(PermissionDenied):
        services.create_issue(actor=user, texts={"title_fr": "X", "body_fr": "Y"})
    with pytest.raises(PermissionDenied):
        services.send_issue_now(issue, actor=user)
    with pytest.raises(PermissionDenied):
        services.send_test(issue, actor=user)
    with pytest.raises(PermissionDenied):
        services.schedule_issue(issue, actor=user, at=timezone.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.erase_subscriber(Subscriber.objects.get(), actor=user)
    assert Issue.objects.get().status == IssueStatus.DRAFT
    assert Subscriber.objects.count() == 1
    assert OutboxMessage.objects.count() == 0
