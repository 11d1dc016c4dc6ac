"""Double opt-in, the answer that says nothing, unsubscribing and suppression."""

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from komunigi.audit.models import AuditEvent
from komunigi.community.models import User
from komunigi.news import services, tokens
from komunigi.news.models import Subscriber, SubscriberStatus, Suppression
from komunigi.news.tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def t(message: str, language: str = "fr", **params: Any) -> str:
    """``message`` as the page or e-mail in ``language`` words it: the exact words the person
    sees (French, the default language, is that of the pages at the root URL)."""
    with translation.override(language):
        translated = translation.gettext(message)
    return translated % params if params else translated


def tn(singular: str, plural: str, count: int, language: str = "fr", **params: Any) -> str:
    """Like `t`, for a message with plural forms chosen by ``count``."""
    with translation.override(language):
        return translation.ngettext(singular, plural, count) % params


def confirmation_subject(language: str = "fr") -> str:
    return t(
        "Confirm your subscription to the %(community_name)s newsletter",
        language,
        community_name=settings.KOMUNIGI_COMMUNITY_NAME,
    )


def subscribe(client: Client, email: str, language: str = "fr", *, ip: str = "198.51.100.7"):
    return client.post(
        "/news/subscribe/",
        {"email": email, "language": language, "website": ""},
        REMOTE_ADDR=ip,
    )


def confirmation_link(message: mail.EmailMessage) -> str:
    [link] = re.findall(r"https?://\S+/news/confirm/\S+/", message.body)
    return link.split("testserver", 1)[-1].removeprefix("http://localhost")


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_subscription_sends_one_confirmation_and_stays_pending(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, " Camille@Example.org ", "nl")
    assert (response.status_code, response["Location"]) == (302, "/news/subscribe/sent/")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.language, subscriber.status, subscriber.source) == (
        "camille@example.org",
        "nl",
        SubscriberStatus.PENDING,
        "web",
    )
    assert subscriber.consent_at is None
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    # Dutch subscriber: a Dutch e-mail, and a Dutch page behind the link.
    assert mail.outbox[0].subject == confirmation_subject("nl")
    assert "/nl/news/confirm/" in mail.outbox[0].body


def test_confirming_the_link_records_consent_and_its_time(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "camille@example.org")
    link = path_of(re.findall(r"https?://\S+", mail.outbox[0].body)[0])

    page = client.get(link)
    assert page.status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING  # a GET changes nothing
    assert t("Confirm my subscription") in page.content.decode()

    response = client.post(link)
    assert response.status_code == 200
    assert t("You are subscribed") in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.consent_at is not None
    assert AuditEvent.objects.get().action == "news.subscriber.confirmed"
    # Following the link again is harmless.
    assert client.post(link).status_code == 200
    assert AuditEvent.objects.count() == 1


