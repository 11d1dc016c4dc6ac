"""notify(): at once, in the digest or not at all, as each person chose."""

import datetime
from decimal import Decimal
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import User
from komunigi.community.tests.factories import UserFactory
from komunigi.notifications import events, outbox, services
from komunigi.notifications.events import Mode
from komunigi.notifications.models import Digest, DigestItem, OutboxMessage
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db

# Tomorrow, 11:00 UTC (12:00 in Brussels): after the events the tests record now.
NOON = (timezone.now() + datetime.timedelta(days=1)).replace(
    hour=11, minute=0, second=0, microsecond=0
)


def person(**fields: object) -> User:
    return UserFactory(language="en", time_zone="Europe/Brussels", **fields)


def tell(recipient: User, event: events.Event = events.NEED_STATUS, title: str = "Stock") -> Mode:
    """A need-status notice (a kind without bodies of its own: subject and link)."""
    return services.notify(
        recipient,
        event,
        {
            "need": {"title": title, "reference": "#12"},
            "status": "quoted",
            "url": "http://127.0.0.1:8000/en/needs/12/",
        },
    )


def set_mode(recipient: User, event: events.Event, mode: Mode, **settings: object) -> None:
    found = services.settings_of(recipient)
    services.update_preferences(
        recipient,
        modes={event.kind: mode},
        digest_hour=int(settings.get("digest_hour", found.digest_hour)),
        paused=bool(settings.get("paused", False)),
    )


def test_a_kind_left_at_its_default_follows_the_default() -> None:
    recipient = person()
    assert events.NEED_STATUS.default is Mode.DIGEST
    assert tell(recipient) is Mode.DIGEST
    assert [i.title for i in DigestItem.objects.all()] == ["#12 Stock is now “quoted”"]
    assert OutboxMessage.objects.count() == 0


