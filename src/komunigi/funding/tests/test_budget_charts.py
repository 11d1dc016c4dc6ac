"""The budget page's charts: each year's income and expenses on a time axis, where the money
came from and went to, and the fund's balance month by month, each drawn as its table says."""

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from komunigi.community.models import User
from komunigi.funding import budget, ledger, services
from komunigi.funding.models import LedgerTransaction
from komunigi.web.tests.chart_support import (
    Chart,
    assert_chart_shows_its_table,
    charts_in,
    text,
)

D = Decimal
pytestmark = pytest.mark.django_db
YEAR_SECTION = re.compile(r'<section class="card" aria-labelledby="year-\d+">.*?</section>', re.S)


def entry(
    facilitator: User, kind: str, amount: str, on: datetime.date, category: str = ""
) -> LedgerTransaction:
    return services.record_fund_entry(
        kind, D(amount), actor=facilitator, date=on, description=kind, category=category
    )


@pytest.fixture
def three_years(facilitator: User) -> None:
    """Money in 2021, 2022 and 2026, none in between; in 2026 an estimate typed by mistake and
    reversed the next day."""
    entry(facilitator, "subsidy", "20000.00", datetime.date(2021, 3, 1))
    entry(facilitator, "expense", "450.00", datetime.date(2021, 6, 15), "events")
    entry(facilitator, "expense", "1200.00", datetime.date(2022, 2, 10), "coordination")
    entry(facilitator, "subsidy", "500.00", datetime.date(2022, 2, 20))
    mistake = entry(facilitator, "expense", "900.00", datetime.date(2026, 5, 5), "estimation")
    ledger.reverse(mistake, date=datetime.date(2026, 5, 6), actor=facilitator, description="Twice")
    entry(facilitator, "subsidy", "1000.00", datetime.date(2026, 9, 1))


def page(language: str = "en") -> str:
    with translation.override(language):
        address = reverse("funding_budget")
    return Client(HTTP_ACCEPT_LANGUAGE=language).get(address).content.decode()


def chart(html: str, id: str) -> Chart:
    [found] = [chart for chart in charts_in(html) if chart.id == id]
    return found


def figures(chart: Chart) -> list[tuple[str, ...]]:
    """The rows of a chart's table as a reader sees them: its label, then each value."""
    return [
        tuple(text(cell) for cell in row)
        for row in chart.element.iter("tr")
        if row.find("td") is not None
    ]


