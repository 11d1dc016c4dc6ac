"""Reading a page's charts back, as a reviewer would: each chart's SVG must have a title and a
text alternative, and show exactly the figures of the table beside it: the same values written,
and lengths in proportion to them."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import parse_decimal

SVG = "{http://www.w3.org/2000/svg}"
FIGURE = re.compile(r'<figure class="chart-figure[^"]*".*?</figure>', re.DOTALL)
ROOM = 120  # web.charts.VALUE_ROOM
WIDTH = 480  # web.charts.WIDTH


@dataclass
class Chart:
    id: str
    kind: str  # meter, bars, step-line or grid
    title: str
    summary: str
    element: ET.Element

    def svg(self, tag: str) -> list[ET.Element]:
        return [e for e in self.element.iter() if e.tag in (tag, SVG + tag)]

    def table_cells(self, series: str) -> list[str]:
        return [text(cell) for cell in self.element.iter("td") if cell.get("data-series") == series]


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def charts_in(html: str) -> list[Chart]:
    """Each chart of the page, its SVG's title and text alternative checked to be there."""
    found = []
    for markup in FIGURE.findall(html):
        element = ET.fromstring(markup)  # noqa: S314 - our own pages, in the tests
        svg = next(e for e in element.iter() if e.tag in ("svg", SVG + "svg"))
        assert svg.get("role") == "img", "a chart is an image to assistive technologies"
        title_id, desc_id = svg.get("aria-labelledby"), svg.get("aria-describedby")
        by_id = {e.get("id"): e for e in element.iter() if e.get("id")}
        title, summary = text(by_id[title_id]), text(by_id[desc_id])
        assert title, "a chart has a title"
        assert summary, "a chart has a text alternative"
        kind = svg.get("class", "").split()[-1]
        found.append(Chart(element.get("id", ""), kind, title, summary, element))
    return found


def amount(shown: str, language: str = "fr") -> Decimal:
    """``1 234,50 €`` → ``Decimal("1234.50")``, a count as it is."""
    digits = re.sub(r"[^\d,.\-−]", "", shown).replace("−", "-")
    return Decimal(parse_decimal(digits, locale=language, strict=False))


def assert_chart_shows_its_table(chart: Chart, language: str = "fr") -> None:
    if chart.kind == "bars":
        _bars_match(chart, language)
    elif chart.kind == "meter":
        _meter_matches(chart, language)
    elif chart.kind == "grid":
        _grid_matches(chart, language)
    else:
        _line_matches(chart, language)


def _bars_match(chart: Chart, language: str) -> None:
    rects = [r for r in chart.svg("rect") if r.get("data-series")]
    series = {r.get("data-series") for r in rects} or {
        c.get("data-series") for c in chart.element.iter("td")
    }
    values = {}
    for key in series:
        written = [text(t) for t in chart.svg("text") if t.get("data-series") == key]
        cells = [c for c in chart.table_cells(key) if c != "—"]
        assert written == cells, f"the chart writes {written}, its table {cells}"
        widths = [float(r.get("width", "0")) for r in rects if r.get("data-series") == key]
        values[key] = list(zip((amount(c, language) for c in cells), widths, strict=True))
    highest = max((value for pairs in values.values() for value, _w in pairs), default=0)
    for pairs in values.values():
        for value, width in pairs:
            expected = float(value / highest) * (WIDTH - ROOM) if highest else 0.0
            assert abs(width - expected) < 0.02, f"a bar of {value} is {width} long"


def _meter_matches(chart: Chart, language: str) -> None:
    parts = [(r.get("data-series"), float(r.get("width", "0"))) for r in chart.svg("rect")
             if r.get("data-series")]  # fmt: skip
    marks = [(m.get("data-mark"), float(m.get("x1", "0"))) for m in chart.svg("line")]
    figures = {
        row.get("data-series") or row.get("data-mark"): amount(text(row.find("td")), language)
        for row in chart.element.iter("tr")
    }
    assert [key for key, _w in parts + marks] == list(figures), "each part and mark is in the table"
    scale = max(sum(figures[key] for key, _w in parts), *figures.values())
    for key, length in parts + marks:
        expected = float(figures[key] / scale) * WIDTH if scale else 0.0
        assert abs(length - expected) < 0.02, f"{key} ({figures[key]}) is drawn {length} long"


def _line_matches(chart: Chart, language: str) -> None:
    points = [
        (Decimal(c.get("data-value", "")), float(c.get("cy", "0"))) for c in chart.svg("circle")
    ]
    cells = [
        amount(text(row.find("td")), language)
        for row in chart.element.iter("tr")
        if row.find("td") is not None
    ]
    assert [value for value, _y in points] == cells, "each point is a row of the table"
    (low, low_y), (high, high_y) = min(points), max(points)
    for value, y in points:
        expected = (
            low_y + (float(value - low) / float(high - low)) * (high_y - low_y)
            if high != low
            else low_y
        )
        assert abs(y - expected) < 0.05, f"a balance of {value} is drawn at {y}"


def grid_cells(chart: Chart) -> dict[tuple[str, str], ET.Element]:
    """A grid's cells by their row's and column's labels, as the chart writes them."""
    rows = [text(t) for t in chart.svg("text") if "row-label" in t.get("class", "")]
    columns = [text(t) for t in chart.svg("text") if "column-label" in t.get("class", "")]
    return {
        (rows[int(g.get("data-row", ""))], columns[int(g.get("data-column", ""))]): g
        for g in chart.svg("g")
        if "cell" in g.get("class", "").split()
    }


def grid_path(chart: Chart) -> list[tuple[str, str]]:
    """The outlined cells of a grid, by their row's and column's labels, top row first."""
    return [key for key, g in grid_cells(chart).items() if "on-path" in g.get("class", "").split()]


def _grid_matches(chart: Chart, language: str) -> None:
    svg = chart.svg("svg")[0]
    total = int(svg.get("data-total", ""))
    cells = list(grid_cells(chart).values())
    table = [row.findall("td") for row in chart.element.iter("tr") if row.find("td") is not None]
    assert len(cells) == sum(len(row) for row in table), "each cell of the table is drawn"
    for g in cells:
        row, column = int(g.get("data-row", "")), int(g.get("data-column", ""))
        cell = table[row][column]
        written = " ".join(text(t) for t in g.iter() if t.tag in ("text", SVG + "text")) or "—"
        assert written == text(cell), f"the chart writes {written}, its table {text(cell)}"
        classes = g.get("class", "").split()
        assert ("on-path" in classes) == ("on-path" in cell.get("class", "").split()), (
            f"the chart and its table outline the cell {row}, {column} alike"
        )
        if written == "—":
            assert "empty" in classes, "a cell without a value is empty"
            assert g.get("data-grade") is None, "a cell without a value has no grade"
            continue
        value = amount(written, language)
        expected = min(4, int(value * 5 // total)) if total else 0
        graded = [c for c in classes if c.startswith("grade-")] + [f"grade-{g.get('data-grade')}"]
        assert graded == [f"grade-{expected}"] * 2, f"{value} of {total} is graded {graded}"
