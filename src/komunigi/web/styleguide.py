"""The style guide (/styleguide/): every component of the site's one stylesheet with its states,
drawn by the templates and form renderer the pages use, and the palette with the contrast of
each colour, read from the stylesheet itself so that the page cannot drift from it."""

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from komunigi.formfields import DecimalAmountField
from komunigi.money import format_money
from komunigi.needs.models import NeedStatus
from komunigi.web import charts
from komunigi.web.figures import Figure

STYLESHEET = Path(__file__).parent / "static" / "web" / "site.css"
TOKEN = re.compile(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;")
TEXT_AA = 4.5  # WCAG 1.4.3, normal text
GRAPHICS_AA = 3.0  # WCAG 1.4.11, shapes and the text of large headings


@dataclass(frozen=True)
class Colour:
    token: str
    value: str
    on_paper: float  # contrast ratio against the page's white

    @property
    def use(self) -> str:
        """What the colour may carry: text needs 4.5:1, a shape 3:1; lighter ones fill areas
        that carry no meaning on their own (backgrounds, lines)."""
        if self.on_paper >= TEXT_AA:
            return "text"
        return "graphics" if self.on_paper >= GRAPHICS_AA else "background"


def palette(stylesheet: str | None = None) -> list[Colour]:
    """The colour tokens of the stylesheet's custom properties, with their contrast on white."""
    text = stylesheet if stylesheet is not None else _stylesheet()
    return [
        Colour(token, value.lower(), round(contrast(value, "#ffffff"), 2))
        for token, value in TOKEN.findall(text)
    ]


@functools.cache
def _stylesheet() -> str:
    return STYLESHEET.read_text()


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two sRGB colours: 21 for black on white, 1 for equal ones."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


class SampleForm(forms.Form):
    """Each kind of field the site's forms use, shown empty and then with its errors."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("A hint says what a good answer looks like."),
    )
    amount = DecimalAmountField(label=gettext_lazy("Amount"), min_value=Decimal("0.01"))
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            ("supermarket", gettext_lazy("Supermarket")),
            ("provider", gettext_lazy("Provider")),
        ],
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        widget=forms.RadioSelect,
        choices=[("must", gettext_lazy("must")), ("should", gettext_lazy("should"))],
    )
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea)
    consent = forms.BooleanField(label=gettext_lazy("I agree that my answer is published."))


def styleguide(request: HttpRequest) -> HttpResponse:
    invalid = SampleForm(
        data={"invalid-amount": "0", "invalid-deadline": "2026-02-31", "invalid-description": "Ok"},
        prefix="invalid",
    )
    invalid.is_valid()
    return render(
        request,
        "web/styleguide.html",
        {
            "palette": palette(),
            "text_aa": TEXT_AA,
            "graphics_aa": GRAPHICS_AA,
            "empty_form": SampleForm(prefix="empty"),
            "invalid_form": invalid,
            "figures": _sample_figures(),
            "statuses": NeedStatus.choices,  # each status's badge colour, with its name
            "sample_day": datetime.date(2026, 12, 1),
            "sample_moment": datetime.datetime(2026, 12, 1, 7, 34, tzinfo=datetime.UTC),
            "sample_amount": Decimal("12345.60"),
            "sample_share": Decimal("2468.50"),
            "sample_total": Decimal("4937.00"),
            "zero": Decimal("0.00"),
        },
    )


def _sample_figures() -> list[Figure]:
    """One chart of each kind, with made-up figures."""
    return [
        Figure(
            "sample-meter",
            _("A meter: what is raised of what is needed"),
            _(
                "%(paid)s of the %(to_raise)s to raise are paid, %(firm)s are pledged firmly "
                "and %(pending)s wait for a board."
            )
            % {
                "paid": _money(3000),
                "to_raise": _money(10000),
                "firm": _money(4000),
                "pending": _money(2000),
            },
            charts.meter(
                [("paid", Decimal(3000)), ("firm", Decimal(4000)), ("pending", Decimal(2000))],
                marks=[("target", Decimal(10000))],
            ),
            series={
                "paid": _("Paid"),
                "firm": _("Firm pledges"),
                "pending": _("Waiting for a board"),
            },
            marks={"target": _("To raise")},
        ),
        Figure(
            "sample-bars",
            _("Bars: one row per year, one bar per series"),
            _("Income grew from 2024 to 2026; nothing moved in 2025."),
            charts.bars(
                [
                    ("2024", [Decimal("12500.00"), Decimal("9800.50")]),
                    ("2025", [None, None]),
                    ("2026", [Decimal("18250.00"), Decimal("15020.00")]),
                ],
                series=["income", "expenses"],
            ),
            series={"income": _("Income"), "expenses": _("Expenses")},
            row_heading=_("Year"),
        ),
        Figure(
            "sample-line",
            _("A step line: a balance over time"),
            _("The balance rose to %(highest)s, fell below zero in spring 2026 and recovered.")
            % {"highest": _money(6000)},
            charts.step_line(
                [
                    (datetime.date(2025, 3, 31), Decimal(1500)),
                    (datetime.date(2025, 9, 30), Decimal(6000)),
                    (datetime.date(2026, 4, 30), Decimal(-800)),
                    (datetime.date(2026, 10, 31), Decimal(2400)),
                ]
            ),
            series={"value": _("Balance")},
            row_heading=_("Date"),
        ),
    ]


def _money(amount: int) -> str:
    return format_money(Decimal(amount), settings.KOMUNIGI_CURRENCY, get_language())
