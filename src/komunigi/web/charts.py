"""Where the shapes of a chart go: the geometry of the charts the pages draw as inline SVG.

Pure (no Django): values in, coordinates out, in the units of the SVG's ``viewBox``; the
templates in ``web/charts/`` draw them, with a title, a text alternative and the figures in a
table. Four kinds cover every chart of the site:

- a **meter**: one bar split into consecutive parts (paid, firm, pending…) against a total, with
  marks on it (the amount to raise, a quorum);
- **bars**: one labelled row per thing (a year, a number of supermarkets, a choice), each with
  one bar per series (income and expenses), the label above its bars, so that a long label and
  a phone's width both fit;
- a **step line**: a balance over time, on a time axis whose gaps show as gaps;
- a **grid**: a square table of counts as cells graded by their share of a total (a round's
  pairwise preferences), some of them outlined as a path.
"""

import datetime
import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 480  # viewBox units; a chart scales to its container's width
VALUE_ROOM = 120  # right of the longest bar, for its value
ROW_LABEL = 22  # height of a row's label line
BAR = 16  # height of one bar
BAR_GAP = 4
ROW_GAP = 12
METER_HEIGHT = 28
LINE_HEIGHT = 200
AXIS_ROOM = 30  # below a step line, for the years
TICKS = 4

ZERO = Decimal(0)


class ChartError(ValueError):
    """Values no chart can be drawn from (negative lengths, no points)."""


# Meter ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    key: str  # the series, also the CSS class that colours it
    value: Decimal
    x: float
    width: float


@dataclass(frozen=True)
class Mark:
    key: str
    value: Decimal
    x: float


@dataclass(frozen=True)
class Meter:
    parts: tuple[Part, ...]
    marks: tuple[Mark, ...]
    maximum: Decimal
    width: int = WIDTH
    height: int = METER_HEIGHT

    @property
    def total(self) -> Decimal:
        return sum((part.value for part in self.parts), ZERO)


def meter(
    parts: Sequence[tuple[str, Decimal]], *, marks: Sequence[tuple[str, Decimal]] = ()
) -> Meter:
    """Parts laid end to end from the left, on a scale that holds them all and every mark."""
    values = [value for _key, value in parts] + [value for _key, value in marks]
    if any(value < 0 for value in values):
        raise ChartError("a meter's parts and marks are not negative")
    maximum = max(sum((value for _key, value in parts), ZERO), *values, ZERO)
    laid: list[Part] = []
    start = ZERO
    for key, value in parts:
        laid.append(Part(key, value, _along(start, maximum), _along(value, maximum)))
        start += value
    placed = tuple(Mark(key, value, _along(value, maximum)) for key, value in marks)
    return Meter(tuple(laid), placed, maximum)


def _along(value: Decimal, maximum: Decimal, length: int = WIDTH) -> float:
    return round(float(value / maximum) * length, 2) if maximum else 0.0


# Bars -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    series: str
    value: Decimal | None  # None: nothing to draw (a year without expenses is 0, not None)
    y: float
    width: float
    value_x: float  # where its value is written: just after the bar's end…
    middle: float  # …at the bar's middle height


@dataclass(frozen=True)
class Row:
    label: str
    label_y: float
    bars: tuple[Bar, ...]
    current: bool


@dataclass(frozen=True)
class Bars:
    rows: tuple[Row, ...]
    series: tuple[str, ...]
    maximum: Decimal
    width: int
    height: float
    bar_height: int = BAR


