"""The style guide in Chromium: no accessibility violation, no sideways scroll on a phone,
focus visible on every control, and a screenshot at desktop and phone widths for reviewers
(written to test-results/styleguide/, or to $KOMUNIGI_SCREENSHOTS)."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import assert_accessible
from playwright.sync_api import BrowserContext, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("KOMUNIGI_SCREENSHOTS", "test-results/styleguide"))
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("device", WIDTHS, ids=WIDTHS)
def test_the_style_guide_is_accessible_and_photographed(
    new_context: Callable[..., BrowserContext], device: str
) -> None:
    page = new_context(viewport=WIDTHS[device]).new_page()
    page.goto("/en/styleguide/")

    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS[device]["width"], f"the style guide is {width} px wide"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"styleguide-{device}.png"
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000


def test_the_keyboard_focus_shows_on_every_control(
    new_context: Callable[..., BrowserContext],
) -> None:
    """Tab through the whole page: every link, button and field reached draws an outline."""
    page = new_context().new_page()
    page.goto("/en/styleguide/")
    unmarked = []
    seen = 0
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement; if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            return {name: e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 40),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""
        )
        if focused is None:
            break
        seen += 1
        if not focused["outline"]:
            unmarked.append(focused["name"])
    assert seen > 30, "the tab order reaches the page's controls"
    assert not unmarked, f"focus not visible on: {unmarked}"


def test_a_printed_page_keeps_its_content_and_drops_what_paper_cannot_use(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context().new_page()
    page.goto("/en/styleguide/")
    printed_from = page.locator(".printed-from")
    figures = page.locator("#sample-line details.chart-figures table")
    expect(printed_from).to_be_hidden()
    expect(figures).to_be_hidden()

    page.emulate_media(media="print")

    expect(page.locator(".site-menu")).to_be_hidden()
    expect(page.locator("form").first).to_be_hidden()
    expect(page.locator("#sample-line svg")).to_be_visible()
    expect(figures).to_be_visible()  # folded on a screen, open on paper
    expect(printed_from).to_be_visible()
    expect(printed_from).to_contain_text("/en/styleguide/")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
