"""A visitor subscribes to the newsletter, confirms by the e-mailed link, receives an issue and
unsubscribes from it in one click."""

import re
from collections.abc import Callable

import pytest
from browser_support import assert_accessible, field, t
from django.core import mail
from playwright.sync_api import BrowserContext, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from komunigi.community.models import User
from komunigi.news import services
from komunigi.news.models import Issue, Subscriber, SubscriberStatus

pytestmark = pytest.mark.browser

EMAIL = "lea.dupont@lecteurs.example"


def link_in(message: mail.EmailMessage, path: str) -> str:
    [link] = re.findall(rf"https?://\S+{path}\S+/", message.body)
    return link


def test_subscribe_confirm_then_unsubscribe_in_one_click(
    new_context: Callable[..., BrowserContext],
    facilitator: User,
    settings: Settings,
    live_server: LiveServer,
) -> None:
    settings.KOMUNIGI_BASE_URL = live_server.url
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

    [confirmation] = mail.outbox
    assert confirmation.to == [EMAIL]
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
    [newsletter] = [m for m in mail.outbox if m.subject == "Rencontre de mars"]
    assert newsletter.to == [EMAIL]
    assert Issue.objects.get().deliveries.count() == 1
    unsubscribe = newsletter.extra_headers["List-Unsubscribe"].removeprefix("<").removesuffix(">")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/news/unsubscribe/[^/]+/", unsubscribe)
    # The issue's own closing line, in French, gives the same one-click link.
    assert (
        t(
            "You receive the %(community_name)s newsletter because you subscribed to it. "
            "Unsubscribe in one click: %(unsubscribe_url)s",
            community_name=settings.KOMUNIGI_COMMUNITY_NAME,
            unsubscribe_url=unsubscribe,
        )
        in newsletter.body
    )

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
