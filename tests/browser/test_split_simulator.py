"""The split simulator updates the shares as one types (htmx), and works without JavaScript."""

from decimal import Decimal

import pytest
from browser_support import assert_accessible, t
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from komunigi.money import format_money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def euros(amount: str) -> str:
    return format_money(Decimal(amount), "EUR", "fr")


def expect_shares(page: Page, *expected: tuple[str, str]) -> None:
    rows = page.get_by_role("table", name=t("Each supermarket's share")).locator("tbody tr")
    expect(rows.locator("th")).to_have_text([name for name, _ in expected])
    expect(rows.locator("td")).to_have_text([euros(amount) for _, amount in expected])


def cell(page: Page, label: str, row: int) -> Locator:
    return page.get_by_label(t("%(field)s, row %(row)s", field=t(label), row=row), exact=True)


def test_shares_follow_what_is_typed(page: Page) -> None:
    page.goto("/co-financing/simulator/")
    names = ["BEES coop", "BLOUM Coop", "Le NID", "Coopéco"]
    expect_shares(page, *[(name, "75") for name in names])

    page.get_by_label(t("Cost of the development")).fill("400")
    expect_shares(page, *[(name, "100") for name in names])

    # BEES coop pays at most 40 €: the others share the rest.
    cell(page, "Pays at most", 1).fill("40")
    expect_shares(page, ("BEES coop", "40"), *[(name, "120") for name in names[1:]])
    title = t("The more we are, the less each pays")
    expect(page.get_by_role("img", name=title)).to_be_visible()
    figures = page.get_by_role("table", name=t("The figures of the chart “%(title)s”", title=title))
    today = figures.locator("tr.current")  # the curve's row of today's four supermarkets
    with translation.override("fr"):
        four = ngettext("%(count)d supermarket", "%(count)d supermarkets", 4) % {"count": 4}
    expect(today.locator("th")).to_have_text(four)
    expect(today.locator("td")).to_have_text(euros("100"))
    assert_accessible(page)

    cell(page, "Weight", 2).fill("0")
    expect(page.locator("#simulation")).to_contain_text(t("A weight must be more than 0."))
    expect(cell(page, "Weight", 2)).to_have_value("0")  # nothing typed is lost


def test_a_row_is_added_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(
        java_script_enabled=False, locale="fr-FR", base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/co-financing/simulator/")
    page.get_by_role("button", name=t("Add a supermarket")).click()
    cell(page, "Supermarket", 5).fill("GASAP")
    page.get_by_role("button", name=t("Compute")).click()
    expect_shares(
        page, *[(name, "60") for name in ["BEES coop", "BLOUM Coop", "Le NID", "Coopéco", "GASAP"]]
    )
    context.close()