def test_confirmation_link_expires_after_seven_days(monkeypatch: pytest.MonkeyPatch) -> None:
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, consent_at=None)
    week = tokens.CONFIRMATION_VALIDITY.total_seconds()
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now - week - 1)
    expired = tokens.confirmation_token(subscriber.key, "fr")
    monkeypatch.setattr("django.core.signing.time.time", lambda: now - week + 60)
    almost = tokens.confirmation_token(subscriber.key, "fr")
    monkeypatch.setattr("django.core.signing.time.time", lambda: now)

    client = Client()
    response = client.post(f"/en/news/confirm/{expired}/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING

    assert client.post(f"/news/confirm/{almost}/").status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_second_request_resends_and_the_answer_is_the_same_for_every_address(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory(email="known@example.org")
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for email in ["known@example.org", "unknown@example.org", "unknown@example.org"]:
            response = subscribe(client, email)
            answers.append((response.status_code, response["Location"]))
    assert answers == [(302, "/news/subscribe/sent/")] * 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "known@example.org",
        "unknown@example.org",
        "unknown@example.org",
    ]
    assert len({m.subject for m in mail.outbox}) == 1
    page = client.get("/news/subscribe/sent/").content.decode()
    days = tokens.CONFIRMATION_VALIDITY.days
    assert (
        tn(
            "We sent a confirmation link to the address you gave. Follow it within %(days)s day"
            " to receive the newsletter; without it, nothing more is sent.",
            "We sent a confirmation link to the address you gave. Follow it within %(days)s days"
            " to receive the newsletter; without it, nothing more is sent.",
            days,
            days=days,
        )
        in page
    )
    # The known subscriber stays as it was until they follow the link.
    assert Subscriber.objects.get(email="known@example.org").status == SubscriberStatus.CONFIRMED


def test_an_address_gets_at_most_three_confirmations_a_day_and_the_page_says_the_same(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answers = [subscribe(client, "target@example.org")["Location"] for _ in range(5)]
    assert answers == ["/news/subscribe/sent/"] * 5
    assert len(mail.outbox) == services.CONFIRMATIONS_PER_ADDRESS_PER_DAY


def test_subscription_form_is_rate_limited_per_network(
    client: Client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.KOMUNIGI_NEWSLETTER_SUBSCRIPTIONS_PER_IP_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "a@example.org")
        subscribe(client, "b@example.org")
        refused = subscribe(client, "c@example.org")
        other_network = subscribe(client, "d@example.org", ip="203.0.113.9")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert (
        t("We received many requests from your network in the last hour: try again later.") in page
    )
    assert 'value="c@example.org"' in page  # what was typed is kept
    assert other_network.status_code == 302
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "a@example.org",
        "b@example.org",
        "d@example.org",
    ]


def test_subscription_form_rejects_bad_input_keeping_it(client: Client) -> None:
    response = subscribe(client, "not-an-address", "xx")
    assert response.status_code == 400
    page = response.content.decode()
    assert t("Enter a valid e-mail address, such as name@example.org.") in page
    assert t("Choose a language from the list.") in page
    assert 'value="not-an-address"' in page
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_robot_filling_the_hidden_field_gets_the_same_answer_and_nothing_happens(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/news/subscribe/",
            {"email": "bot@example.org", "language": "fr", "website": "http://spam"},
        )
    assert response["Location"] == "/news/subscribe/sent/"
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_unsubscribing_deletes_the_address_and_suppresses_it(client: Client) -> None:
    subscriber = SubscriberFactory(email="leaving@example.org")
    token = tokens.unsubscribe_token(subscriber.key)

    page = client.get(f"/news/unsubscribe/{token}/")
    assert page.status_code == 200
    assert Subscriber.objects.exists()  # a link scanner's GET unsubscribes nobody

    response = client.post(f"/news/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert t("You are unsubscribed") in response.content.decode()
    assert not Subscriber.objects.exists()
    assert services.is_suppressed("Leaving@example.org")
    suppression = Suppression.objects.get()
    assert "leaving" not in suppression.address_hash
    event = AuditEvent.objects.get()
    assert event.action == "news.subscriber.unsubscribed"
    assert "leaving@example.org" not in f"{event.target_label} {event.data}"
    # Twice is fine.
    again = client.post(f"/news/unsubscribe/{token}/")
    assert again.status_code == 200
    assert t("You are unsubscribed") in again.content.decode()


def test_one_click_unsubscribe_needs_no_csrf_token_nor_login() -> None:
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/news/unsubscribe/{tokens.unsubscribe_token(subscriber.key)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("view", ["confirm", "unsubscribe"])
def test_altered_links_get_a_clear_page_and_change_nothing(
    client: Client, method: str, view: str
) -> None:
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, consent_at=None)
    good = (
        tokens.confirmation_token(subscriber.key, "fr")
        if view == "confirm"
        else tokens.unsubscribe_token(subscriber.key)
    )
    # An unsubscribe token used as a confirmation one and the reverse: salts differ.
    swapped = (
        tokens.unsubscribe_token(subscriber.key)
        if view == "confirm"
        else tokens.confirmation_token(subscriber.key, "fr")
    )
    for bad in [good[:-2] + "xx", swapped, "nonsense"]:
        response = getattr(client, method)(f"/en/news/{view}/{bad}/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert not Suppression.objects.exists()


def test_confirmation_link_of_a_removed_subscription_no_longer_works(client: Client) -> None:
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, consent_at=None)
    token = tokens.confirmation_token(subscriber.key, "fr")
    client.post(f"/news/unsubscribe/{tokens.unsubscribe_token(subscriber.key)}/")
    assert client.get(f"/news/confirm/{token}/").status_code == 400
    assert client.post(f"/news/confirm/{token}/").status_code == 400
    assert not Subscriber.objects.exists()


def test_suppressed_address_is_not_imported_again(facilitator: User) -> None:
    subscriber = SubscriberFactory(email="left@example.org")
    services.erase_subscriber(subscriber, actor=facilitator)
    added, skipped = services.import_subscribers(
        [("LEFT@example.org", "fr"), ("new@example.org", "de")], actor=facilitator
    )
    assert (added, skipped) == (1, 1)
    assert list(Subscriber.objects.values_list("email", "language", "source")) == [
        ("new@example.org", "de", "import")
    ]


def test_suppression_is_lifted_only_by_the_persons_own_confirmation(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    subscriber = SubscriberFactory(email="back@example.org")
    client.post(f"/news/unsubscribe/{tokens.unsubscribe_token(subscriber.key)}/")
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "back@example.org", "en")
    assert services.is_suppressed("back@example.org")  # a request alone lifts nothing
    link = path_of(re.findall(r"https?://\S+", mail.outbox[0].body)[0])
    client.post(link)
    assert not services.is_suppressed("back@example.org")
    assert Subscriber.objects.get().language == "en"


def test_confirming_again_changes_the_language_of_a_confirmed_subscriber(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory(email="reader@example.org", language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "reader@example.org", "es")
    assert Subscriber.objects.get().language == "fr"
    client.post(path_of(re.findall(r"https?://\S+", mail.outbox[0].body)[0]))
    assert Subscriber.objects.get().language == "es"


def test_unconfirmed_subscriptions_are_forgotten_once_their_link_expired() -> None:
    from django.utils import timezone

    old = timezone.now() - tokens.CONFIRMATION_VALIDITY - timedelta(minutes=1)
    SubscriberFactory(email="old@example.org", status="pending", requested_at=old)
    SubscriberFactory(email="recent@example.org", status="pending")
    SubscriberFactory(email="confirmed@example.org", requested_at=old)
    assert services.forget_unconfirmed() == 1
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "confirmed@example.org",
        "recent@example.org",
    ]


def test_member_subscribes_and_unsubscribes_from_my_account(outsider: User) -> None:
    outsider.language = "de"
    outsider.save(update_fields=["language"])
    client = Client()
    client.force_login(outsider)
    page = client.get("/account/").content.decode()
    assert t("Subscribe to the newsletter") in page  # the pages at the root URL are French

    response = client.post("/news/account/subscribe/")
    assert response["Location"] == "/account/#newsletter"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.language, subscriber.status, subscriber.source) == (
        "outsider@example.org",
        "de",
        SubscriberStatus.CONFIRMED,
        "account",
    )
    assert subscriber.consent_at is not None
    assert mail.outbox == []  # the account's address is proven already: no confirmation
    page = client.get("/account/").content.decode()
    with translation.override("fr"):
        german = subscriber.get_language_display()
    # (`language` names the placeholder here, not the language of `t`.)
    receiving = t("You receive the newsletter at this address, in %(language)s.")
    assert receiving % {"language": german} in page

    client.post("/news/account/unsubscribe/")
    assert not Subscriber.objects.exists()
    assert services.is_suppressed("outsider@example.org")
    # Coming back in one click is the person's own explicit choice: it lifts the suppression.
    client.post("/news/account/subscribe/")
    assert Subscriber.objects.get().is_confirmed
    assert not services.is_suppressed("outsider@example.org")


def test_account_subscription_needs_login(client: Client) -> None:
    response = client.post("/news/account/subscribe/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Subscriber.objects.exists()


def test_nothing_but_the_confirmation_reaches_an_unconfirmed_address(
    client: Client, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory(email="confirmed@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "pending@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_issue_now(IssueFactory(title_fr="Nouvelles"), actor=facilitator)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["pending@example.org"], confirmation_subject()),
        (["confirmed@example.org"], "Nouvelles"),
    ]


def test_import_command_adds_a_former_list_but_no_one_who_left(
    facilitator: User, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import CommandError, call_command

    services.erase_subscriber(SubscriberFactory(email="left@example.org"), actor=facilitator)
    path = tmp_path / "list.csv"
    path.write_text("ana@example.org,es\nleft@example.org,fr\nnot an address\n", "utf-8")
    call_command("import_newsletter_subscribers", str(path), "--as", facilitator.email)
    assert capsys.readouterr().out == "1 subscriber(s) added, 1 skipped\n"
    assert list(Subscriber.objects.values_list("email", "language")) == [("ana@example.org", "es")]
    with pytest.raises(CommandError):
        call_command("import_newsletter_subscribers", str(path), "--as", "nobody@example.org")
