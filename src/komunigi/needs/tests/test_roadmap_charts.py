"""The roadmap's "the more we are, the less each pays" curve: for a need with a valid quote and
supermarkets that need it, what each would pay with today's number of them and up to five more,
folded in the item (one compact curve per need, none where there is nothing to split or where a
campaign already took the need up)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from komunigi.community.tests.factories import OrganisationFactory
from komunigi.funding import split
from komunigi.needs.tests.factories import InterestFactory, NeedFactory, QuoteFactory
from komunigi.web.tests.chart_support import amount, assert_chart_shows_its_table, charts_in, text

D = Decimal
pytestmark = pytest.mark.django_db


def cell(row: ET.Element, tag: str) -> str:
    found = row.find(tag)
    assert found is not None, f"a row of the table has its {tag}"
    return text(found)


def test_a_roadmap_item_folds_the_curve_of_what_each_would_pay() -> None:
    quote = QuoteFactory(amount=D("1000.00"), provider_contribution=D("100.00"))
    for name in ("BEES coop", "BLOUM"):
        InterestFactory(need=quote.need, organisation=OrganisationFactory(name=name))
    NeedFactory(status="open")  # nobody needs it and nobody quoted it: no curve
    # Its campaign collects: the campaign's page draws the curve of its pledges.
    collecting = QuoteFactory(need=NeedFactory(status="funding"), status="accepted")
    InterestFactory(need=collecting.need, organisation=OrganisationFactory(name="Le NID"))

    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/en/roadmap/").content.decode()
    (chart,) = charts_in(html)
    assert chart.id == f"curve-{quote.need.pk}"
    assert_chart_shows_its_table(chart, "en")
    rows = [
        (cell(row, "th"), amount(cell(row, "td"), "en"))
        for row in chart.element.iter("tr")
        if row.find("td") is not None
    ]
    # The campaign a facilitator would open with the defaults, split by two supermarkets and
    # up to five more.
    defaults = split.split(
        quote.amount,
        [split.Participant("BEES coop"), split.Participant("BLOUM")],
        provider_contribution=quote.provider_contribution,
        overhead_rate=settings.KOMUNIGI_OVERHEAD_RATE,
    )
    assert rows == [(f"{p.participants} supermarkets", p.share) for p in defaults.curve[1:]]
    assert rows[0] == ("2 supermarkets", D("472.50"))  # (1000 − 100) × 1.05 / 2
    today = [cell(row, "th") for row in chart.element.iter("tr") if row.get("class") == "current"]
    assert today == ["2 supermarkets"]
    assert '<details class="roadmap-curve">' in html, "folded: a long list stays short"
