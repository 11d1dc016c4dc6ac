"""Where the shapes of a chart go: the geometry of the charts the pages draw as inline SVG.

Pure (no Django): values in, coordinates out, in the units of the SVG's ``viewBox``; the
templates in ``web/charts/`` draw them, with a title, a text alternative and the figures in a
table. Three kinds cover every chart of the site:

- a **meter**: one bar split into consecutive parts (paid, firm, pending…) against a total, with
  marks on it (the amount to raise, a quorum);
- **bars**: one labelled row per thing (a year, a number of supermarkets, a choice), each with
  one bar per series (income and expenses), the label above its bars, so that a long label and
  a phone's width both fit;
- a **step line**: a balance over time, on a time axis whose gaps show as gaps.
"""

import datetime
from collections.abc import Sequence
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
