"""Tell a person something: at once, in their daily digest, or not at all, as they chose.

``notify`` is the only way an app tells a person something. E-mails to addresses without an
account (a join request's contact, a newsletter subscriber) use ``emails.send_templated_email``
directly.
"""

import datetime
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from komunigi.audit.services import log_action
from komunigi.notifications import tokens
from komunigi.notifications.emails import absolute_url, render_subject, send_templated_email
from komunigi.notifications.events import EVENTS, Event, Mode
from komunigi.notifications.models import (
    Digest,
    DigestItem,
    NotificationSettings,
    OutboxMessage,
    Preference,
)
from komunigi.notifications.outbox import BULK_HEADERS, Envelope, one_click_unsubscribe_headers

DIGEST_KIND = "digest"  # the unsubscribe token of a digest e-mail names this kind


def settings_of(person: Any) -> NotificationSettings:
    """The person's digest hour and pause (unsaved defaults when they never chose)."""
    found = NotificationSettings.objects.filter(user_id=person.pk).first()
    return found or NotificationSettings(user_id=person.pk)


def modes_of(person: Any) -> dict[str, Mode]:
    """Every choosable kind's mode for ``person``: their choice, or the kind's default."""
    chosen = dict(Preference.objects.filter(user_id=person.pk).values_list("kind", "mode"))
    return {
        kind: Mode(chosen.get(kind, event.default))
        for kind, event in EVENTS.items()
        if not event.required and event.listed
    }


def mode_for(person: Any, event: Event) -> Mode:
    if event.required:
        return Mode.IMMEDIATE
    if settings_of(person).paused:
        return Mode.OFF
    chosen = Preference.objects.filter(user_id=person.pk, kind=event.kind).first()
    return Mode(chosen.mode) if chosen else event.default


def notify(
    person: Any,
    event: Event,
    context: Mapping[str, Any],
    *,
    template: str = "",
    sensitive: bool = False,
    calendar: str = "",
    calendar_method: str = "",
) -> Mode:
    """Tell ``person`` of ``event`` the way they chose; returns how.

    ``context`` renders the e-mail ``template`` (by default the event's kind) and must hold
    ``url``, the page the event is about, in the person's language. Side effects: an outbox
    row (sent once the caller's transaction commits) or a digest item, or nothing.
    """
    if not person.is_active:
        return Mode.OFF
    mode = mode_for(person, event)
    template = template or event.kind
    context = {**context, "recipient": person}
    if mode is Mode.DIGEST:
        keep_for_digest(person, event, template, context)
    elif mode is Mode.IMMEDIATE:
        envelope = None
        if not event.required:
            unsubscribe = unsubscribe_url(person, event.kind)
            context.update(unsubscribe_url=unsubscribe, preferences_url=preferences_url(person))
            envelope = Envelope(headers=one_click_unsubscribe_headers(unsubscribe))
        send_templated_email(
            template,
            to=person.email,
            language=person.language,
            context=context,
            sensitive=sensitive,
            calendar=calendar,
            calendar_method=calendar_method,
            envelope=envelope,
        )
    return mode


def unsubscribe_url(person: Any, kind: str) -> str:
    with translation.override(person.language):
        return absolute_url(reverse("unsubscribe", args=[tokens.unsubscribe_token(person, kind)]))


def preferences_url(person: Any) -> str:
    with translation.override(person.language):
        return absolute_url(reverse("notification_preferences"))


def keep_for_digest(person: Any, event: Event, template: str, context: Mapping[str, Any]) -> None:
    first_pending = not DigestItem.objects.filter(user_id=person.pk).pending().exists()
    DigestItem.objects.create(
        user_id=person.pk,
        kind=event.kind,
        title=render_subject(template, language=person.language, context=context),
        url=context["url"],
    )
    if first_pending:
        transaction.on_commit(lambda: schedule_digest(person))


# The digest ----------------------------------------------------------------------------


def digest_time(person: Any, now: datetime.datetime) -> datetime.datetime:
    """When ``person``'s next digest is due: today at their hour, or now if that hour is past
    and today's digest was not sent, or tomorrow at their hour."""
    hour = settings_of(person).digest_hour
    local = now.astimezone(ZoneInfo(person.time_zone))
    today = datetime.datetime.combine(local.date(), datetime.time(hour), local.tzinfo)
    if local < today:
        return today
    if not Digest.objects.filter(user_id=person.pk, day=local.date()).exists():
        return now
    return datetime.datetime.combine(
        local.date() + datetime.timedelta(days=1), datetime.time(hour), local.tzinfo
    )


