"""The style guide shows every component, and the palette it reads from the stylesheet keeps
WCAG AA contrast wherever a colour carries text or meaning."""

import pytest
from django.test import Client

from komunigi.web.styleguide import contrast, palette
from komunigi.web.tests.chart_support import assert_chart_shows_its_table, charts_in

COLOURS = {colour.token: colour.value for colour in palette()}
TEXT = ["ink", "muted", "brand", "brand-dark", "link", "danger"]  # text colours on the page
BACKGROUNDS = ["paper", "soft", "success-bg", "error-bg", "info-bg"]  # of notices, headers…
SHAPES = [
    "series-paid",
    "series-firm",
    "series-pending",
    "series-due",
    "series-abstain",
    "focus",
    "brand",
    "danger",
    "link",
]


def test_contrast_is_the_wcag_ratio() -> None:
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert contrast("#777777", "#777777") == 1.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest grey passing AA


@pytest.mark.parametrize("text", TEXT)
@pytest.mark.parametrize("background", BACKGROUNDS)
def test_every_text_colour_reads_on_every_background(text: str, background: str) -> None:
    ratio = contrast(COLOURS[text], COLOURS[background])
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1"


@pytest.mark.parametrize("shape", SHAPES)
def test_every_colour_that_carries_meaning_stands_out_from_the_page(shape: str) -> None:
    assert contrast(COLOURS[shape], COLOURS["paper"]) >= 3.0


def test_a_grids_numbers_read_on_every_grade_and_white_on_the_header() -> None:
    """The Schulze grid writes ink on its light grades and white on its dark ones."""
    for background in ["grade-0", "grade-1", "grade-2"]:
        assert contrast(COLOURS["ink"], COLOURS[background]) >= 4.5, background
    for background in ["brand", "brand-dark", "grade-3", "grade-4"]:
        assert contrast("#ffffff", COLOURS[background]) >= 4.5, background


@pytest.mark.django_db
def test_the_style_guide_shows_every_component_and_chart(client: Client) -> None:
    html = client.get("/en/styleguide/").content.decode()

    for component in ['class="primary"', 'class="secondary"', 'class="danger"', 'type="checkbox"',
                      'type="radio"', 'type="date"', "amount-field", 'aria-invalid="true"',
                      'class="errorlist', 'class="badge status-funded"', 'class="notice"',
                      'class="table-scroll"', 'class="card"']:  # fmt: skip
        assert component in html, component
    charts = charts_in(html)
    assert {chart.kind for chart in charts} >= {"meter", "bars", "step-line"}
    for chart in charts:
        assert_chart_shows_its_table(chart, "en")
    assert html.count('<tr><th scope="row"><code>--') == len(COLOURS)
