"""The need form in a real browser."""

import re

import pytest
from browser_support import field, log_in, t
from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from komunigi.community.models import Role
from komunigi.community.tests.factories import MembershipFactory
from komunigi.needs.models import Need

pytestmark = pytest.mark.browser

PROBLEM = (
    "Les étiquettes de rayon sont faites avec un tableur.\n\n- prix au kilo faux\n- pas d'origine"
)
OUTCOME = "Des étiquettes imprimées **depuis Odoo**, par lot d'articles modifiés."


def test_need_form_with_an_error_shows_it_by_the_field_and_keeps_what_was_typed(
    page: Page,
) -> None:
    membership = MembershipFactory(role=Role.REPRESENTATIVE, organisation__name="La Coop du Coin")
    log_in(page, membership.user.email)
    page.goto("/needs/new/")
    title = field(page, capfirst(t("title")))
    organisation = field(page, capfirst(t("proposed by")))
    problem = field(page, capfirst(t("problem")))
    outcome = field(page, capfirst(t("expected outcome")))
    series = field(page, t("Odoo series"))
    tags = field(page, capfirst(t("tags")))
    expect(organisation).to_have_value(str(membership.organisation.pk))
    problem.fill(PROBLEM)
    outcome.fill(OUTCOME)
    series.select_option("16.0")
    tags.fill("étiquettes, stock")
    page.get_by_role("button", name=t("Publish")).click()

    expect(page).to_have_url(re.compile(r"/needs/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Propose a need"))
    expect(page.get_by_role("alert")).to_contain_text(
        t("Please correct the fields marked below: nothing was saved yet.")
    )
    # The error is shown with the field it is about, and read out with it.
    required = t("This field is required.")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(required)
    expect(title.locator("..")).to_contain_text(required)
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    # Nothing typed is lost.
    expect(title).to_have_value("")
    expect(organisation).to_have_value(str(membership.organisation.pk))
    expect(problem).to_have_value(PROBLEM)
    expect(outcome).to_have_value(OUTCOME)
    expect(series).to_have_value("16.0")
    expect(tags).to_have_value("étiquettes, stock")

    assert not Need.objects.exists()
