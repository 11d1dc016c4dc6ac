"""axe-core on the needs, roadmap and priority-round pages, in French and in English: no
violation of any impact, with each person's forms showing."""

import re
from datetime import timedelta

import pytest
from browser_support import assert_accessible, log_in, prefix, t
from django.utils import timezone
from playwright.sync_api import Page, expect

from komunigi.community.demo import DEMO_PASSWORD, FACILITATOR, load_demo_community
from komunigi.community.models import User
from komunigi.needs import lifecycle, rounds
from komunigi.needs.demo import ROUND_TITLE, load_demo_needs
from komunigi.needs.models import Need, PriorityRound

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "en"]
REPRESENTATIVE = "claire.dubois@bees-coop.example"  # of BEES coop, in the demo community
DEVELOPER = "virginie.lenoir@coopiteasy.example"  # of Coop IT Easy, a provider
# Quoted, with interest, two quotes and comments: the fullest need page of the demo.
NEED = "Générer les étiquettes d'articles dans Odoo"
OPEN_ROUND = "Priorités du printemps 2027"


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_demo_community()
    load_demo_needs()


@pytest.fixture
def open_round(demo: None) -> PriorityRound:
    return rounds.open_round(
        actor=User.objects.get(email=FACILITATOR[1]),
        title=OPEN_ROUND,
        candidates=list(Need.objects.filter(status__in=lifecycle.RANKABLE)[:4]),
        deadline=timezone.now() + timedelta(days=7),
    )


def need_path() -> str:
    return Need.objects.get(title=NEED).get_absolute_url()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_name", ["needs", "need", "roadmap", "rounds", "closed-round"])
def test_public_needs_page_is_accessible(page: Page, language: str, page_name: str) -> None:
    path, heading = {
        "needs": ("/needs/", t("Needs", language)),
        "need": (need_path(), NEED),
        "roadmap": ("/roadmap/", t("Roadmap", language)),
        "rounds": ("/priorities/", t("Priority rounds", language)),
        "closed-round": (
            PriorityRound.objects.get(title=ROUND_TITLE).get_absolute_url(),
            ROUND_TITLE,
        ),
    }[page_name]
    page.goto(prefix(language) + path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
def test_need_page_with_the_representative_forms_is_accessible(page: Page, language: str) -> None:
    log_in(page, REPRESENTATIVE, DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + need_path())
    expect(page.get_by_role("heading", name=t("We need this too", language))).to_be_visible()
    expect(page.get_by_role("button", name=t("Post the comment", language))).to_be_visible()
    assert_accessible(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
def test_need_page_with_the_quote_form_is_accessible(page: Page, language: str) -> None:
    log_in(page, DEVELOPER, DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + need_path())
    page.get_by_text(t("Add a quote", language), exact=True).click()
    expect(page.get_by_role("button", name=t("Add the quote", language))).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_name", ["need-form", "ballot", "round-form"])
def test_needs_form_page_is_accessible(
    page: Page, open_round: PriorityRound, language: str, page_name: str
) -> None:
    email, path, heading = {
        "need-form": (REPRESENTATIVE, "/needs/new/", t("Propose a need", language)),
        "ballot": (REPRESENTATIVE, open_round.get_absolute_url(), OPEN_ROUND),
        "round-form": (FACILITATOR[1], "/priorities/new/", t("Open a round", language)),
    }[page_name]
    log_in(page, email, DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if page_name == "ballot":
        # Checked once the JavaScript has added its Move up / Move down buttons.
        ballot = page.get_by_role("region", name=t("Your ranking", language))
        move_up_name = re.compile(f"^{re.escape(t('Move up', language))} — ")
        move_up = ballot.get_by_role("button", name=move_up_name)
        expect(move_up).to_have_count(open_round.candidates.count())
    assert_accessible(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
def test_need_form_with_errors_is_accessible(page: Page, language: str) -> None:
    log_in(page, REPRESENTATIVE, DEMO_PASSWORD, language=language)
    page.goto(f"{prefix(language)}/needs/new/")
    page.get_by_role("button", name=t("Publish", language)).click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)