def schedule_digest(person: Any) -> None:
    from komunigi.notifications.tasks import send_digest_task

    if send_digest_task.get_backend().supports_defer:
        at = digest_time(person, timezone.now())
        send_digest_task.using(run_after=at).enqueue(person.pk)


def send_digest(person: Any, *, now: datetime.datetime | None = None) -> OutboxMessage | None:
    """Queue today's digest of ``person`` if it is due and something happened.

    Idempotent: one digest per person and day (their day), each item in one digest only, so a
    restarted worker or a second cron run sends nothing twice. Side effects: a ``Digest``, its
    items claimed, an outbox row; nothing while the person pauses their notifications.
    """
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(person.time_zone))
    found = settings_of(person)
    if found.paused or local.hour < found.digest_hour or not person.is_active:
        return None
    with transaction.atomic():
        pending = list(
            DigestItem.objects.filter(user_id=person.pk, created_at__lte=now)
            .pending()
            .values_list("pk", flat=True)
        )
        if not pending:
            return None
        try:
            with transaction.atomic():
                digest = Digest.objects.create(user_id=person.pk, day=local.date())
        except IntegrityError:
            return None  # today's digest is already sent: these items wait for tomorrow's
        DigestItem.objects.filter(pk__in=pending, digest=None).update(digest=digest)
        items = list(digest.items.all())
        if not items:
            return None
        digest.message = send_templated_email(
            "digest",
            to=person.email,
            language=person.language,
            context=_digest_context(person, local.date(), items),
            envelope=Envelope(
                headers={
                    **one_click_unsubscribe_headers(unsubscribe_url(person, DIGEST_KIND)),
                    **BULK_HEADERS,
                }
            ),
        )
        digest.save(update_fields=["message"])
    return digest.message


def _digest_context(person: Any, day: datetime.date, items: list[DigestItem]) -> dict[str, Any]:
    groups: dict[str, list[DigestItem]] = {}
    for item in items:
        groups.setdefault(item.kind, []).append(item)
    return {
        "recipient": person,
        "day": day,
        "count": len(items),
        "groups": [
            (EVENTS[kind].label if kind in EVENTS else kind, group)
            for kind, group in groups.items()
        ],
        "unsubscribe_url": unsubscribe_url(person, DIGEST_KIND),
        "preferences_url": preferences_url(person),
    }


def send_due_digests(*, now: datetime.datetime | None = None) -> int:
    """Every due digest (for cron, and to catch up after the worker was down)."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    people = get_user_model().objects.filter(digest_items__digest=None).distinct()
    return sum(send_digest(person, now=now) is not None for person in people)


# Choices ---------------------------------------------------------------------------------


def update_preferences(
    person: Any,
    *,
    modes: Mapping[str, Mode],
    digest_hour: int,
    paused: bool,
) -> None:
    """Record ``person``'s choices (only kinds that differ from the default keep a row).

    Side effect: when they resume or move their hour, their pending digest is rescheduled.
    """
    with transaction.atomic():
        for kind, mode in modes.items():
            event = EVENTS[kind]
            if event.required:
                continue
            if mode == event.default:
                Preference.objects.filter(user_id=person.pk, kind=kind).delete()
            else:
                Preference.objects.update_or_create(
                    user_id=person.pk, kind=kind, defaults={"mode": mode}
                )
        NotificationSettings.objects.update_or_create(
            user_id=person.pk, defaults={"digest_hour": digest_hour, "paused": paused}
        )
        log_action(
            person,
            "notifications.preferences.changed",
            person,
            {"paused": paused, "digest_hour": digest_hour},
        )
        if not paused and DigestItem.objects.filter(user_id=person.pk).pending().exists():
            transaction.on_commit(lambda: schedule_digest(person))


def unsubscribe(person: Any, kind: str) -> list[str]:
    """Turn ``kind`` off for ``person`` (for the digest: every kind it gathers); returns the
    kinds turned off. Doing it twice is harmless."""
    if kind == DIGEST_KIND:
        kinds = [k for k, mode in modes_of(person).items() if mode is Mode.DIGEST]
    elif kind in EVENTS and not EVENTS[kind].required:
        kinds = [kind]
    else:
        kinds = []
    with transaction.atomic():
        for off in kinds:
            Preference.objects.update_or_create(
                user_id=person.pk, kind=off, defaults={"mode": Mode.OFF}
            )
        if kinds:
            log_action(person, "notifications.unsubscribed", person, {"kinds": kinds})
    return kinds
