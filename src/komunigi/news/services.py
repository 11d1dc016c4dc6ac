"""Every write of the newsletter: subscriptions, issues, and the batches that send them.

Each service runs in one transaction with its audit event and its e-mails (outbox rows);
the permission checks are here, so a page, a command and a task get the same answer.

Suppression: an address that unsubscribed or was erased is deleted and kept only as a keyed
hash (HMAC-SHA256 with SECRET_KEY). An import never adds it back. The person may come back
themself, explicitly: by confirming a new subscription through its e-mailed link, or in one
click from their own account; either lifts the suppression.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import User, normalize_email
from komunigi.errors import DomainError, require
from komunigi.news import emails, permissions, tokens
from komunigi.news.models import (
    OTHER_LANGUAGES,
    Delivery,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
    SubscriptionSource,
    Suppression,
    SuppressionReason,
)

# Deliveries queued per run of the sending task; it enqueues itself again while some remain.
BATCH_SIZE = 200
# Confirmation e-mails one address may receive per day, however often the form is sent.
CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3
# Addresses under /news/ that an issue's slug must not take.
RESERVED_SLUGS = {"feed", "subscribe", "confirm", "unsubscribe", "account"}


def address_hash(email: str) -> str:
    """The keyed hash of a normalised address: equal for equal addresses, unreadable without
    the instance's SECRET_KEY (changing that key forgets the suppressions)."""
    value = normalize_email(email)
    return salted_hmac("komunigi.news.address", value, algorithm="sha256").hexdigest()


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(address_hash=address_hash(email)).exists()


# Subscriptions


def request_subscription(*, email: str, language: str, client: str) -> None:
    """A visitor asks to subscribe ``email``: send the confirmation e-mail, and nothing more.

    The same whatever the address: unknown, waiting, confirmed or suppressed, it gets a new
    confirmation link (valid seven days; following it confirms, or for a confirmed subscriber
    changes the language) and the caller learns nothing. A waiting subscription takes the new
    language at once. Beyond a few e-mails a day an address gets no more, silently.
    Raises DomainError when ``client`` (its network) sent too many requests this hour.
    """
    from komunigi.throttle import services as throttle

    if not throttle.allow(
        "newsletter-subscription",
        client,
        limit=settings.KOMUNIGI_NEWSLETTER_SUBSCRIPTIONS_PER_IP_PER_HOUR,
        window=timedelta(hours=1),
    ):
        raise DomainError(
            _("We received many requests from your network in the last hour: try again later.")
        )
    email = normalize_email(email)
    hashed = address_hash(email)
    if not throttle.allow(
        "newsletter-address",
        hashed,
        limit=CONFIRMATIONS_PER_ADDRESS_PER_DAY,
        window=timedelta(days=1),
    ):
        return
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email,
                        address_hash=hashed,
                        language=language,
                        source=SubscriptionSource.WEB_FORM,
                        key=new_key(),
                        requested_at=now,
                    )
            except IntegrityError:  # the same address sent at the same moment
                subscriber = Subscriber.objects.select_for_update().get(email=email)
        if not subscriber.is_confirmed:
            subscriber.language = language
            subscriber.requested_at = now
        subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["language", "requested_at", "confirmation_sent_at"])
        emails.send_confirmation(subscriber, language)


def new_key() -> str:
    return secrets.token_urlsafe(18)


class InvalidLink(Exception):
    """A confirmation or unsubscribe link that is altered, too old, or no longer leads to
    anyone (the subscription was removed since)."""


def confirm_subscription(token: str) -> Subscriber:
    """Follow a confirmation link: the subscription counts from now (its consent time), in
    the language the link carries; a suppression of the address is lifted, since its owner
    just proved they want the newsletter. Confirming again changes nothing but the language.
    Raises InvalidLink. Side effects: an audit event on the first confirmation."""
    try:
        key, language = tokens.read_confirmation_token(token)
    except tokens.BadToken as error:
        raise InvalidLink from error
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(key=key).first()
        if subscriber is None:
            raise InvalidLink
        if language in dict(settings.LANGUAGES):
            subscriber.language = language
        if subscriber.is_confirmed:
            subscriber.save(update_fields=["language"])
            return subscriber
        _confirm(subscriber, actor=None)
    return subscriber


