import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from komunigi.web import charts
from komunigi.web.figures import Figure
from komunigi.web.tests.chart_support import assert_chart_shows_its_table, charts_in, grid_path

amounts = st.decimals(min_value=0, max_value=10**9, places=2)


def test_ticks_are_round_and_hold_the_values() -> None:
    assert charts.nice_ticks(Decimal(0), Decimal(2317)) == tuple(
        map(Decimal, (0, 1000, 2000, 3000))
    )
    assert charts.nice_ticks(Decimal(-40), Decimal(90)) == tuple(map(Decimal, (-50, 0, 50, 100)))
    assert charts.nice_ticks(Decimal(0), Decimal(0)) == (Decimal(0), Decimal(1))


@given(low=st.decimals(min_value=-(10**9), max_value=0, places=2), high=amounts)
def test_ticks_always_hold_the_lowest_and_highest_value(low: Decimal, high: Decimal) -> None:
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= low
    assert ticks[-1] >= high
    assert 2 <= len(ticks) <= 12


@given(parts=st.lists(amounts, max_size=5), mark=amounts)
def test_a_meters_parts_lie_end_to_end_and_in_proportion(
    parts: list[Decimal], mark: Decimal
) -> None:
    meter = charts.meter([(f"p{i}", value) for i, value in enumerate(parts)], marks=[("m", mark)])
    end = 0.0
    for part in meter.parts:
        assert abs(part.x - end) < 0.02
        end = part.x + part.width
    assert end <= charts.WIDTH + 0.02
    assert meter.maximum == max(sum(parts, Decimal(0)), mark)
    if meter.maximum:
        assert abs(meter.marks[0].x - float(mark / meter.maximum) * charts.WIDTH) < 0.01


def test_a_meter_refuses_a_negative_part() -> None:
    with pytest.raises(charts.ChartError):
        charts.meter([("paid", Decimal(-1))])


def test_bars_are_in_proportion_to_the_highest_and_none_draws_nothing() -> None:
    chart = charts.bars(
        [("2021", [Decimal(100), Decimal(50)]), ("2022", [None, Decimal(0)])],
        series=["income", "expenses"],
    )
    widths = [[bar.width for bar in row.bars] for row in chart.rows]
    plot = charts.WIDTH - charts.VALUE_ROOM
    assert widths == [[plot, plot / 2], [0.0, 0.0]]
    assert chart.rows[1].bars[0].value is None
    assert chart.rows[1].label_y > chart.rows[0].bars[1].y, "each row below the one before"


def test_a_step_line_spans_the_time_axis_with_a_tick_each_new_year() -> None:
    line = charts.step_line(
        [(datetime.date(2024, 7, 1), Decimal(500)), (datetime.date(2026, 7, 1), Decimal(-100))]
    )
    assert [point.x for point in line.points] == [0.0, charts.WIDTH]
    assert [year.year for year in line.years] == [2025, 2026]
    assert line.points[0].y < line.zero_y < line.points[1].y, "above zero, then below"
    assert line.path.startswith(f"M0.0 {line.points[0].y}")


