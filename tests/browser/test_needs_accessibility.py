"""axe-core on the needs, roadmap and priority-round pages, in French and in English: no
violation of any impact, with each person's forms showing.

Each test loads the demo community once (with a priority round open) and goes through its
pages in both languages; a failing page is named with its language (see `PageChecks`).
"""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from browser_support import PageChecks, assert_accessible, containing, log_in, t, visit
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from komunigi.community.demo import DEMO_PASSWORD, FACILITATOR
from komunigi.community.models import User
from komunigi.needs import lifecycle, rounds
from komunigi.needs.demo import ROUND_TITLE
from komunigi.needs.models import Need, PriorityRound
from komunigi.needs.permissions import can_edit_need
from komunigi.web.demo import load_demo

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "en"]
REPRESENTATIVE = "claire.dubois@bees-coop.example"  # of BEES coop, in the demo community
DEVELOPER = "virginie.lenoir@coopiteasy.example"  # of Coop IT Easy, a provider
# Being co-financed, with interest, quotes and comments: the fullest need page of the demo.
NEED = "Générer les étiquettes d'articles dans Odoo"
OPEN_ROUND = "Priorités du printemps 2027"


@pytest.fixture
def open_round(transactional_db: None) -> PriorityRound:
    """The whole demo, with a priority round open for the supermarkets' rankings."""
    load_demo()
    return rounds.open_round(
        actor=User.objects.get(email=FACILITATOR[1]),
        title=OPEN_ROUND,
        candidates=list(Need.objects.filter(status__in=lifecycle.RANKABLE)[:4]),
        deadline=timezone.now() + timedelta(days=7),
    )


def need() -> Need:
    return Need.objects.get(title=NEED)


def quoted_need() -> Need:
    """A need providers still quote for."""
    return Need.objects.filter(status=lifecycle.QUOTED).order_by("pk").first()


def test_public_needs_pages_are_accessible(page: Page, open_round: PriorityRound) -> None:
    closed_round = PriorityRound.objects.get(title=ROUND_TITLE)
    checks = PageChecks()
    for language in LANGUAGES:
        checks.pages(
            page,
            language,
            [
                ("needs", "/needs/", t("Needs", language)),
                ("need", need().get_absolute_url(), containing(NEED)),
                ("roadmap", "/roadmap/", t("Roadmap", language)),
                ("rounds", "/priorities/", t("Priority rounds", language)),
                ("closed-round", closed_round.get_absolute_url(), ROUND_TITLE),
                ("open-round", open_round.get_absolute_url(), OPEN_ROUND),
            ],
        )
    checks.assert_all_passed()


def test_needs_pages_with_each_persons_forms_are_accessible(
    new_context: Callable[..., BrowserContext], open_round: PriorityRound
) -> None:
    """A representative's (interest, comments, a new need, the ballot), a provider's (a
    quote) and a facilitator's (a round, estimates, the status, the need's modules)."""
    representative = new_context().new_page()
    log_in(representative, REPRESENTATIVE, DEMO_PASSWORD)
    claire = User.objects.get(email=REPRESENTATIVE)
    editable = next(n for n in Need.objects.order_by("pk") if can_edit_need(claire, n))
    developer = new_context().new_page()
    log_in(developer, DEVELOPER, DEMO_PASSWORD)
    facilitator = new_context().new_page()
    log_in(facilitator, FACILITATOR[1], DEMO_PASSWORD)
    checks = PageChecks()
    for language in LANGUAGES:
        page = representative
        with checks.on("need-representative-forms", language):
            visit(page, need().get_absolute_url(), language, containing(NEED))
            expect(
                page.get_by_role("heading", name=t("We need this too", language))
            ).to_be_visible()
            expect(page.get_by_role("button", name=t("Post the comment", language))).to_be_visible()
            assert_accessible(page)
        with checks.on("ballot", language):
            visit(page, open_round.get_absolute_url(), language, OPEN_ROUND)
            # Checked once the JavaScript has added its Move up / Move down buttons.
            ballot = page.get_by_role("region", name=t("Your ranking", language))
            move_up_name = re.compile(f"^{re.escape(t('Move up', language))} — ")
            move_up = ballot.get_by_role("button", name=move_up_name)
            expect(move_up).to_have_count(open_round.candidates.count())
            assert_accessible(page)
        checks.pages(
            page,
            language,
            [
                ("need-form", "/needs/new/", t("Propose a need", language)),
                ("need-edit", f"{editable.get_absolute_url()}edit/", t("Edit the need", language)),
            ],
        )
        with checks.on("need-form-with-errors", language):
            visit(page, "/needs/new/", language, t("Propose a need", language))
            page.get_by_role("button", name=t("Publish", language)).click()
            expect(page.locator(".errorlist").first).to_be_visible()
            assert_accessible(page)

        page = developer
        with checks.on("need-quote-form", language):
            quoted = quoted_need()
            visit(page, quoted.get_absolute_url(), language, containing(quoted.title))
            page.get_by_text(t("Add a quote", language), exact=True).click()
            expect(page.get_by_role("button", name=t("Add the quote", language))).to_be_visible()
            assert_accessible(page)

        page = facilitator
        with checks.on("need-facilitator-forms", language):
            quoted = quoted_need()
            visit(page, quoted.get_absolute_url(), language, containing(quoted.title))
            page.get_by_text(t("Assign an estimate to a provider", language), exact=True).click()
            expect(page.get_by_role("button", name=t("Assign", language))).to_be_visible()
            expect(
                page.get_by_role("button", name=t("Change the status", language))
            ).to_be_visible()
            assert_accessible(page)
        checks.pages(
            page,
            language,
            [
                ("round-form", "/priorities/new/", t("Open a round", language)),
                (
                    "need-modules",
                    f"{quoted_need().get_absolute_url()}modules/",
                    t("Modules of the need", language),
                ),
            ],
        )
    checks.assert_all_passed()