def _confirm(subscriber: Subscriber, *, actor: User | None) -> None:
    subscriber.status = SubscriberStatus.CONFIRMED
    subscriber.consent_at = timezone.now()
    subscriber.save(update_fields=["status", "consent_at", "language", "source"])
    Suppression.objects.filter(address_hash=subscriber.address_hash).delete()
    log_action(
        actor,
        "news.subscriber.confirmed",
        subscriber,
        {"source": subscriber.source, "language": subscriber.language},
    )


def subscription_of(user: Any) -> Subscriber | None:
    """The logged-in person's own subscription, by their account's address."""
    if not user.is_authenticated:
        return None
    return Subscriber.objects.filter(email=normalize_email(user.email)).first()


def subscribe_from_account(user: User) -> Subscriber:
    """One click in "My account": the account's address, confirmed at once (the address was
    proven when the account was made), in the person's language. Side effects: the
    subscriber, a lifted suppression, an audit event."""
    require(permissions.can_subscribe_from_account(user))
    email = normalize_email(user.email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            subscriber = Subscriber(
                email=email,
                address_hash=address_hash(email),
                key=new_key(),
                requested_at=timezone.now(),
            )
        elif subscriber.is_confirmed:
            return subscriber
        subscriber.language = user.language
        subscriber.source = SubscriptionSource.ACCOUNT
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.save()
        _confirm(subscriber, actor=user)
    return subscriber


def unsubscribe(token: str) -> bool:
    """Follow an unsubscribe link (or a mail client's one-click POST): the address is deleted
    and suppressed. False when it was not subscribed any more: unsubscribing twice is fine.
    Raises InvalidLink for a link that was not made here."""
    try:
        key = tokens.read_unsubscribe_token(token)
    except tokens.BadToken as error:
        raise InvalidLink from error
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(key=key).first()
        if subscriber is None:
            return False
        _remove(subscriber, SuppressionReason.UNSUBSCRIBED, actor=None)
    return True


def unsubscribe_from_account(user: User) -> bool:
    require(permissions.can_subscribe_from_account(user))
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(email=normalize_email(user.email)).first()
        )
        if subscriber is None:
            return False
        _remove(subscriber, SuppressionReason.UNSUBSCRIBED, actor=user)
    return True


def erase_subscriber(subscriber: Subscriber, *, actor: User) -> None:
    """A facilitator removes an address for good (the person asked, or mail bounces)."""
    require(permissions.can_manage_subscribers(actor))
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        if locked is not None:
            _remove(locked, SuppressionReason.ERASED, actor=actor)


def _remove(subscriber: Subscriber, reason: str, *, actor: User | None) -> None:
    suppression, _created = Suppression.objects.update_or_create(
        address_hash=subscriber.address_hash, defaults={"reason": reason}
    )
    # The trail's target is the suppression, never the deleted row: no address stays in it.
    log_action(
        actor,
        "news.subscriber.erased"
        if reason == SuppressionReason.ERASED
        else "news.subscriber.unsubscribed",
        suppression,
        {"status": subscriber.status, "language": subscriber.language, "source": subscriber.source},
    )
    subscriber.delete()


def import_subscribers(rows: list[tuple[str, str]], *, actor: User) -> tuple[int, int]:
    """Add (address, language) pairs that consented elsewhere (a former mailing list) as
    confirmed subscribers. Suppressed and already known addresses are skipped: an old list
    never brings back someone who left. Returns (added, skipped)."""
    require(permissions.can_manage_subscribers(actor))
    languages = dict(settings.LANGUAGES)
    added = skipped = 0
    now = timezone.now()
    with transaction.atomic():
        for raw, language in rows:
            email = normalize_email(raw)
            hashed = address_hash(email)
            if (
                Suppression.objects.filter(address_hash=hashed).exists()
                or Subscriber.objects.filter(email=email).exists()
            ):
                skipped += 1
                continue
            subscriber = Subscriber.objects.create(
                email=email,
                address_hash=hashed,
                language=language if language in languages else "fr",
                status=SubscriberStatus.CONFIRMED,
                source=SubscriptionSource.IMPORT,
                key=new_key(),
                requested_at=now,
                consent_at=now,
            )
            log_action(actor, "news.subscriber.imported", subscriber)
            added += 1
    return added, skipped


