"""A priority round in four browsers: a facilitator opens it, two representatives rank (one with
the keyboard-friendly JavaScript enhancement, one without JavaScript), the facilitator closes
it, and the roadmap follows the new order."""

import re
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from browser_support import field, log_in, t
from django.utils import timezone, translation
from django.utils.text import capfirst
from playwright.sync_api import BrowserContext, Locator, Page, expect

from komunigi.community.demo import DEMO_PASSWORD, FACILITATOR, load_demo_community
from komunigi.community.models import Organisation, OrganisationKind, User
from komunigi.needs.demo import ROUND_TITLE, load_demo_needs
from komunigi.needs.models import Need

pytestmark = pytest.mark.browser

FACILITATOR_EMAIL = FACILITATOR[1]
BEES_REPRESENTATIVE = "claire.dubois@bees-coop.example"
BLOUM_REPRESENTATIVE = "nathalie.lambert@bloum.example"
ROUND = "Priorités du printemps 2027"
# First on the roadmap after the demo's closed round.
FIRST_BEFORE = "Générer les étiquettes d'articles dans Odoo"
# Three open or quoted demo needs, none of them first on the roadmap; the ballot form lists
# them in this order (by id), so the one both representatives put first starts last.
DEPOSITS = "Gérer les consignes (bocaux, bouteilles)"
PEPPOL = "Importer les factures fournisseurs au format Peppol"
DUTCH = "Espace membre entièrement traduit en néerlandais"
CANDIDATES = [DEPOSITS, PEPPOL, DUTCH]


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_demo_community()
    load_demo_needs()


def reference(title: str) -> str:
    """The demo need's reference ("#12")."""
    return Need.objects.get(title=title).reference


def labelled(title: str) -> str:
    """How a candidate is shown in the ballot form and the result: title, then reference."""
    return f"{title} {reference(title)}"


def rank_input(page: Page, title: str) -> Locator:
    return page.get_by_role("spinbutton", name=labelled(title), exact=True)


def open_round(facilitator: Page) -> None:
    log_in(facilitator, FACILITATOR_EMAIL, DEMO_PASSWORD)
    facilitator.get_by_role("region", name=t("Facilitation")).get_by_role(
        "link", name=t("Open a priority round")
    ).click()

    expect(facilitator).to_have_url(re.compile(r"/priorities/new/$"))
    expect(facilitator.get_by_role("heading", level=1)).to_have_text(t("Open a round"))
    field(facilitator, capfirst(t("title"))).fill(ROUND)
    for title in CANDIDATES:
        facilitator.get_by_role("checkbox", name=title, exact=True).check()
    # Tomorrow, in the facilitator's own time zone, as a datetime-local field takes it.
    time_zone = ZoneInfo(User.objects.get(email=FACILITATOR_EMAIL).time_zone)
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1), time_zone)
    field(facilitator, capfirst(t("deadline"))).fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    facilitator.get_by_role("button", name=t("Open the round")).click()

    expect(facilitator).to_have_url(re.compile(r"/priorities/\d+/$"))
    expect(facilitator.get_by_role("status")).to_have_text(
        t("The round is open: supermarkets can rank the needs.")
    )
    expect(facilitator.get_by_role("heading", level=1)).to_have_text(ROUND)
    expect(
        facilitator.get_by_role("region", name=t("Candidate needs")).get_by_role("link")
    ).to_have_text(CANDIDATES)


def open_round_from_dashboard(representative: Page, email: str) -> None:
    log_in(representative, email, DEMO_PASSWORD)
    representative.get_by_role("region", name=t("Waiting for you")).get_by_role(
        "link", name=re.compile(re.escape(ROUND))
    ).click()
    expect(representative).to_have_url(re.compile(r"/priorities/\d+/$"))
    expect(representative.get_by_role("heading", level=1)).to_have_text(ROUND)


