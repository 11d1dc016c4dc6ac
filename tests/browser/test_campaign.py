"""A representative pledges with a cap and sees the shares change; a facilitator closes the
campaign and records a payment."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from browser_support import assert_accessible, field, log_in, t, tp
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from komunigi.community.models import User
from komunigi.funding import services
from komunigi.funding.models import Campaign
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket
from komunigi.money import format_money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def euros(amount: str) -> str:
    return format_money(Decimal(amount), "EUR", "fr")


def shares(page: Page) -> dict[str, str]:
    rows = page.locator("#campaign-split table.shares tbody tr")
    expect(rows.first).to_be_visible()
    return {
        row.locator("th").inner_text(): row.locator("td").last.inner_text() for row in rows.all()
    }


@pytest.fixture
def campaign(facilitator: User) -> Campaign:
    campaign = open_campaign(facilitator, "600.00")
    for name in ("BLOUM", "Le NID"):
        organisation, person = supermarket(name)
        services.pledge(campaign, organisation, actor=person)
    return campaign


def test_pledge_with_a_cap_then_close_and_record_a_payment(
    new_context: Callable[..., BrowserContext],
    campaign: Campaign,
    representative: User,
    facilitator: User,
) -> None:
    page = new_context().new_page()
    log_in(page, representative.email)
    page.goto(campaign.get_absolute_url())
    assert shares(page) == {"BLOUM": euros("300"), "Le NID": euros("300")}

    field(page, t("We pay at most")).fill("150")
    page.get_by_role("button", name=t("Pledge"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        t("%(name)s's pledge is recorded.", name="BEES coop")
    )
    # BEES coop pays its cap; the two others share the rest.
    assert shares(page) == {
        "BEES coop": euros("150"),
        "BLOUM": euros("225"),
        "Le NID": euros("225"),
    }
    # Closed now, the three firm pledges raise the 600 € to raise.
    expect(page.get_by_role("img", name=t("What the pledges would raise"))).to_be_visible()
    expect(page.locator('#campaign-money tr[data-series="firm"] td')).to_have_text(euros("600"))
    assert_accessible(page)

    desk = new_context().new_page()
    log_in(desk, facilitator.email)
    desk.goto(campaign.get_absolute_url())
    desk.get_by_role("button", name=t("Close the campaign now")).click()
    # Before the deadline, the facilitator first sees what closing does.
    expect(desk.get_by_role("heading", level=1)).to_contain_text(campaign.need.title)
    expect(desk.get_by_role("row", name="BEES coop")).to_contain_text(euros("150"))
    assert_accessible(desk)
    desk.get_by_role("button", name=t("Close now: funded")).click()
    expect(desk.get_by_role("status")).to_have_text(
        t("The campaign is funded: the shares are owed.")
    )
    expect(desk.get_by_role("heading", level=1)).to_contain_text(tp("campaign status", "Funded"))

    field(desk, t("From or to")).select_option(label="BEES coop")
    field(desk, t("Amount")).fill("150")
    field(desk, t("Date")).fill(timezone.localdate().isoformat())
    field(desk, t("Bank reference")).fill("BE-2026-0042")
    desk.get_by_role("button", name=t("Record the payment")).click()
    expect(desk.get_by_role("status")).to_have_text(t("The payment is recorded."))
    expect(desk.get_by_role("row", name="BE-2026-0042")).to_contain_text(euros("150"))
    # The money meter moves with the payment: 150 € of the 600 € paid.
    paid = desk.get_by_role("img", name=t("What is paid"))
    expect(paid).to_have_accessible_description(
        t("Of the %(raised)s raised, %(paid)s is paid and %(due)s still due.",
          raised=euros("600"), paid=euros("150"), due=euros("450"))
    )  # fmt: skip
    assert_accessible(desk)
