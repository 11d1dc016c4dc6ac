"""Form fields shared by the apps."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

# What people put between thousands whatever their language: spaces of every width, and the
# Swiss apostrophe.
SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'’")


def strip_thousands(value: str) -> str:
    """Remove the language's own thousands separator where it really groups thousands:
    "3.200,50" in German, "3,200.50" in English — but "3.5" stays 3.5 everywhere."""
    value = value.translate(SPACES)
    thousands = get_format("THOUSAND_SEPARATOR")
    decimal = get_format("DECIMAL_SEPARATOR")
    if thousands in ("", decimal) or thousands.translate(SPACES) == "":
        return value
    grouped = rf"-?\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+(?:{re.escape(decimal)}\d*)?"
    if re.fullmatch(grouped, value):
        return value.replace(thousands, "")
    return value


class DecimalAmountField(forms.DecimalField):
    """A decimal as people type it in their language: "3 200,50" in French, "3,200.50" in
    English, "3.200,50" in German, "3'200.50" in Switzerland."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A phone offers its number keys; the field is as wide as an amount (see site.css).
        return {**super().widget_attrs(widget), "inputmode": "decimal", "class": "amount-field"}

    # The stubs derive DecimalField from IntegerField and ignore this same override themselves.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = strip_thousands(value)
        return super().to_python(value)


def primary_key(value: Any) -> int | None:
    """A primary key from a form's value or a query parameter (an object, a number, or text
    typed by anybody); ``None`` unless it is one."""
    if isinstance(value, models.Model):
        return value.pk
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 18 else None


# A select offers at most this many choices; above, people narrow it by typing a name.
CHOICES_SHOWN = 50


def narrowed(queryset: Any, words: str, *, field: str = "name") -> tuple[Any, bool]:
    """The choices a select offers: all of ``queryset`` when they are few; else the first
    `CHOICES_SHOWN` whose ``field`` contains ``words``, none until some are typed. Returns
    them and whether the list needs narrowing (so the page shows a search field)."""
    if queryset.count() <= CHOICES_SHOWN:
        return queryset, False
    words = words.strip()[:100]
    if not words:
        return queryset.none(), True
    found = list(
        queryset.filter(**{f"{field}__icontains": words}).values_list("pk", flat=True)[
            :CHOICES_SHOWN
        ]
    )
    return queryset.filter(pk__in=found), True


class QuickSelect(forms.Select):
    """The same ``<select>`` as Django's, written in Python rather than one template per
    option: for the few long lists (countries, time zones) where the templates cost tens of
    milliseconds a page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        parts: list[str] = [format_html("<select{}>", flatatt(final))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts += [_option(v, text, chosen) for v, text in label]
                parts.append("</optgroup>")
            else:
                parts.append(_option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def _option(value: Any, label: Any, chosen: set[str]) -> str:
    text = "" if value is None else str(value)
    selected = " selected" if text in chosen else ""
    return f'<option value="{escape(text)}"{selected}>{conditional_escape(label)}</option>'