def rank_with_the_keyboard(representative: Page) -> None:
    """BEES coop: Dutch first with the Move up buttons, then deposits, then Peppol."""
    ballot = representative.get_by_role("region", name=t("Your ranking"))
    move_up = ballot.get_by_role("button", name=f"{t('Move up')} — {labelled(DUTCH)}", exact=True)
    # Nothing is ranked before the representative says so.
    expect(rank_input(representative, DEPOSITS)).to_have_value("")
    move_up.focus()
    representative.keyboard.press("Enter")
    expect(move_up).to_be_focused()  # it moves along with its need
    representative.keyboard.press("Enter")

    expect(ballot.get_by_role("listitem")).to_contain_text(
        [labelled(DUTCH), labelled(DEPOSITS), labelled(PEPPOL)]
    )
    # The rank numbers, which are what the form sends, follow the new order.
    expect(rank_input(representative, DUTCH)).to_have_value("1")
    expect(rank_input(representative, DEPOSITS)).to_have_value("2")
    expect(rank_input(representative, PEPPOL)).to_have_value("3")
    ballot.get_by_role("button", name=t("Send the ranking")).click()

    expect(representative.get_by_role("status")).to_have_text(
        t("The ranking of %(name)s is recorded.", name="BEES coop")
    )


def rank_without_javascript(representative: Page) -> None:
    """BLOUM Coop: Dutch first, then deposits and Peppol tied."""
    ballot = representative.get_by_role("region", name=t("Your ranking"))
    expect(ballot.get_by_role("button", name=re.compile(re.escape(t("Move up"))))).to_have_count(0)
    rank_input(representative, DUTCH).fill("1")
    rank_input(representative, DEPOSITS).fill("2")
    rank_input(representative, PEPPOL).fill("2")
    ballot.get_by_role("button", name=t("Send the ranking")).click()

    expect(representative.get_by_role("status")).to_have_text(
        t("The ranking of %(name)s is recorded.", name="BLOUM Coop")
    )


def expect_first_on_roadmap(page: Page, title: str) -> None:
    first = page.locator(".roadmap > li").first
    expect(first.locator(".place")).to_have_text("1")
    expect(first.get_by_role("heading", level=2).get_by_role("link")).to_have_text(title)


def close_round(facilitator: Page) -> None:
    facilitator.reload()
    total = Organisation.objects.members().filter(kind=OrganisationKind.SUPERMARKET).count()
    with translation.override("fr"):
        ranked = translation.ngettext(
            "%(count)s of %(total)s supermarket ranked.",
            "%(count)s of %(total)s supermarkets ranked.",
            total,
        ) % {"count": 2, "total": total}
    expect(facilitator.get_by_role("main")).to_contain_text(ranked)
    facilitator.get_by_role("button", name=t("Close the round and count the ballots")).click()

    expect(facilitator.get_by_role("status")).to_have_text(
        t("The round is closed and its result published.")
    )
    result = facilitator.get_by_role("region", name=t("Result"))
    # Both ballots put Dutch first; BEES coop prefers deposits to Peppol, BLOUM Coop ties them.
    expect(result.locator("ol.result > li")).to_have_text(
        [labelled(DUTCH), labelled(DEPOSITS), labelled(PEPPOL)]
    )
    dutch, deposits, peppol = reference(DUTCH), reference(DEPOSITS), reference(PEPPOL)
    expect(result.locator("ul.ballots > li")).to_have_text(
        [
            f"1 × {dutch} › {deposits} › {peppol}",
            f"1 × {dutch} › [{deposits}, {peppol}]",
        ]
    )
    expect(
        facilitator.get_by_role("button", name=t("Close the round and count the ballots"))
    ).to_have_count(0)


@pytest.mark.usefixtures("demo")
def test_representatives_rank_needs_and_the_roadmap_follows_the_closed_round(
    new_context: Callable[..., BrowserContext],
) -> None:
    facilitator = new_context().new_page()
    open_round(facilitator)

    bees = new_context().new_page()
    open_round_from_dashboard(bees, BEES_REPRESENTATIVE)
    rank_with_the_keyboard(bees)

    bloum = new_context(java_script_enabled=False).new_page()
    open_round_from_dashboard(bloum, BLOUM_REPRESENTATIVE)
    rank_without_javascript(bloum)

    bees.goto("/roadmap/")
    expect(bees.get_by_role("main")).to_contain_text(ROUND_TITLE)
    expect_first_on_roadmap(bees, FIRST_BEFORE)

    close_round(facilitator)

    bees.reload()
    expect(bees.get_by_role("main")).to_contain_text(ROUND)
    expect_first_on_roadmap(bees, DUTCH)
