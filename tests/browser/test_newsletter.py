"""A visitor subscribes to the newsletter, confirms by the link in the e-mail file, receives an
issue and unsubscribes from it in one click."""

import re
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from browser_support import assert_accessible, field, t
from playwright.sync_api import BrowserContext, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from komunigi.community.models import User
from komunigi.news import services
from komunigi.news.models import Issue, Subscriber, SubscriberStatus

pytestmark = pytest.mark.browser

EMAIL = "lea.dupont@lecteurs.example"


def mail_files(directory: Path) -> list[EmailMessage]:
    """The e-mails Django's file backend wrote in ``directory``, as a mail client reads them
    (each file holds a connection's messages, each followed by a line of 79 dashes)."""
    messages = []
    for path in sorted(directory.glob("*.log")):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                messages.append(message_from_bytes(raw, policy=policy.default))
    return messages


def text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, path: str) -> str:
    [link] = re.findall(rf"https?://\S+{path}\S+/", text(message))
    return link


def test_subscribe_confirm_then_unsubscribe_in_one_click(
    new_context: Callable[..., BrowserContext],
    facilitator: User,
    settings: Settings,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    settings.KOMUNIGI_BASE_URL = live_server.url
    # The e-mails are files, as the site writes them without an SMTP server (the demo): the
    # visitor reads the one that reached them, as a mail client would.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    visitor = new_context().new_page()

    visitor.goto("/news/")
    visitor.get_by_role("main").get_by_role(
        "link", name=t("Subscribe to the newsletter")
    ).first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("Subscribe to the newsletter"))
    assert_accessible(visitor)
    field(visitor, t("Your e-mail address")).fill(EMAIL)
    field(visitor, t("Language of the newsletter")).select_option("fr")
    visitor.get_by_role("button", name=t("Subscribe"), exact=True).click()
    expect(visitor).to_have_url(re.compile(r"/news/subscribe/sent/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("Check your inbox"))

    [confirmation] = mail_files(tmp_path)
    assert confirmation["To"] == EMAIL
    visitor.goto(link_in(confirmation, "/news/confirm/"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("Confirm your subscription"))
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING  # opening changes nothing
    assert_accessible(visitor)
    visitor.get_by_role("button", name=t("Confirm my subscription")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("You are subscribed"))
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED

    issue = services.create_issue(
        actor=facilitator,
        texts={"title_fr": "Rencontre de mars", "body_fr": "Rendez-vous le **19 mars**."},
    )
    services.send_issue_now(issue, actor=facilitator)
    [newsletter] = [m for m in mail_files(tmp_path) if m["Subject"] == "Rencontre de mars"]
    assert newsletter["To"] == EMAIL
    assert Issue.objects.get().deliveries.count() == 1
    # The long header is folded after its name: the folding white space is no part of it.
    header = str(newsletter["List-Unsubscribe"]).strip()
    unsubscribe = header.removeprefix("<").removesuffix(">")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/news/unsubscribe/[^/]+/", unsubscribe)
    # The issue's own closing line, in French, gives the same one-click link.
    assert t(
        "You receive the %(community_name)s newsletter because you subscribed to it. "
        "Unsubscribe in one click: %(unsubscribe_url)s",
        community_name=settings.KOMUNIGI_COMMUNITY_NAME,
        unsubscribe_url=unsubscribe,
    ) in text(newsletter)

    visitor.goto(unsubscribe)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        t("Unsubscribe from the newsletter")
    )
    assert Subscriber.objects.exists()  # a link scanner's visit unsubscribes nobody
    visitor.get_by_role("button", name=t("Unsubscribe")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("You are unsubscribed"))
    assert_accessible(visitor)
    assert not Subscriber.objects.exists()
    assert services.is_suppressed(EMAIL)

    # The archive shows the issue sent.
    visitor.goto("/news/")
    visitor.get_by_role("link", name="Rencontre de mars").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Rencontre de mars")
