"""A chart as a page shows it: the geometry of ``web.charts`` with its title, a sentence that
says what it shows (the SVG's text alternative), the names of its series and the unit of its
values; ``web/charts/<kind>.html`` draws it with its figures in a table."""

from dataclasses import dataclass, field

from komunigi.web.charts import Bars, Grid, Meter, StepLine

TEMPLATES = {
    Meter: "web/charts/meter.html",
    Bars: "web/charts/bars.html",
    StepLine: "web/charts/step_line.html",
    Grid: "web/charts/grid.html",
}


@dataclass(frozen=True)
class Figure:
    id: str  # unique on the page: the ids of its title and text alternative derive from it
    title: str
    summary: str
    chart: Meter | Bars | StepLine | Grid
    series: dict[str, str] = field(default_factory=dict)  # series key → its translated name
    unit: str = "money"  # or "count"
    row_heading: str = ""  # the heading of the table's first column
    marks: dict[str, str] = field(default_factory=dict)  # a meter's mark key → its name

    @property
    def template(self) -> str:
        return TEMPLATES[type(self.chart)]

    @property
    def series_labels(self) -> list[tuple[str, str]]:
        return [(key, self.series.get(key, key)) for key in getattr(self.chart, "series", ())]
