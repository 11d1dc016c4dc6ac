"""A users' meeting in three browsers: the facilitator runs it, two representatives vote from
their own sessions, and the result appears on their pages without reloading (htmx polls the
"Attendance and votes" section)."""

import re
from collections.abc import Callable

import pytest
from browser_support import field, log_in, t, tn, tp
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import BrowserContext, Locator, Page, expect

from komunigi.community.demo import DEMO_PASSWORD, FACILITATOR, load_demo_community
from komunigi.meetings.demo import load_demo_meetings, next_meeting_title
from komunigi.needs.demo import load_demo_needs

pytestmark = pytest.mark.browser

FACILITATOR_EMAIL = FACILITATOR[1]
BEES_REPRESENTATIVE = "claire.dubois@bees-coop.example"
BLOUM_REPRESENTATIVE = "nathalie.lambert@bloum.example"
# The supermarkets in the room (in the order the site lists them, by name), and who represents
# each: 5 of the demo's 10 member supermarkets, the quorum (half of them).
PRESENT = [
    ("BEES coop", "Claire Dubois"),
    ("BLOUM Coop", "Nathalie Lambert"),
    ("Bab'l Market", "Sophie Maes"),
    ("Coopéco", "Martine Leclercq"),
    ("Oufticoop", "Pauline Collard"),
]
MEMBER_SUPERMARKETS = 10
# On the December meeting's agenda, to be decided by a simple majority.
NEED = "Gérer les consignes (bocaux, bouteilles)"
# htmx polls the live section every 4 s.
POLLED = 10_000


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_demo_community()
    load_demo_needs()
    load_demo_meetings()


def live_section(page: Page) -> Locator:
    return page.get_by_role("region", name=t("Attendance and votes"))


def decision_item(page: Page) -> Locator:
    """The decision on the need, on the agenda."""
    return page.get_by_role("article").filter(has=page.get_by_role("heading", name=NEED))


def decision_state(page: Page) -> Locator:
    """The decision on the need, in the live section."""
    return live_section(page).locator(".decision-state").filter(has_text=NEED)


def mark_document(page: Page) -> None:
    """Mark the document now shown, so that `expect_same_document` can tell it was not
    reloaded nor left."""
    page.evaluate("window.komunigiTestMark = true")


def expect_same_document(page: Page) -> None:
    assert page.evaluate("window.komunigiTestMark === true"), f"{page.url} was reloaded"


def open_meeting(page: Page, email: str) -> None:
    log_in(page, email, DEMO_PASSWORD)
    page.goto("/meetings/")
    page.get_by_role("region", name=t("Coming up")).get_by_role(
        "link", name=next_meeting_title()
    ).click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(next_meeting_title())


def start_the_meeting(facilitator: Page) -> None:
    open_meeting(facilitator, FACILITATOR_EMAIL)
    facilitator.get_by_role("button", name=t("Start the meeting")).click()
    expect(facilitator.get_by_role("status")).to_have_text(t("The meeting is in session."))
    expect(live_section(facilitator)).to_contain_text(t("no quorum"))


def record_attendance(facilitator: Page) -> None:
    form = facilitator.get_by_role("region", name=t("Record attendance"))
    organisation = field(form, capfirst(t("organisation")))
    for count, (supermarket, person) in enumerate(PRESENT, start=1):
        organisation.select_option(label=supermarket)
        # Each person is offered with the supermarket they speak for.
        field(form, t("Represented by")).select_option(label=f"{person} ({supermarket})")
        form.get_by_role("button", name=t("Record")).click()
        # The page the form led to, with the form empty again (htmx may update the live
        # section of the page left before it goes).
        expect(organisation).to_have_value("")
        expect(live_section(facilitator).get_by_role("listitem")).to_have_count(count)
        expect(facilitator.get_by_role("status")).to_have_text(t("The attendance is recorded."))

    live = live_section(facilitator)
    expect(live.get_by_role("listitem")).to_contain_text(
        [f"{supermarket} — {person}" for supermarket, person in PRESENT]
    )
    with translation.override("fr"):
        represented = translation.ngettext(
            "%(count)s of %(total)s member supermarkets represented",
            "%(count)s of %(total)s member supermarkets represented",
            MEMBER_SUPERMARKETS,
        ) % {"count": len(PRESENT), "total": MEMBER_SUPERMARKETS}
    expect(live).to_contain_text(represented)
    expect(live).to_contain_text(t("quorum reached"))


def open_the_vote(facilitator: Page) -> None:
    decision_item(facilitator).get_by_role("button", name=t("Open the vote")).click()
    expect(facilitator.get_by_role("status")).to_have_text(t("The vote is open."))
    expect(decision_state(facilitator)).to_contain_text(
        tn("%(counter)s vote so far", "%(counter)s votes so far", 0)
    )