def year_tables(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each year's table, its rows (a source or a total) with their amounts."""
    tables = {}
    for markup in YEAR_SECTION.findall(html):
        section = ET.fromstring(markup)  # noqa: S314 - our own page, in the tests
        rows = [row for row in section.iter("tr") if row.find("td") is not None]
        tables[text(section.find("h2"))] = [(text(row[0]), text(row[1])) for row in rows]
    return tables


@pytest.mark.usefixtures("three_years")
def test_the_years_chart_has_a_row_for_every_year_and_the_gap_shows() -> None:
    years = chart(page(), "budget-years")
    assert years.title == "Income and expenses per year"
    assert figures(years) == [
        ("2021", "€20,000.00", "€450.00"),
        ("2022", "€500.00", "€1,200.00"),
        ("2023", "—", "—"),
        ("2024", "—", "—"),
        ("2025", "—", "—"),
        ("2026", "€1,000.00", "€0.00"),
    ]
    rows = [row for row in years.svg("g") if "row" in row.get("class", "").split()]
    drawn = [
        (text(row[0]), [rect.get("data-series") for rect in row if rect.tag.endswith("rect")])
        for row in rows
    ]
    both = ["income", "expenses"]
    assert drawn == [
        ("2021", both),
        ("2022", both),
        ("2023", []),
        ("2024", []),
        ("2025", []),
        ("2026", both),
    ]


@pytest.mark.usefixtures("three_years")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_budget_chart_shows_the_figures_of_its_table(language: str) -> None:
    found = charts_in(page(language))
    assert [(found.id, found.kind) for found in found] == [
        ("budget-years", "bars"),
        ("budget-income-by-source", "bars"),
        ("budget-expenses-by-source", "bars"),
        ("budget-balance", "step-line"),
    ]
    for each in found:
        assert_chart_shows_its_table(each, language)


@pytest.mark.usefixtures("three_years")
def test_income_and_expenses_by_source_add_up_every_year_and_leave_out_what_came_to_nothing() -> (
    None
):
    html = page()
    income = chart(html, "budget-income-by-source")
    expenses = chart(html, "budget-expenses-by-source")
    assert (income.title, expenses.title) == (
        "Income by source, all years together",
        "Expenses by use, all years together",
    )
    assert figures(income) == [("Subsidies", "€21,500.00")]
    # The estimate and its reversal come to nothing: no row of €0.00.
    assert figures(expenses) == [("Coordination", "€1,200.00"), ("Events", "€450.00")]


@pytest.mark.usefixtures("three_years")
def test_the_year_tables_have_no_rows_of_zero_but_keep_their_totals() -> None:
    assert year_tables(page()) == {
        "2026": [
            ("Subsidies", "€1,000.00"),
            ("Total income", "€1,000.00"),
            ("Total expenses", "€0.00"),
        ],
        "2022": [
            ("Subsidies", "€500.00"),
            ("Total income", "€500.00"),
            ("Coordination", "€1,200.00"),
            ("Total expenses", "€1,200.00"),
        ],
        "2021": [
            ("Subsidies", "€20,000.00"),
            ("Total income", "€20,000.00"),
            ("Events", "€450.00"),
            ("Total expenses", "€450.00"),
        ],
    }


@pytest.mark.usefixtures("three_years")
def test_the_balance_line_steps_each_month_and_ends_at_the_funds_balance() -> None:
    html = page()
    line = chart(html, "budget-balance")
    assert line.title == "The community fund's balance at the end of each month"
    assert figures(line) == [
        ("31 March 2021", "€20,000.00"),
        ("30 June 2021", "€19,550.00"),
        ("28 February 2022", "€18,850.00"),
        ("31 May 2026", "€18,850.00"),
        ("30 September 2026", "€19,850.00"),
    ]
    [shown] = re.findall(r"Balance of the community fund: <strong>(.*?)</strong>", html)
    assert shown == figures(line)[-1][1] == "€19,850.00"
    assert ledger.balance(ledger.fund()) == D("19850.00")


@pytest.mark.usefixtures("three_years")
def test_each_chart_says_what_it_shows() -> None:
    assert {found.id: found.summary for found in charts_in(page())} == {
        "budget-years": "From 2021 to 2026, income was highest in 2021 (€20,000.00) and "
        "expenses in 2022 (€1,200.00). No money moved in 3 of these years.",
        "budget-income-by-source": "The largest source of income over all years: Subsidies, "
        "€21,500.00 of €21,500.00.",
        "budget-expenses-by-source": "The largest expense over all years: Coordination, "
        "€1,200.00 of €1,650.00.",
        "budget-balance": "From March 2021 to September 2026, the fund's balance was highest at "
        "the end of March 2021 (€20,000.00) and lowest at the end of February 2022 "
        "(€18,850.00); it ends at €19,850.00.",
    }


def test_a_correction_of_an_earlier_years_entry_draws_no_negative_bar(
    facilitator: User,
) -> None:
    mistake = entry(facilitator, "expense", "900.00", datetime.date(2025, 6, 1), "coordination")
    entry(facilitator, "subsidy", "100.00", datetime.date(2026, 1, 10))
    ledger.reverse(mistake, date=datetime.date(2026, 1, 12), actor=facilitator, description="No")
    html = page()
    # 2026 gives back more than it spent: its table shows it, no bar can.
    assert figures(chart(html, "budget-years")) == [
        ("2025", "€0.00", "€900.00"),
        ("2026", "€100.00", "—"),
    ]
    assert year_tables(html)["2026"] == [
        ("Subsidies", "€100.00"),
        ("Total income", "€100.00"),
        ("Coordination", "-€900.00"),
        ("Total expenses", "-€900.00"),
    ]
    # Over both years the correction cancels what it corrects: nothing was spent.
    assert [found.id for found in charts_in(html)] == [
        "budget-years",
        "budget-income-by-source",
        "budget-balance",
    ]
    assert figures(chart(html, "budget-balance")) == [
        ("30 June 2025", "-€900.00"),
        ("31 January 2026", "€100.00"),
    ]


def test_a_fund_that_never_moved_has_no_chart(db: None) -> None:
    html = page()
    assert charts_in(html) == []
    assert "No money has moved yet." in html


def test_the_balance_by_month_is_one_query(
    facilitator: User, django_assert_num_queries, three_years: None
) -> None:
    fund = ledger.fund()
    with django_assert_num_queries(1):
        months = budget.balance_by_month(fund)
    assert months == [
        (datetime.date(2021, 3, 31), D("20000.00")),
        (datetime.date(2021, 6, 30), D("19550.00")),
        (datetime.date(2022, 2, 28), D("18850.00")),
        (datetime.date(2026, 5, 31), D("18850.00")),
        (datetime.date(2026, 9, 30), D("19850.00")),
    ]
