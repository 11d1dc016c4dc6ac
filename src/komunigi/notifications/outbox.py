"""Queue e-mails in the outbox and deliver them, each exactly once, retrying on failure."""

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from komunigi.notifications.models import OutboxAttachment, OutboxMessage

logger = logging.getLogger(__name__)

# A claim older than this is presumed dead (a worker killed while talking to the SMTP server).
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 8


class Delivery(enum.Enum):
    SENT = "sent"
    FAILED = "failed"  # recorded, to be retried after ``next_attempt_at``
    SKIPPED = "skipped"  # already sent, or being sent by another worker


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 … minutes, at most 4 hours, between attempts."""
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


REDACTED = "[This e-mail held a one-time link: its text was removed once sent.]"

# Bulk mail (newsletters, digests, list posts) says so, so that autoresponders stay quiet.
BULK_HEADERS = {"Precedence": "bulk"}


def one_click_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an "unsubscribe" button that POSTs to ``url``
    (an HTTPS address in production, which must act without login or CSRF token)."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Envelope:
    """How a message is addressed beyond its recipient: threading, sender and list headers.

    ``from_name``: the display name ("Claire (BEES coop) via Komunigi"); the address stays
    ``from_address`` or DEFAULT_FROM_EMAIL's, never a member's own (DMARC).
    ``headers``: further headers (``List-Id``, ``List-Unsubscribe`` …); ``Auto-Submitted``
    defaults to ``auto-generated``, and a header given as ``""`` is left out (a list post, which
    a person wrote, leaves out ``Auto-Submitted``).
    """

    message_id: str = ""
    in_reply_to: str = ""
    references: Sequence[str] = ()
    reply_to: str = ""
    from_name: str = ""
    from_address: str = ""
    headers: Mapping[str, str] | None = None
    attachments: Sequence[Attachment] = ()
    return_path: str = ""  # the envelope's sender, where bounces go (VERP)


def new_message_id() -> str:
    """A Message-ID in the instance's own mail domain (the sender's), made once per message."""
    domain = default_sender_address().rpartition("@")[2] or "komunigi.localhost"
    return make_msgid(domain=domain)


def default_sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str,
    language: str,
    sensitive: bool = False,
    calendar: str = "",
    calendar_method: str = "",
    envelope: Envelope | None = None,
) -> OutboxMessage:
    """Record an e-mail and have a background task send it once the transaction commits.

    ``calendar``: an iCalendar text attached as ``invite.ics``, with its ``calendar_method``
    (``REQUEST``, ``CANCEL`` or ``PUBLISH``). ``envelope``: threading, sender and list
    headers, attachments. The Message-ID is fixed here: every attempt sends the same one.
    """
    from komunigi.notifications.tasks import deliver_outbox_message

    envelope = envelope or Envelope()
    message = OutboxMessage.objects.create(
        kind=kind,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        sensitive=sensitive,
        calendar=calendar,
        calendar_method=calendar_method,
        message_id=envelope.message_id or new_message_id(),
        in_reply_to=envelope.in_reply_to,
        references=" ".join(envelope.references),
        reply_to=envelope.reply_to,
        from_name=envelope.from_name,
        from_address=envelope.from_address,
        return_path=envelope.return_path,
        headers=dict(envelope.headers or {}),
        next_attempt_at=timezone.now(),
    )
    OutboxAttachment.objects.bulk_create(
        OutboxAttachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type,
            content=attachment.content,
        )
        for attachment in envelope.attachments
    )
    transaction.on_commit(lambda: deliver_outbox_message.enqueue(message.pk))
    return message


def sender(message: OutboxMessage) -> str:
    """The From header: the instance's address, with the message's display name if it has one."""
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = message.from_address or default_address
    name = message.from_name or default_name
    if not name:
        return address
    username, _at, domain = address.rpartition("@")
    return str(Address(display_name=name, username=username, domain=domain))


def headers_of(message: OutboxMessage) -> dict[str, str]:
    headers = {
        "Message-ID": message.message_id,
        "Content-Language": message.language,
        "Auto-Submitted": "auto-generated",
    }
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    if message.return_path:
        # The envelope's sender is the return path: the header names the sender itself.
        headers["From"] = sender(message)
    headers.update(message.headers)
    return {name: value for name, value in headers.items() if value}


def deliver(message_id: int) -> Delivery:
    """Send one message unless another worker is sending it or it was sent already."""
    # Always the current time: a claim must be judged against the clock, not against the
    # start of a long batch, or a slow batch would take back claims that are still alive.
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, sent_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return Delivery.SKIPPED
    message = OutboxMessage.objects.get(pk=message_id)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.return_path or sender(message),
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers_of(message),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.calendar:
        # Twice, as calendar programs expect: an alternative body, where Outlook offers to
        # accept or decline, and an invite.ics attachment for the others. Django adds
        # "charset=utf-8" to text parts itself: naming it here would repeat the parameter.
        content_type = f"text/calendar; method={message.calendar_method}"
        email.attach_alternative(message.calendar, content_type)
        email.attach("invite.ics", message.calendar, content_type)
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    try:
        email.send()
    except Exception as error:  # any failure: record it, retry later
        logger.warning("e-mail %s to %s failed: %s", message.pk, message.to, error)
        OutboxMessage.objects.filter(pk=message.pk).update(
            claimed_at=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=timezone.now() + retry_delay(message.attempts),
        )
        return Delivery.FAILED
    sent: dict[str, object] = {"sent_at": timezone.now(), "last_error": ""}
    if message.sensitive:
        sent.update(body_text=REDACTED, body_html="")
    OutboxMessage.objects.filter(pk=message.pk).update(**sent)
    return Delivery.SENT


def deliver_due(*, now: datetime | None = None) -> tuple[int, int]:
    """Try every unsent message that is due; returns (sent, failed)."""
    now = now or timezone.now()
    sent = failed = 0
    due = OutboxMessage.objects.due(now).filter(attempts__lt=MAX_ATTEMPTS).order_by("pk")
    for message_id in due.values_list("pk", flat=True):
        result = deliver(message_id)
        sent += result is Delivery.SENT
        failed += result is Delivery.FAILED
    return sent, failed
