"""On a 390 × 844 phone: no page scrolls sideways (nor the campaign, meeting and vote pages on
a 360 px phone and a 768 px tablet), and the menu folds under one button, which opens without
JavaScript; on a desktop the whole menu shows on one screen-wide header."""

from collections.abc import Callable

import pytest
from browser_support import log_in, t
from django.contrib.auth.models import AnonymousUser
from playwright.sync_api import BrowserContext, Page, expect

from komunigi.community.demo import DEMO_PASSWORD
from komunigi.community.models import Organisation, Role, User
from komunigi.discussions.models import MailingList, ReadAccess, Thread
from komunigi.funding.models import Campaign, CampaignStatus, MaintenancePlan
from komunigi.meetings import attendance, decisions, services
from komunigi.meetings.demo import INFO_SESSION, next_meeting_title
from komunigi.meetings.models import Meeting
from komunigi.needs.models import Need, PriorityRound
from komunigi.news.models import Issue
from komunigi.web.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The campaign, meeting and vote pages are checked on these screens too.
SMALL_PHONE = {"width": 360, "height": 780}
TABLET = {"width": 768, "height": 1024}
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


def campaign_and_meeting_pages(*, member: bool) -> list[str]:
    """The campaigns, collecting and funded, and a meeting: the next users' meeting for a
    member (with the form to answer the invitation), the public information session else."""
    campaigns = Campaign.objects.order_by("pk")
    meeting = next_meeting_title() if member else INFO_SESSION
    return [
        campaigns.filter(status=CampaignStatus.COLLECTING).first().get_absolute_url(),
        campaigns.filter(status=CampaignStatus.FUNDED).first().get_absolute_url(),
        Meeting.objects.get(title=meeting).get_absolute_url(),
    ]


def open_the_vote() -> str:
    """The next users' meeting in session, with the quorum, its decision open for votes:
    representatives see their ballot. Returns its address."""
    facilitator = User.objects.get(email=FACILITATOR)
    meeting = Meeting.objects.get(title=next_meeting_title())
    services.start_meeting(meeting, actor=facilitator)
    for slug in ["bees-coop", "bloum", "babl-market", "coopeco", "oufticoop"]:
        supermarket = Organisation.objects.get(slug=slug)
        person = supermarket.memberships.get(role=Role.REPRESENTATIVE).user
        attendance.record_attendance(meeting, supermarket, actor=facilitator, person=person)
    decisions.open_decision(meeting.items.get(need__isnull=False).decision, actor=facilitator)
    return meeting.get_absolute_url()


def too_wide(page: Page, who: str, paths: list[str]) -> dict[str, int]:
    """Those of ``paths`` wider than the screen, as ``who`` sees them: how wide each is, by
    its address, the screen's width and who."""
    screen = page.viewport_size
    assert screen is not None
    found = {}
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("innerWidth"):
            found[f"{path} at {screen['width']} px ({who})"] = width
    return found


@pytest.mark.usefixtures("demo_community")
def test_no_page_scrolls_sideways_for_anyone(new_context: Callable[..., BrowserContext]) -> None:
    """As a visitor, a representative and a facilitator, on the whole demo community: loaded
    once for the three, as it takes longer to load than the pages to check. Every page on a
    390 px phone; the campaign, meeting and vote pages on a 360 px phone and a 768 px tablet
    too."""
    visitor = new_context(viewport=PHONE).new_page()
    found = too_wide(visitor, "visitor", STATIC_PAGES + detail_pages())
    members = {}
    for email, pages in [(REPRESENTATIVE, MEMBER_PAGES), (FACILITATOR, FACILITATOR_PAGES)]:
        members[email] = new_context(viewport=PHONE).new_page()
        log_in(members[email], email, DEMO_PASSWORD)
        found |= too_wide(members[email], email, pages + detail_pages())
    for screen in (SMALL_PHONE, TABLET):
        visitor.set_viewport_size(screen)
        found |= too_wide(visitor, "visitor", campaign_and_meeting_pages(member=False))
        for email, member in members.items():
            member.set_viewport_size(screen)
            found |= too_wide(member, email, campaign_and_meeting_pages(member=True))
    vote = open_the_vote()  # the representative sees her ballot, the facilitator the desk
    members[REPRESENTATIVE].goto(vote)
    expect(
        members[REPRESENTATIVE].get_by_role("button", name=t("Vote"), exact=True)
    ).to_be_visible()
    for screen in (SMALL_PHONE, PHONE, TABLET):
        for email, member in members.items():
            member.set_viewport_size(screen)
            found |= too_wide(member, email, [vote])
    assert not found, f"pages wider than the screen: {found}"


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
