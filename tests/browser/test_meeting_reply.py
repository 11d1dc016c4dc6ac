"""Answering a meeting's invitation without JavaScript: a representative gives her supermarket's
proxy to another supermarket, which then cannot carry a second one."""

import re
from collections.abc import Callable

import pytest
from browser_support import ConsoleErrors, field, log_in, t
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from komunigi.community.demo import DEMO_PASSWORD, FACILITATOR, load_demo_community
from komunigi.community.models import Organisation, User
from komunigi.meetings import services
from komunigi.meetings.demo import load_demo_meetings, next_meeting_title
from komunigi.meetings.models import Invitation, Meeting
from komunigi.needs.demo import load_demo_needs

pytestmark = pytest.mark.browser

BEES_REPRESENTATIVE = "claire.dubois@bees-coop.example"
BABL_REPRESENTATIVE = "sophie.maes@babl-market.example"
PROXY = "I give our proxy to another supermarket"


@pytest.fixture
def invited(transactional_db: None) -> Meeting:
    """The demo's December meeting, its invitations sent."""
    load_demo_community()
    load_demo_needs()
    load_demo_meetings()
    meeting = Meeting.objects.get(title=next_meeting_title())
    services.send_invitations(meeting, actor=User.objects.get(email=FACILITATOR[1]))
    return meeting


def reply_section(page: Page) -> Locator:
    return page.get_by_role("region", name=t("Will you come?"))


def give_proxy_to_bloum(page: Page, email: str, meeting: Meeting) -> None:
    log_in(page, email, DEMO_PASSWORD)
    page.goto(meeting.get_absolute_url())
    reply = reply_section(page)
    reply.get_by_label(t(PROXY), exact=True).check()
    field(reply, t("Proxy given to")).select_option(label="BLOUM Coop")
    reply.get_by_role("button", name=t("Send my answer")).click()


def test_proxy_reply_without_javascript_and_one_proxy_at_most(
    new_context: Callable[..., BrowserContext],
    invited: Meeting,
    live_server: LiveServer,
    console_errors: ConsoleErrors,
) -> None:
    bees = new_context(java_script_enabled=False).new_page()
    give_proxy_to_bloum(bees, BEES_REPRESENTATIVE, invited)

    expect(bees).to_have_url(re.compile(r"/meetings/\d+/$"))
    expect(bees.get_by_role("status")).to_have_text(t("Your answer is recorded."))
    expect(reply_section(bees)).to_contain_text(f"{t('Your answer:')} {t(PROXY)} — BLOUM Coop")

    babl = new_context(java_script_enabled=False).new_page()
    give_proxy_to_bloum(babl, BABL_REPRESENTATIVE, invited)

    reply = reply_section(babl)
    expect(reply.get_by_role("alert")).to_have_text(
        t("%(name)s already carries another supermarket's proxy: one at most.", name="BLOUM Coop")
    )
    # Her choice stays in the form, for her to change …
    expect(reply.get_by_label(t(PROXY), exact=True)).to_be_checked()
    bloum = Organisation.objects.get(name="BLOUM Coop")
    expect(field(reply, t("Proxy given to"))).to_have_value(str(bloum.pk))
    # … and nothing is recorded.
    expect(babl.get_by_role("status")).to_have_count(0)
    assert Invitation.objects.get(meeting=invited, user__email=BABL_REPRESENTATIVE).reply == ""

    # Chromium reports the refusal's 409 status in the console: that one is expected.
    refused = (
        "Failed to load resource: the server responded with a status of 409 (Conflict) "
        f"(on {live_server.url}/meetings/{invited.pk}/reply/)"
    )
    console_errors.messages = [m for m in console_errors.messages if m != refused]