def forget_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete the subscriptions never confirmed whose last link has expired: an address
    that did not consent is not kept beyond its link's life."""
    now = now or timezone.now()
    deleted, _by_model = Subscriber.objects.filter(
        status=SubscriberStatus.PENDING,
        requested_at__lt=now - tokens.CONFIRMATION_VALIDITY,
    ).delete()
    return deleted


# Issues

TEXT_FIELDS = ["title_fr", "body_fr"] + [
    f"{part}_{code}" for code in OTHER_LANGUAGES for part in ("title", "body")
]

# The moves an issue's status may make; every change of status goes through `_move`.
MOVES = {
    IssueStatus.DRAFT: {IssueStatus.SCHEDULED, IssueStatus.SENDING},
    IssueStatus.SCHEDULED: {IssueStatus.DRAFT, IssueStatus.SCHEDULED, IssueStatus.SENDING},
    IssueStatus.SENDING: {IssueStatus.SENT},
    IssueStatus.SENT: set(),
}
VERBS = {
    IssueStatus.DRAFT: "unscheduled",
    IssueStatus.SCHEDULED: "scheduled",
    IssueStatus.SENDING: "sending_started",
    IssueStatus.SENT: "sent",
}


def _move(issue: Issue, to: str, *, actor: User | None, **fields: Any) -> None:
    """The one transition of an issue's status: checks the move, saves, logs."""
    if to not in MOVES[IssueStatus(issue.status)]:
        raise DomainError(_("This issue can no longer be changed: it was sent."))
    issue.status = to
    for name, value in fields.items():
        setattr(issue, name, value)
    issue.save(update_fields=["status", *fields, "updated_at"])
    data = {name: value.isoformat() for name, value in fields.items() if value is not None}
    log_action(actor, f"news.issue.{VERBS[IssueStatus(to)]}", issue, data)


def create_issue(*, actor: User, texts: dict[str, str]) -> Issue:
    """A new draft. ``texts``: title_<language> and body_<language> (French required)."""
    require(permissions.can_write_newsletter(actor))
    with transaction.atomic():
        issue = Issue.objects.create(
            slug=_unique_slug(texts["title_fr"]),
            created_by=actor,
            **{name: texts.get(name, "").strip() for name in TEXT_FIELDS},
        )
        log_action(actor, "news.issue.created", issue)
    return issue


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "newsletter"
    slug, number = base, 1
    while slug in RESERVED_SLUGS or Issue.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def update_issue(issue: Issue, *, actor: User, texts: dict[str, str]) -> None:
    require(permissions.can_write_newsletter(actor))
    with transaction.atomic():
        issue = _lock(issue)
        if not issue.is_editable:
            raise DomainError(_("This issue can no longer be changed: it was sent."))
        for name in TEXT_FIELDS:
            setattr(issue, name, texts.get(name, "").strip())
        issue.save(update_fields=[*TEXT_FIELDS, "updated_at"])
        log_action(actor, "news.issue.updated", issue)