def figures() -> list[Figure]:
    return [
        Figure(
            "money",
            "Money",
            "Half of it is raised.",
            charts.meter(
                [("paid", Decimal("250.50")), ("firm", Decimal(1000))],
                marks=[("target", Decimal(2000))],
            ),
            series={"paid": "Paid", "firm": "Firm"},
            marks={"target": "To raise"},
        ),
        Figure(
            "years",
            "Years",
            "Income grew.",
            charts.bars(
                [("2021", [Decimal("1234.5"), None]), ("2023", [Decimal(99), Decimal(7)])],
                series=["income", "expenses"],
            ),
            series={"income": "Income", "expenses": "Expenses"},
            row_heading="Year",
        ),
        Figure(
            "balance",
            "Balance",
            "It went up.",
            charts.step_line(
                [
                    (datetime.date(2025, 1, 31), Decimal(10)),
                    (datetime.date(2025, 3, 31), Decimal(4000)),
                ]
            ),
            series={"value": "Balance"},
            row_heading="Date",
        ),
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_kind_of_chart_shows_the_figures_of_its_table(language: str) -> None:
    with translation.override(language):
        html = "".join(
            render_to_string(figure.template, {"figure": figure}) for figure in figures()
        )
    found = charts_in(html)
    assert [(chart.id, chart.kind) for chart in found] == [
        ("money", "meter"),
        ("years", "bars"),
        ("balance", "step-line"),
    ]
    for chart in found:
        assert_chart_shows_its_table(chart, language)
    assert ("1\u202f234,50\xa0€" if language == "fr" else "€1,234.50") in html


def test_a_chart_drawn_out_of_proportion_is_caught() -> None:
    html = render_to_string(figures()[1].template, {"figure": figures()[1]})
    wrong = html.replace('width="360.0"', 'width="300.0"', 1)
    assert wrong != html
    with pytest.raises(AssertionError, match="long"):
        assert_chart_shows_its_table(charts_in(wrong)[0])


def test_a_grid_grades_each_cell_by_its_fifth_of_the_total() -> None:
    chart = charts.grid(
        [("#1", "#1 Dutch"), ("#2", "#2 Deposits"), ("#3", "#3 Peppol")],
        [[None, 10, 8], [0, None, 4], [2, 5, None]],
        total=10,
        path=[(0, 1), (1, 2)],
    )
    assert [[cell.grade for cell in row.cells] for row in chart.rows] == [
        [None, 4, 4],
        [0, None, 2],
        [1, 2, None],
    ]
    assert [[cell.on_path for cell in row.cells] for row in chart.rows] == [
        [False, True, False],
        [False, False, True],
        [False, False, False],
    ]
    assert [row.y for row in chart.rows] == [charts.GRID_HEADER + n * charts.CELL for n in range(3)]
    assert [cell.x for cell in chart.rows[2].cells] == [
        charts.GRID_LABEL + n * charts.CELL for n in range(3)
    ]
    assert [column.x for column in chart.columns] == [
        charts.GRID_LABEL + n * charts.CELL + charts.CELL // 2 for n in range(3)
    ]
    assert (chart.width, chart.height) == (
        charts.GRID_LABEL + 3 * charts.CELL,
        charts.GRID_HEADER + 3 * charts.CELL,
    )


@given(value=st.integers(min_value=0, max_value=1000), extra=st.integers(0, 1000))
def test_a_grade_is_the_fifth_of_the_total_a_value_falls_in(value: int, extra: int) -> None:
    total = value + extra
    grade = charts.grade(value, total)
    assert 0 <= grade <= 4
    if total:
        assert Decimal(grade) / 5 <= Decimal(value) / total
        assert grade == 4 or Decimal(value) / total < Decimal(grade + 1) / 5


def test_a_grid_refuses_what_it_cannot_draw() -> None:
    labels = [("#1", "#1"), ("#2", "#2")]
    with pytest.raises(charts.ChartError):
        charts.grid(labels, [[None, 1]], total=1)
    with pytest.raises(charts.ChartError):
        charts.grid(labels, [[None, 3], [0, None]], total=2)
    with pytest.raises(charts.ChartError):
        charts.grid(labels, [[None, 1], [0, None]], total=1, path=[(1, 1)])


def test_place_steps_set_each_place_against_the_next() -> None:
    assert charts.place_steps([1, 1, 1]) == {(0, 1), (1, 2)}
    # Two tied first, then one, then two tied last: each of a place against each of the next.
    assert charts.place_steps([2, 1, 2]) == {(0, 2), (1, 2), (2, 3), (2, 4)}
    assert charts.place_steps([3]) == frozenset()
    assert charts.place_steps([]) == frozenset()


def grid_figure() -> Figure:
    return Figure(
        "pairwise",
        "Pairwise",
        "How many ballots prefer each row.",
        charts.grid(
            [("#1", "#1 Dutch"), ("#2", "#2 Deposits"), ("#3", "#3 Peppol")],
            [[None, 1234, 900], [0, None, 617], [None, 5, None]],
            total=1234,
            path=charts.place_steps([1, 1, 1]),
        ),
        unit="count",
        row_heading="Need",
        marks={"path": "Each place against the next one"},
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_grid_writes_the_numbers_of_its_table_graded_by_their_share(language: str) -> None:
    with translation.override(language):
        html = render_to_string("web/charts/grid.html", {"figure": grid_figure()})
    (chart,) = charts_in(html)
    assert (chart.id, chart.kind) == ("pairwise", "grid")
    assert_chart_shows_its_table(chart, language)
    assert grid_path(chart) == [("#1", "#2"), ("#2", "#3")]
    assert ("1\xa0234" if language == "fr" else "1,234") in html


def test_a_grid_graded_or_written_wrong_is_caught() -> None:
    html = render_to_string("web/charts/grid.html", {"figure": grid_figure()})
    cell = 'on-path" data-row="1" data-column="2" data-grade='
    regraded = html.replace(f'grade-2 {cell}"2"', f'grade-3 {cell}"3"')
    assert regraded != html
    with pytest.raises(AssertionError, match="graded"):
        assert_chart_shows_its_table(charts_in(regraded)[0])
    rewritten = html.replace(">617</text>", ">716</text>")
    assert rewritten != html
    with pytest.raises(AssertionError, match="writes"):
        assert_chart_shows_its_table(charts_in(rewritten)[0])
