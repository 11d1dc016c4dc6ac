"""axe-core on the meetings pages, in French and in English: no violation of any impact,
with each person's forms showing.

Each test loads the demo community once and goes through its pages in both languages; a
failing page is named with its language (see `PageChecks`). A meeting in session is a state
of its own, with its own test.
"""

from collections.abc import Callable

import pytest
from browser_support import PageChecks, assert_accessible, log_in, t, tp, visit
from playwright.sync_api import BrowserContext, Page, Route, expect

from komunigi.community.demo import DEMO_PASSWORD, FACILITATOR
from komunigi.community.models import Organisation, Role, User
from komunigi.meetings import attendance, decisions, services
from komunigi.meetings.demo import INFO_SESSION, PAST_DECISIONS, next_meeting_title
from komunigi.meetings.models import Decision, Meeting
from komunigi.meetings.tally import NO, YES
from komunigi.web.demo import load_demo

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "en"]
REPRESENTATIVE = "claire.dubois@bees-coop.example"  # of BEES coop, in the demo community
PAST_MEETING = PAST_DECISIONS[-1][0]  # closed, its minutes published
# Half of the demo's member supermarkets: the quorum.
PRESENT = ["bees-coop", "bloum", "babl-market", "coopeco", "oufticoop"]


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_demo()


def facilitator() -> User:
    return User.objects.get(email=FACILITATOR[1])


def next_meeting() -> Meeting:
    """The December meeting, its agenda prepared and its invitations sent (by the demo)."""
    return Meeting.objects.get(title=next_meeting_title())


def representative_of(slug: str) -> User:
    return Organisation.objects.get(slug=slug).memberships.get(role=Role.REPRESENTATIVE).user


def start_and_open_the_vote() -> Decision:
    """The December meeting in session, with the quorum, voting on its decision."""
    meeting = next_meeting()
    services.start_meeting(meeting, actor=facilitator())
    for slug in PRESENT:
        attendance.record_attendance(
            meeting,
            Organisation.objects.get(slug=slug),
            actor=facilitator(),
            person=representative_of(slug),
        )
    decision = meeting.items.get(need__isnull=False).decision
    decisions.open_decision(decision, actor=facilitator())
    return decision


def count_and_close(decision: Decision) -> None:
    """Two votes for, one against; the vote closed, then the meeting, its minutes drafted."""
    for slug, choice in [("bloum", YES), ("coopeco", YES), ("oufticoop", NO)]:
        decisions.cast_ballot(
            decision,
            Organisation.objects.get(slug=slug),
            actor=representative_of(slug),
            choice=choice,
        )
    decisions.close_decision(decision, actor=facilitator())
    services.close_meeting(decision.item.meeting, actor=facilitator())


def hold(route: Route) -> None:
    """Leave the request unanswered."""


def check_minutes_headings(page: Page) -> None:
    """The minutes show their title as the page's one level-1 heading, and each item as a
    heading of its own."""
    meeting = Meeting.objects.get(title=PAST_MEETING)
    minutes = page.get_by_role("article")
    expect(minutes).to_contain_text(PAST_MEETING)
    # The page is static once shown (no script on it): read its headings as they are.
    assert page.get_by_role("heading", level=1).all_inner_texts() == [PAST_MEETING]
    need = meeting.items.get(need__isnull=False).need.title
    assert minutes.get_by_role("heading", name=need).count() == 1


