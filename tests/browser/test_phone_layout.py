"""On a 390 × 844 phone: no page scrolls sideways, and the menu folds under one button, which
opens without JavaScript; on a desktop the whole menu shows on one screen-wide header."""

from collections.abc import Callable

import pytest
from browser_support import log_in, t
from django.contrib.auth.models import AnonymousUser
from playwright.sync_api import BrowserContext, Page, expect

from komunigi.community.demo import DEMO_PASSWORD
from komunigi.community.models import User
from komunigi.discussions.models import MailingList, ReadAccess, Thread
from komunigi.funding.models import Campaign, MaintenancePlan
from komunigi.meetings.models import Meeting
from komunigi.needs.models import Need, PriorityRound
from komunigi.news.models import Issue
from komunigi.web.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
REPRESENTATIVE = "claire.dubois@bees-coop.example"  # of BEES coop, in the demo community
FACILITATOR = "facilitation@komunigi.example"
STATIC_PAGES = [
    "/", "/ecosystem/", "/ecosystem/bees-coop/", "/join/", "/needs/", "/roadmap/",
    "/priorities/", "/meetings/", "/co-financing/", "/co-financing/simulator/",
    "/co-financing/budget/", "/co-financing/history/", "/co-financing/maintenance/", "/lists/",
    "/practice/", "/commons/", "/commons/migration/", "/news/",
]  # fmt: skip
MEMBER_PAGES = ["/dashboard/", "/account/", "/co-financing/statements/bees-coop/"]
FACILITATOR_PAGES = [
    "/co-financing/fees/",
    "/facilitation/join-requests/",
    "/facilitation/newsletter/",
]


@pytest.fixture
def demo_community() -> None:
    load_demo()


def detail_pages() -> list[str]:
    """One page of each kind that shows one thing, as a visitor may read it: the demo's first
    need, meeting, campaign, public list and its first thread…"""
    public_lists = MailingList.objects.filter(read_access=ReadAccess.PUBLIC).order_by("pk")
    things = [
        Need.objects.visible_to(AnonymousUser()).order_by("pk").first(),
        PriorityRound.objects.order_by("pk").first(),
        Meeting.objects.order_by("-starts_at").first(),
        Campaign.objects.order_by("pk").first(),
        Campaign.objects.order_by("-pk").first(),
        MaintenancePlan.objects.order_by("pk").first(),
        public_lists.first(),
        Thread.objects.filter(mailing_list__in=public_lists).order_by("pk").first(),
        Issue.objects.exclude(sent_at=None).order_by("pk").first(),
    ]
    assert None not in things, "the demo lacks a page of one kind"
    return [thing.get_absolute_url() for thing in things]


def assert_no_sideways_scroll(page: Page, paths: list[str]) -> None:
    too_wide = {}
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("innerWidth"):
            too_wide[path] = width
    assert not too_wide, f"pages wider than the phone ({PHONE['width']} px): {too_wide}"


@pytest.mark.usefixtures("demo_community")
def test_no_page_scrolls_sideways_for_anyone(new_context: Callable[..., BrowserContext]) -> None:
    """As a visitor, a representative and a facilitator, on the whole demo community: loaded
    once for the three, as it takes longer to load than the pages to check."""
    visitor = new_context(viewport=PHONE).new_page()
    assert_no_sideways_scroll(visitor, STATIC_PAGES + detail_pages())
    for email, pages in [(REPRESENTATIVE, MEMBER_PAGES), (FACILITATOR, FACILITATOR_PAGES)]:
        member = new_context(viewport=PHONE).new_page()
        log_in(member, email, DEMO_PASSWORD)
        assert_no_sideways_scroll(member, pages + detail_pages())


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_phone_menu_folds_under_one_button(
    new_context: Callable[..., BrowserContext], javascript: bool
) -> None:
    phone = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    phone.goto("/")
    needs = phone.get_by_role("navigation", name=t("Main menu")).get_by_role(
        "link", name=t("Needs")
    )
    expect(needs).to_be_hidden()
    header = phone.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] < 80, "the folded menu leaves the phone's screen to the page"

    phone.get_by_text(t("Menu"), exact=True).click()

    expect(needs).to_be_visible()
    switcher = phone.get_by_role("navigation", name=t("Language"))
    expect(switcher.get_by_role("link", name="English")).to_be_visible()
    needs.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Needs"))


def test_a_desktop_shows_the_whole_menu_on_one_row(
    new_context: Callable[..., BrowserContext], representative: User
) -> None:
    """Logged in, as the header is then at its fullest (the account's links)."""
    desktop = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(desktop, representative.email)
    expect(desktop.get_by_text(t("Menu"), exact=True)).to_be_hidden()
    links = desktop.get_by_role("navigation", name=t("Main menu")).get_by_role("link")
    tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all()) if box}
    assert len(tops) == 1, f"the main menu wraps onto {len(tops)} rows"
    expect(desktop.get_by_role("link", name=t("My account"), exact=True)).to_be_visible()