def _lock(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().get(pk=issue.pk)


def send_test(issue: Issue, *, actor: User) -> None:
    """The issue to the facilitator themself, in their language, marked as a test."""
    require(permissions.can_write_newsletter(actor))
    with transaction.atomic():
        emails.send_issue(issue, to=actor.email, language=actor.language, key="", test=True)
        log_action(actor, "news.issue.test_sent", issue, {"to": actor.email})


def schedule_issue(issue: Issue, *, actor: User, at: datetime) -> None:
    """Have the issue sent at ``at`` (by the worker, or by `komunigi send_due_newsletters`)."""
    from komunigi.news.tasks import start_scheduled_issue

    require(permissions.can_write_newsletter(actor))
    if at <= timezone.now():
        raise DomainError(_("Choose a time in the future, or send the issue now."))
    with transaction.atomic():
        issue = _lock(issue)
        _move(issue, IssueStatus.SCHEDULED, actor=actor, scheduled_at=at)
    if start_scheduled_issue.get_backend().supports_defer:
        transaction.on_commit(lambda: start_scheduled_issue.using(run_after=at).enqueue(issue.pk))


def unschedule_issue(issue: Issue, *, actor: User) -> None:
    require(permissions.can_write_newsletter(actor))
    with transaction.atomic():
        issue = _lock(issue)
        if issue.status != IssueStatus.SCHEDULED:
            raise DomainError(_("This issue is not scheduled."))
        _move(issue, IssueStatus.DRAFT, actor=actor, scheduled_at=None)


def send_issue_now(issue: Issue, *, actor: User) -> None:
    require(permissions.can_write_newsletter(actor))
    with transaction.atomic():
        _start_sending(_lock(issue), actor=actor)


def _start_sending(issue: Issue, *, actor: User | None) -> None:
    """Publish the issue in the archive and have the batches queue its e-mails."""
    from komunigi.news.tasks import send_issue_batch

    if issue.status not in (IssueStatus.DRAFT, IssueStatus.SCHEDULED):
        raise DomainError(_("This issue is already being sent, or was sent."))
    _move(issue, IssueStatus.SENDING, actor=actor, published_at=timezone.now())
    issue_id = issue.pk
    transaction.on_commit(lambda: send_issue_batch.enqueue(issue_id))


def start_if_due(issue_id: int, *, now: datetime | None = None) -> bool:
    """Start a scheduled issue whose time has come; False if it is not (moved, started)."""
    now = now or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.status != IssueStatus.SCHEDULED:
            return False
        if issue.scheduled_at is None or issue.scheduled_at > now:
            return False
        _start_sending(issue, actor=None)
    return True


def queue_issue_batch(issue_id: int, *, size: int = BATCH_SIZE) -> bool:
    """Queue the issue for up to ``size`` more confirmed subscribers; True while more remain.

    The issue's row is locked, so two workers take turns; each subscriber gets a Delivery
    row, unique per (issue, address), in the same transaction as its outbox row: a batch is
    queued whole or not at all, and a restarted worker carries on where the last committed
    batch stopped, never writing to anyone twice. The last batch marks the issue sent.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.status != IssueStatus.SENDING:
            return False
        batch = list(_not_yet_queued(issue).only("email", "address_hash", "language", "key")[:size])
        for subscriber in batch:
            message = emails.send_issue(
                issue, to=subscriber.email, language=subscriber.language, key=subscriber.key
            )
            Delivery.objects.create(
                issue=issue,
                address_hash=subscriber.address_hash,
                language=issue.language_for(subscriber.language),
                message=message,
            )
        if len(batch) < size:
            _move(issue, IssueStatus.SENT, actor=None, sent_at=timezone.now())
            return False
    return True


def _not_yet_queued(issue: Issue) -> Any:
    queued = Delivery.objects.filter(issue=issue).values("address_hash")
    return Subscriber.objects.confirmed().exclude(address_hash__in=queued).order_by("pk")


def send_due_newsletters(*, now: datetime | None = None) -> tuple[int, int]:
    """For cron: start the scheduled issues whose time has come and resume the sendings a
    stopped worker left halfway; forget expired unconfirmed subscriptions.
    Returns (started, resumed)."""
    from komunigi.news.tasks import send_issue_batch

    now = now or timezone.now()
    interrupted = list(
        Issue.objects.filter(status=IssueStatus.SENDING).values_list("pk", flat=True)
    )
    due = Issue.objects.filter(status=IssueStatus.SCHEDULED, scheduled_at__lte=now)
    started = sum(start_if_due(pk, now=now) for pk in due.values_list("pk", flat=True))
    for issue_id in interrupted:
        send_issue_batch.enqueue(issue_id)
    forget_unconfirmed(now=now)
    return started, len(interrupted)


@dataclass(frozen=True)
class Progress:
    sent: int
    failed: int
    remaining: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.remaining


def progress(issue: Issue) -> Progress:
    """Where the sending stands, from the outbox rows' state: sent (accepted by the SMTP
    server), failed (last attempt failed; retried later), remaining (queued, or subscribers
    the next batches will reach)."""
    counts = Delivery.objects.filter(issue=issue).aggregate(
        queued=Count("pk"),
        sent=Count("pk", filter=Q(message__sent_at__isnull=False) | Q(message__isnull=True)),
        failed=Count("pk", filter=Q(message__sent_at__isnull=True) & ~Q(message__last_error="")),
    )
    waiting = _not_yet_queued(issue).count() if issue.status == IssueStatus.SENDING else 0
    remaining = counts["queued"] - counts["sent"] - counts["failed"] + waiting
    return Progress(sent=counts["sent"], failed=counts["failed"], remaining=remaining)