@pytest.mark.usefixtures("demo")
def test_meetings_pages_are_accessible(new_context: Callable[..., BrowserContext]) -> None:
    """For a visitor, a representative (invited to the next meeting) and the facilitator
    (who plans it)."""
    visitor = new_context().new_page()
    representative = new_context().new_page()
    log_in(representative, REPRESENTATIVE, DEMO_PASSWORD)
    desk = new_context().new_page()
    log_in(desk, FACILITATOR[1], DEMO_PASSWORD)
    info_session = Meeting.objects.get(title=INFO_SESSION).get_absolute_url()
    minutes = f"{Meeting.objects.get(title=PAST_MEETING).get_absolute_url()}minutes/"
    checks = PageChecks()
    for language in LANGUAGES:
        checks.pages(
            visitor,
            language,
            [
                ("meetings-visitor", "/meetings/", t("Meetings", language)),
                ("public-meeting", info_session, INFO_SESSION),
            ],
        )

        page = representative
        with checks.on("meetings-representative", language):
            visit(page, "/meetings/", language, t("Meetings", language))
            # Members see the members-only meetings.
            expect(page.get_by_role("region", name=t("Coming up", language))).to_contain_text(
                next_meeting_title()
            )
            assert_accessible(page)
        with checks.on("meeting-reply-form", language):
            visit(page, next_meeting().get_absolute_url(), language, next_meeting_title())
            reply = page.get_by_role("region", name=t("Will you come?", language))
            expect(reply.get_by_role("button", name=t("Send my answer", language))).to_be_visible()
            assert_accessible(page)
        with checks.on("published-minutes", language):
            visit(page, minutes, language)
            expect(page.get_by_role("main").locator(".badge")).to_have_text(
                t("Approved and published", language)
            )
            check_minutes_headings(page)
            assert_accessible(page)
        checks.pages(
            page,
            language,
            [("calendar", "/meetings/calendar/", t("Meetings in your calendar", language))],
        )

        page = desk
        with checks.on("planned-meeting-facilitator", language):
            visit(page, next_meeting().get_absolute_url(), language, next_meeting_title())
            expect(
                page.get_by_role("button", name=t("Start the meeting", language))
            ).to_be_visible()
            expect(
                page.get_by_role("region", name=t("Record attendance", language))
            ).to_be_visible()
            assert_accessible(page)
        checks.pages(
            page,
            language,
            [
                ("meeting-form", "/meetings/new/", t("Plan a meeting", language)),
                (
                    "meeting-edit",
                    f"{next_meeting().get_absolute_url()}edit/",
                    t("Change the meeting", language),
                ),
            ],
        )
    checks.assert_all_passed()


@pytest.mark.usefixtures("demo")
def test_meeting_in_session_and_its_results_are_accessible(
    new_context: Callable[..., BrowserContext],
) -> None:
    """The December meeting in session, voting: the facilitator's page (with the form to
    record a vote for the room) and a representative's (with her ballot); then, the vote
    counted and the meeting closed, its results and its draft minutes."""
    desk = new_context().new_page()
    representative = new_context().new_page()
    for page in (desk, representative):
        # htmx replaces the live section every 4 s: its requests stay unanswered here, so
        # that axe reads one page rather than one changing under it.
        page.route("**/live/", hold)
    log_in(desk, FACILITATOR[1], DEMO_PASSWORD)
    log_in(representative, REPRESENTATIVE, DEMO_PASSWORD)
    decision = start_and_open_the_vote()
    meeting = decision.item.meeting.get_absolute_url()
    checks = PageChecks()
    for language in LANGUAGES:
        page = desk
        with checks.on("meeting-in-session-facilitator", language):
            visit(page, meeting, language, next_meeting_title())
            page.get_by_text(t("Record a vote for the room", language), exact=True).click()
            expect(page.get_by_role("button", name=t("Record", language))).to_have_count(2)
            expect(
                page.get_by_role("button", name=t("Close the vote and count", language))
            ).to_be_visible()
            assert_accessible(page)
        page = representative
        with checks.on("meeting-in-session-ballot", language):
            visit(page, meeting, language, next_meeting_title())
            ballot = page.get_by_role("group", name=t("Your vote", language))
            expect(ballot.get_by_role("radio")).not_to_have_count(0)
            expect(page.get_by_role("button", name=t("Vote", language), exact=True)).to_be_visible()
            assert_accessible(page)

    count_and_close(decision)
    for language in LANGUAGES:
        for name, page in [
            ("closed-meeting-facilitator", desk),
            ("closed-meeting-representative", representative),
        ]:
            with checks.on(name, language):
                visit(page, meeting, language, next_meeting_title())
                expect(page.get_by_role("main")).to_contain_text(
                    tp("decision outcome", "Approved", language)
                )
                assert_accessible(page)
        page = desk
        with checks.on("draft-minutes", language):
            visit(page, f"{meeting}minutes/", language)
            expect(page.get_by_role("article")).to_contain_text(next_meeting_title())
            expect(page.get_by_role("button", name=t("Save the draft", language))).to_be_visible()
            assert_accessible(page)
    checks.assert_all_passed()
