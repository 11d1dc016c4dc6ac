from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from komunigi.funding import split
from komunigi.funding.forms import ParticipantFormSet, SimulatorForm, simulate

PARTICIPANTS_PREFIX = "p"
# What the page opens with: the deck's shift reminder e-mails, 300 € shared by 4.
EXAMPLE = {
    "total": "300",
    "provider_contribution": "0",
    "community_contribution": "0",
    "overhead": "0",
    "names": ["BEES coop", "BLOUM Coop", "Le NID", "Coopéco"],
}
CHART_HEIGHT = 200
BAR_WIDTH = 40
BAR_GAP = 12


@dataclass(frozen=True)
class Bar:
    participants: int
    share: Decimal
    x: int
    y: int
    height: int
    current: bool


def simulator(request: HttpRequest) -> HttpResponse:
    """Anybody tries a split: each share, and how it falls as more supermarkets join.

    A plain form post recomputes the page; with htmx, typing updates the results only."""
    data = request.POST.copy() if request.method == "POST" else _example()
    if "add" in data:  # the no-JavaScript way to get one more row
        key = f"{PARTICIPANTS_PREFIX}-TOTAL_FORMS"
        data[key] = str(int(data.get(key) or 0) + 1)
    form = SimulatorForm(data)
    participants = ParticipantFormSet(data, prefix=PARTICIPANTS_PREFIX)
    result = simulate(form, participants)
    context = {
        "form": form,
        "participants": participants,
        "result": result,
        "bars": _bars(result) if result else [],
        "chart": {"width": _chart_width(result), "height": CHART_HEIGHT},
    }
    if request.headers.get("HX-Request"):
        return render(request, "funding/_simulation.html", context)
    return render(request, "funding/simulator.html", context)


def _example() -> QueryDict:
    data = QueryDict(mutable=True)
    data.update({k: v for k, v in EXAMPLE.items() if k != "names"})
    data[f"{PARTICIPANTS_PREFIX}-TOTAL_FORMS"] = str(len(EXAMPLE["names"]))
    data[f"{PARTICIPANTS_PREFIX}-INITIAL_FORMS"] = "0"
    for index, name in enumerate(EXAMPLE["names"]):
        data[f"{PARTICIPANTS_PREFIX}-{index}-name"] = name
        data[f"{PARTICIPANTS_PREFIX}-{index}-weight"] = "1"
    return data


def _bars(result: split.Split) -> list[Bar]:
    """Bars of the "the more we are, the less each pays" chart, the first one full height."""
    highest = max((point.share for point in result.curve), default=Decimal(0)) or Decimal(1)
    bars = []
    for index, point in enumerate(result.curve):
        height = int(CHART_HEIGHT * point.share / highest)
        bars.append(
            Bar(
                participants=point.participants,
                share=point.share,
                x=index * (BAR_WIDTH + BAR_GAP),
                y=CHART_HEIGHT - height,
                height=height,
                current=point.participants == len(result.shares),
            )
        )
    return bars


def _chart_width(result: split.Split | None) -> int:
    return len(result.curve) * (BAR_WIDTH + BAR_GAP) if result else 0
