"""axe-core on the meetings pages, in French and in English: no violation of any impact,
with each person's forms showing."""

import pytest
from browser_support import assert_accessible, log_in, prefix, t
from playwright.sync_api import Page, Route, expect

from komunigi.community.demo import DEMO_PASSWORD, FACILITATOR, load_demo_community
from komunigi.community.models import Organisation, Role, User
from komunigi.meetings import attendance, decisions, services
from komunigi.meetings.demo import PAST_DECISIONS, load_demo_meetings, next_meeting_title
from komunigi.meetings.models import Meeting
from komunigi.needs.demo import load_demo_needs

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "en"]
REPRESENTATIVE = "claire.dubois@bees-coop.example"  # of BEES coop, in the demo community
PAST_MEETING = PAST_DECISIONS[-1][0]  # closed, its minutes published
# Half of the demo's member supermarkets: the quorum.
PRESENT = ["bees-coop", "bloum", "babl-market", "coopeco", "oufticoop"]


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_demo_community()
    load_demo_needs()
    load_demo_meetings()


def facilitator() -> User:
    return User.objects.get(email=FACILITATOR[1])


def next_meeting() -> Meeting:
    return Meeting.objects.get(title=next_meeting_title())


@pytest.fixture
def invited(demo: None) -> Meeting:
    """The December meeting, its invitations sent: representatives see the reply form."""
    meeting = next_meeting()
    services.send_invitations(meeting, actor=facilitator())
    return meeting


@pytest.fixture
def voting(demo: None) -> Meeting:
    """The December meeting in session, with the quorum, voting on its decision."""
    meeting = next_meeting()
    services.start_meeting(meeting, actor=facilitator())
    for slug in PRESENT:
        supermarket = Organisation.objects.get(slug=slug)
        attendance.record_attendance(
            meeting,
            supermarket,
            actor=facilitator(),
            person=supermarket.memberships.get(role=Role.REPRESENTATIVE).user,
        )
    decision = meeting.items.get(need__isnull=False).decision
    decisions.open_decision(decision, actor=facilitator())
    return meeting


def hold(route: Route) -> None:
    """Leave the request unanswered."""


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("email", [None, REPRESENTATIVE], ids=["visitor", "representative"])
def test_meeting_list_is_accessible(page: Page, language: str, email: str | None) -> None:
    if email:
        log_in(page, email, DEMO_PASSWORD, language=language)
    page.goto(f"{prefix(language)}/meetings/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Meetings", language))
    if email:  # members see the members-only meetings
        expect(page.get_by_role("region", name=t("Coming up", language))).to_contain_text(
            next_meeting_title()
        )
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_meeting_page_with_the_reply_form_is_accessible(
    page: Page, invited: Meeting, language: str
) -> None:
    log_in(page, REPRESENTATIVE, DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + invited.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(next_meeting_title())
    reply = page.get_by_role("region", name=t("Will you come?", language))
    expect(reply.get_by_role("button", name=t("Send my answer", language))).to_be_visible()
    assert_accessible(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
def test_planned_meeting_page_for_the_facilitator_is_accessible(page: Page, language: str) -> None:
    log_in(page, FACILITATOR[1], DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + next_meeting().get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(next_meeting_title())
    expect(page.get_by_role("button", name=t("Start the meeting", language))).to_be_visible()
    expect(page.get_by_role("region", name=t("Record attendance", language))).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_meeting_in_session_for_the_facilitator_is_accessible(
    page: Page, voting: Meeting, language: str
) -> None:
    # htmx replaces the live section every 4 s: its requests stay unanswered here, so that
    # axe reads one page rather than one changing under it.
    page.route("**/live/", hold)
    log_in(page, FACILITATOR[1], DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + voting.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(next_meeting_title())
    page.get_by_text(t("Record a vote for the room", language), exact=True).click()
    expect(page.get_by_role("button", name=t("Record", language))).to_have_count(2)
    expect(page.get_by_role("button", name=t("Close the vote and count", language))).to_be_visible()
    assert_accessible(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
def test_published_minutes_are_accessible(page: Page, language: str) -> None:
    log_in(page, REPRESENTATIVE, DEMO_PASSWORD, language=language)
    meeting = Meeting.objects.get(title=PAST_MEETING)
    page.goto(f"{prefix(language)}{meeting.get_absolute_url()}minutes/")
    expect(page.get_by_role("main").locator(".badge")).to_have_text(
        t("Approved and published", language)
    )
    expect(page.get_by_role("article")).to_contain_text(PAST_MEETING)
    assert_accessible(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_name", ["meeting-form", "calendar"])
def test_meetings_form_page_is_accessible(page: Page, language: str, page_name: str) -> None:
    email, path, heading = {
        "meeting-form": (FACILITATOR[1], "/meetings/new/", t("Plan a meeting", language)),
        "calendar": (
            REPRESENTATIVE,
            "/meetings/calendar/",
            t("Meetings in your calendar", language),
        ),
    }[page_name]
    log_in(page, email, DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


@pytest.mark.usefixtures("demo")
def test_minutes_show_their_title_and_items_as_headings(page: Page) -> None:
    log_in(page, REPRESENTATIVE, DEMO_PASSWORD)
    meeting = Meeting.objects.get(title=PAST_MEETING)
    page.goto(f"{meeting.get_absolute_url()}minutes/")
    minutes = page.get_by_role("article")
    expect(minutes).to_contain_text(PAST_MEETING)
    # The page is static once shown (no script on it): read its headings as they are.
    assert page.get_by_role("heading", level=1).all_inner_texts() == [PAST_MEETING]
    need = meeting.items.get(need__isnull=False).need.title
    assert minutes.get_by_role("heading", name=need).count() == 1
