"""A person chooses a daily digest for comments, follows a need with one click, and the next
comment lands in their digest; the digest's link stops it in one click."""

import re
from urllib.parse import urlsplit

import pytest
from browser_support import field, log_in, t
from playwright.sync_api import Page, expect

from komunigi.community.models import Role
from komunigi.community.tests.factories import MembershipFactory, UserFactory
from komunigi.needs import services as needs_services
from komunigi.needs.tests.factories import NeedFactory
from komunigi.notifications import services
from komunigi.notifications.models import DigestItem, OutboxMessage

pytestmark = pytest.mark.browser


def test_a_comment_on_a_followed_need_lands_in_the_digest_chosen_on_the_preferences_page(
    page: Page,
) -> None:
    person = UserFactory(full_name="Jonas Peeters", email="jonas@bees.example")
    need = NeedFactory(title="Inventaire par rayon", status="open")
    log_in(page, person.email)

    page.goto("/account/")
    page.get_by_role("link", name=t("Your notification preferences")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Notifications"))
    comments = page.get_by_role(
        "group", name=t("A comment on a need I follow or my supermarket is interested in")
    )
    comments.get_by_label(t("In my daily digest")).check()
    field(page, t("Send my daily digest at")).select_option("0")
    page.get_by_role("button", name=t("Save my preferences")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t("Your notification preferences were saved.")
    )

    page.goto(need.get_absolute_url())
    page.get_by_role("button", name=t("Follow this need")).click()
    expect(page.get_by_role("button", name=t("Stop following"))).to_be_visible()

    commenter = MembershipFactory(role=Role.REPRESENTATIVE).user
    needs_services.add_comment(need, author=commenter, body="Nous l'utilisons déjà.")
    [item] = DigestItem.objects.filter(user=person)
    assert item.kind == "need-comment"
    assert item.title.endswith(f"{need.reference} Inventaire par rayon")
    assert OutboxMessage.objects.filter(to=person.email).count() == 0  # nothing at once

    digest = services.send_digest(person)
    assert digest is not None
    assert need.title in digest.body_text

    # The digest's own stop link: a page that asks, then stops it.
    page.goto(urlsplit(digest.headers["List-Unsubscribe"].strip("<>")).path)
    page.get_by_role("button", name=t("Yes, stop them")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("E-mails stopped"))
    expect(page).to_have_url(re.compile(r"/unsubscribe/"))
    assert services.modes_of(person)["need-comment"] == "off"