def test_immediately_queues_the_email_in_the_persons_language_with_its_stop_link(
    smtp_server: SmtpServer,
) -> None:
    recipient = person()
    set_mode(recipient, events.NEED_STATUS, Mode.IMMEDIATE)
    assert tell(recipient) is Mode.IMMEDIATE
    assert outbox.deliver_due() == (1, 0)

    [message] = smtp_server.messages
    assert message["Subject"] == "#12 Stock is now “quoted”"
    unsubscribe = message["List-Unsubscribe"].strip()  # folded: the token is long
    assert unsubscribe.startswith("<http://127.0.0.1:8000/en/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert unsubscribe.strip("<>") in text
    assert unsubscribe.strip("<>") in html
    assert "http://127.0.0.1:8000/en/needs/12/" in text


def test_not_at_all_drops_the_event_and_a_pause_drops_every_kind_but_required_ones() -> None:
    recipient = person()
    set_mode(recipient, events.NEED_STATUS, Mode.OFF)
    assert tell(recipient) is Mode.OFF
    set_mode(recipient, events.NEED_STATUS, Mode.IMMEDIATE, paused=True)
    assert tell(recipient) is Mode.OFF
    assert (OutboxMessage.objects.count(), DigestItem.objects.count()) == (0, 0)

    # A meeting invitation is required: it is sent whatever the pause.
    assert tell(recipient, events.MEETING_INVITATION) is Mode.IMMEDIATE
    [message] = OutboxMessage.objects.all()
    assert "List-Unsubscribe" not in message.headers


def test_an_inactive_person_is_told_nothing() -> None:
    recipient = person(is_active=False)
    assert tell(recipient, events.MEETING_INVITATION) is Mode.OFF
    assert OutboxMessage.objects.count() == 0


def test_the_digest_gathers_the_days_events_by_kind_once_at_the_persons_hour(
    smtp_server: SmtpServer,
) -> None:
    recipient = person()
    set_mode(recipient, events.NEED_COMMENT, Mode.DIGEST, digest_hour=18)
    tell(recipient, title="Stock")
    tell(recipient, title="Cash register")
    services.notify(
        recipient,
        events.NEED_QUOTE,
        {
            "quote": {"provider": {"name": "Coop IT Easy"}, "amount": Decimal("1500.00")},
            "need": {"title": "Stock", "reference": "#12"},
            "url": "http://127.0.0.1:8000/en/needs/12/#quotes",
        },
    )
    assert DigestItem.objects.count() == 2  # quotes are immediate by default

    assert services.send_digest(recipient, now=NOON) is None  # 12:00 < 18:00 in Brussels
    evening = NOON + datetime.timedelta(hours=6)
    assert services.send_digest(recipient, now=evening) is not None
    # A restarted worker, or cron after the worker: nothing twice.
    assert services.send_digest(recipient, now=evening + datetime.timedelta(minutes=5)) is None
    assert services.send_due_digests(now=evening) == 0
    outbox.deliver_due()

    digests = [m for m in smtp_server.messages if m["Subject"].startswith("Komunigi:")]
    [digest] = digests
    assert digest["Subject"] == "Komunigi: 2 things happened since your last digest"
    assert digest["Precedence"] == "bulk"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = digest.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "A need I follow changes status\n- #12 Stock is now “quoted”" in text
    assert "- #12 Cash register is now “quoted”" in text
    assert Digest.objects.get().day == NOON.date()


def test_no_digest_is_sent_on_a_day_when_nothing_happened() -> None:
    recipient = person()
    assert services.send_digest(recipient, now=NOON) is None
    assert Digest.objects.count() == 0


def test_an_event_after_todays_digest_waits_for_tomorrows() -> None:
    recipient = person()
    set_mode(recipient, events.NEED_STATUS, Mode.DIGEST, digest_hour=7)
    tell(recipient, title="Stock")
    assert services.send_digest(recipient, now=NOON) is not None
    tell(recipient, title="Cash register")
    assert services.send_digest(recipient, now=NOON + datetime.timedelta(hours=2)) is None
    tomorrow = NOON + datetime.timedelta(days=1)
    assert services.send_digest(recipient, now=tomorrow) is not None
    assert [d.items.get().title for d in Digest.objects.order_by("day")] == [
        "#12 Stock is now “quoted”",
        "#12 Cash register is now “quoted”",
    ]


def test_a_paused_persons_digest_waits_until_they_resume() -> None:
    recipient = person()
    tell(recipient)
    set_mode(recipient, events.NEED_STATUS, Mode.DIGEST, paused=True)
    assert services.send_digest(recipient, now=NOON) is None
    set_mode(recipient, events.NEED_STATUS, Mode.DIGEST, paused=False)
    assert services.send_digest(recipient, now=NOON) is not None


def test_the_digest_time_is_the_persons_hour_on_their_clock() -> None:
    recipient = UserFactory(time_zone="America/Montreal")
    set_mode(recipient, events.NEED_STATUS, Mode.DIGEST, digest_hour=8)
    # 11:00 UTC is 06:00 in Montréal: due at 08:00 there, 13:00 UTC.
    assert services.digest_time(recipient, NOON) == NOON.replace(hour=13)


def unsubscribe_path(message: EmailMessage | OutboxMessage) -> str:
    header = (
        message["List-Unsubscribe"]
        if isinstance(message, EmailMessage)
        else (message.headers["List-Unsubscribe"])
    )
    return urlsplit(header.strip().strip("<>")).path


def test_one_click_unsubscribe_needs_no_login_nor_csrf_token_and_a_get_only_asks() -> None:
    recipient = person()
    set_mode(recipient, events.NEED_STATUS, Mode.IMMEDIATE)
    tell(recipient)
    path = unsubscribe_path(OutboxMessage.objects.get())
    client = Client(enforce_csrf_checks=True)

    asked = client.get(path)
    assert asked.status_code == 200
    assert "Yes, stop them" in asked.content.decode()
    assert services.modes_of(recipient)["need-status"] is Mode.IMMEDIATE  # a scanner's GET

    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert services.modes_of(recipient)["need-status"] is Mode.OFF
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: fine
    assert tell(recipient) is Mode.OFF


def test_the_digests_stop_link_turns_off_every_kind_it_gathers() -> None:
    recipient = person()
    tell(recipient)
    message = services.send_digest(recipient, now=NOON)
    assert message is not None
    Client().post(unsubscribe_path(message))
    modes = services.modes_of(recipient)
    assert [kind for kind, mode in modes.items() if mode is Mode.DIGEST] == []
    assert modes["need-status"] is Mode.OFF
    assert modes["need-comment"] is Mode.IMMEDIATE  # not in the digest: untouched


@pytest.mark.parametrize("token", ["nonsense", "eyJwZXJzb24iOjF9:1tamper:bad"])
def test_an_altered_unsubscribe_link_changes_nothing_and_says_so(token: str) -> None:
    recipient = person()
    answer = Client().post(f"/en/unsubscribe/{token}/")
    assert answer.status_code == 400
    assert "This link does not work" in answer.content.decode()
    assert services.modes_of(recipient)["need-status"] is Mode.DIGEST


def test_the_message_id_is_fixed_when_the_notification_is_queued() -> None:
    recipient = person()
    set_mode(recipient, events.NEED_STATUS, Mode.IMMEDIATE)
    tell(recipient)
    message = OutboxMessage.objects.get()
    assert outbox.headers_of(message)["Message-ID"] == message.message_id
    assert message.created_at <= timezone.now()