def bars(
    rows: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    series: Sequence[str],
    current: str | None = None,
) -> Bars:
    """One row per label with one bar per series, all on one scale; ``current`` marks the row
    the reader is at (today's number of supermarkets)."""
    if any(len(values) != len(series) for _label, values in rows):
        raise ChartError("each row has one value per series")
    values = [value for _label, row in rows for value in row if value is not None]
    if any(value < 0 for value in values):
        raise ChartError("bars are not negative")
    maximum = max(values, default=ZERO)
    plot = WIDTH - VALUE_ROOM
    laid: list[Row] = []
    top = 0.0
    for label, row_values in rows:
        label_y = top + ROW_LABEL - 6
        bar_top = top + ROW_LABEL
        row_bars = []
        for index, (key, value) in enumerate(zip(series, row_values, strict=True)):
            y = bar_top + index * (BAR + BAR_GAP)
            width = _along(value, maximum, plot) if value is not None else 0.0
            row_bars.append(Bar(key, value, y, width, width + 6, y + BAR / 2))
        laid.append(Row(label, label_y, tuple(row_bars), label == current))
        top = bar_top + len(series) * (BAR + BAR_GAP) - BAR_GAP + ROW_GAP
    return Bars(tuple(laid), tuple(series), maximum, WIDTH, max(top - ROW_GAP, 0.0))


# Step line --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    on: datetime.date
    value: Decimal
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    value: Decimal
    at: float  # y for a value axis, x for a time axis


@dataclass(frozen=True)
class YearTick:
    year: int
    at: float


@dataclass(frozen=True)
class StepLine:
    points: tuple[Point, ...]
    path: str  # the SVG path: the value holds until the next point, then steps
    zero_y: float
    ticks: tuple[Tick, ...]
    years: tuple[YearTick, ...]
    width: int = WIDTH
    height: int = LINE_HEIGHT
    axis_room: int = AXIS_ROOM


def step_line(points: Sequence[tuple[datetime.date, Decimal]]) -> StepLine:
    """A value that holds from each date to the next (a balance), on a time axis from the first
    date to the last, with round ticks on the value axis, zero included."""
    if not points:
        raise ChartError("a line needs at least one point")
    ordered = sorted(points)
    first, last = ordered[0][0], ordered[-1][0]
    days = (last - first).days or 1
    ticks_values = nice_ticks(
        min(ZERO, *(v for _d, v in ordered)), max(ZERO, *(v for _d, v in ordered))
    )
    low, high = ticks_values[0], ticks_values[-1]

    def y_of(value: Decimal) -> float:
        span = high - low
        return (
            round(LINE_HEIGHT - float((value - low) / span) * LINE_HEIGHT, 2)
            if span
            else LINE_HEIGHT
        )

    laid = tuple(
        Point(on, value, round((on - first).days / days * WIDTH, 2), y_of(value))
        for on, value in ordered
    )
    path = [f"M{laid[0].x} {laid[0].y}"]
    for point in laid[1:]:
        path.append(f"H{point.x} V{point.y}")
    path.append(f"H{WIDTH}")
    years = tuple(
        YearTick(year, round((datetime.date(year, 1, 1) - first).days / days * WIDTH, 2))
        for year in range(first.year + 1, last.year + 1)
    )
    return StepLine(
        points=laid,
        path=" ".join(path),
        zero_y=y_of(ZERO),
        ticks=tuple(Tick(value, y_of(value)) for value in ticks_values),
        years=years,
    )


def nice_ticks(low: Decimal, high: Decimal, count: int = TICKS) -> tuple[Decimal, ...]:
    """Round values from at most ``low`` to at least ``high``, about ``count`` steps apart:
    0, 2 500, 5 000… rather than 0, 2 317, 4 634."""
    if high < low:
        raise ChartError("the highest value is below the lowest")
    span = high - low
    if span == 0:
        return (low, low + _nice_step(abs(low) or Decimal(1)))
    step = _nice_step(span / count)
    start = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    ticks = [start]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    if len(ticks) == 1:
        ticks.append(start + step)
    return tuple(ticks)


def _nice_step(rough: Decimal) -> Decimal:
    exponent = rough.adjusted()
    magnitude = Decimal(10) ** exponent
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if magnitude * factor >= rough:
            return magnitude * factor
    raise AssertionError("unreachable: 10 × magnitude exceeds the rough step")