def vote(representative: Page, choice: str, supermarket: str) -> None:
    representative.reload()  # the vote opened after the page was shown
    item = decision_item(representative)
    expect(item).to_contain_text(t("You vote on behalf of %(name)s.", name=supermarket))
    ballot = item.get_by_role("group", name=t("Your vote"))
    ballot.get_by_label(tp("vote", choice), exact=True).check()
    item.get_by_role("button", name=t("Vote"), exact=True).click()
    expect(representative.get_by_role("status")).to_have_text(
        t("The vote of %(name)s is recorded.", name=supermarket)
    )


def record_a_vote_for_the_room(facilitator: Page, supermarket: str, choice: str) -> None:
    item = decision_item(facilitator)
    item.get_by_text(t("Record a vote for the room"), exact=True).click()
    room = item.locator("details").filter(has_text=t("Record a vote for the room"))
    room.get_by_label(t("Vote on behalf of")).select_option(label=supermarket)
    room.get_by_role("group", name=t("Vote")).get_by_label(tp("vote", choice), exact=True).check()
    room.get_by_role("button", name=t("Record")).click()
    expect(facilitator.get_by_role("status")).to_have_text(
        t("The vote of %(name)s is recorded.", name=supermarket)
    )
    expect(decision_state(facilitator)).to_contain_text(
        tn("%(counter)s vote so far", "%(counter)s votes so far", 3)
    )


def close_the_vote(facilitator: Page) -> None:
    decision_item(facilitator).get_by_role("button", name=t("Close the vote and count")).click()
    expect(facilitator.get_by_role("status")).to_have_text(t("The votes are counted."))


def counted(choice: str, count: int) -> str:
    """How the page and the minutes show the number of votes for one choice."""
    return t("%(label)s: %(count)s", label=tp("vote", choice), count=count)


def expect_approved_two_to_one(page: Page, **options: float) -> None:
    outcome = decision_state(page).locator(".outcome")
    expect(outcome).to_contain_text(tp("decision outcome", "Approved"), **options)
    expect(outcome).to_contain_text(counted("Yes", 2))
    expect(outcome).to_contain_text(counted("No", 1))


def close_the_meeting_and_read_the_minutes(facilitator: Page) -> None:
    facilitator.get_by_role("button", name=t("Close the meeting")).click()
    expect(facilitator.get_by_role("status")).to_have_text(
        t("The meeting is closed; its minutes are drafted.")
    )
    facilitator.get_by_role("link", name=t("Minutes (draft)")).click()

    expect(facilitator).to_have_url(re.compile(r"/meetings/\d+/minutes/$"))
    expect(facilitator.get_by_role("main").locator(".badge")).to_have_text(t("Draft"))
    minutes = facilitator.get_by_role("article")
    expect(minutes).to_contain_text(next_meeting_title())
    expect(minutes.get_by_role("listitem")).to_have_text(
        [f"{supermarket} ({person})" for supermarket, person in PRESENT]
    )
    expect(minutes).to_contain_text(f"2. {NEED}")
    expect(minutes).to_contain_text(
        t("Decision: %(outcome)s") % {"outcome": tp("decision outcome", "Approved")}
    )
    with translation.override("fr"):
        represented = translation.ngettext(
            "%(count)d supermarket represented", "%(count)d supermarkets represented", len(PRESENT)
        ) % {"count": len(PRESENT)}
    expect(minutes).to_contain_text(f"{represented} — {counted('Yes', 2)}, {counted('No', 1)}")


@pytest.mark.usefixtures("demo")
def test_facilitator_runs_a_meeting_while_two_representatives_vote_and_the_result_appears(
    new_context: Callable[..., BrowserContext],
) -> None:
    facilitator = new_context().new_page()
    start_the_meeting(facilitator)
    record_attendance(facilitator)

    bees = new_context().new_page()
    open_meeting(bees, BEES_REPRESENTATIVE)
    bloum = new_context().new_page()
    open_meeting(bloum, BLOUM_REPRESENTATIVE)

    open_the_vote(facilitator)
    mark_document(facilitator)
    vote(bees, "Yes", "BEES coop")
    vote(bloum, "No", "BLOUM Coop")

    # The facilitator's page counts the ballots as they arrive.
    expect(decision_state(facilitator)).to_contain_text(
        tn("%(counter)s vote so far", "%(counter)s votes so far", 2), timeout=POLLED
    )
    expect_same_document(facilitator)

    mark_document(bees)
    record_a_vote_for_the_room(facilitator, "Coopéco", "Yes")
    close_the_vote(facilitator)
    expect_approved_two_to_one(facilitator)

    # Claire sees the outcome come in, without reloading her page.
    expect_approved_two_to_one(bees, timeout=POLLED)
    expect_same_document(bees)

    decision_item(bees).get_by_role("link", name=NEED).click()
    expect(bees.get_by_role("heading", level=1)).to_contain_text(NEED)
    expect(bees.get_by_role("main").locator(".badge").first).to_have_text(t("Approved"))

    close_the_meeting_and_read_the_minutes(facilitator)