# Grid -------------------------------------------------------------------------------------
# A square table of counts drawn as coloured cells: a round's pairwise preferences, each
# cell the ballots that prefer its row to its column, darker the larger their share.

CELL = 48  # the side of a cell: room for a four-digit count
GRID_LABEL = 64  # left of the first column, for the rows' labels
GRID_HEADER = 28  # above the first row, for the columns' labels
GRADES = 5  # a grade per fifth of the ballots: 0 under 20 %, … 4 from 80 %


@dataclass(frozen=True)
class Cell:
    column: int
    value: int | None  # None: a row against itself, or a count not published
    x: int
    grade: int | None  # None when there is no value to grade
    on_path: bool


@dataclass(frozen=True)
class GridRow:
    label: str  # short, on the chart's axes (a need's reference)
    name: str  # in full, heading the row of the table
    y: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class GridColumn:
    label: str
    x: int  # its middle, where its label is centred


@dataclass(frozen=True)
class Grid:
    rows: tuple[GridRow, ...]
    columns: tuple[GridColumn, ...]
    total: int  # the count every share is of (the ballots)
    width: int
    height: int
    cell: int = CELL
    label_room: int = GRID_LABEL
    header: int = GRID_HEADER

    @property
    def half(self) -> int:
        return self.cell // 2

    @property
    def grades(self) -> tuple[Decimal, ...]:
        """The share of the total each grade starts from, for a legend: 0, 0.2 … 0.8."""
        return tuple(Decimal(grade) / GRADES for grade in range(GRADES))


def grade(value: int, total: int) -> int:
    """The fifth of ``total`` that ``value`` falls in, in whole numbers (no float): 0 for under
    a fifth, 4 for four fifths or more."""
    if total <= 0:
        return 0
    return min(GRADES - 1, value * GRADES // total)


def grid(
    labels: Sequence[tuple[str, str]],
    matrix: Sequence[Sequence[int | None]],
    *,
    total: int,
    path: Collection[tuple[int, int]] = (),
) -> Grid:
    """One row and one column per label (``(short, full)``), in the given order; ``matrix[i][j]``
    is the count of row ``i`` against column ``j``, graded by its share of ``total``.
    ``path`` holds the ``(row, column)`` cells to outline."""
    size = len(labels)
    if len(matrix) != size or any(len(row) != size for row in matrix):
        raise ChartError("a grid has one row and one column per label")
    values = [value for row in matrix for value in row if value is not None]
    if any(value < 0 or value > total for value in values):
        raise ChartError("a grid's counts are between 0 and its total")
    if any(not (0 <= i < size and 0 <= j < size) or i == j for i, j in path):
        raise ChartError("a path's cells are in the grid, off its diagonal")
    on_path = set(path)
    rows = tuple(
        GridRow(
            short,
            name,
            GRID_HEADER + i * CELL,
            tuple(
                Cell(
                    j,
                    value,
                    GRID_LABEL + j * CELL,
                    grade(value, total) if value is not None else None,
                    (i, j) in on_path,
                )
                for j, value in enumerate(matrix[i])
            ),
        )
        for i, (short, name) in enumerate(labels)
    )
    columns = tuple(
        GridColumn(short, GRID_LABEL + j * CELL + CELL // 2)
        for j, (short, _name) in enumerate(labels)
    )
    return Grid(rows, columns, total, GRID_LABEL + size * CELL, GRID_HEADER + size * CELL)


def place_steps(places: Sequence[int]) -> frozenset[tuple[int, int]]:
    """The cells that set each place against the next, in a grid whose rows and columns follow
    an order of ``places`` (the number of tied rows at each place, first place first): every
    row of place k against every column of place k + 1. Without ties, the cells just right of
    the diagonal, from the top left corner down."""
    cells = set()
    start = 0
    for here, after in itertools.pairwise(places):
        cells |= {
            (row, column)
            for row in range(start, start + here)
            for column in range(start + here, start + here + after)
        }
        start += here
    return frozenset(cells)
