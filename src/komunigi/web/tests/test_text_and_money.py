"""Shared helpers: Markdown sanitising, money formatting and amounts as people type them."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from komunigi.formfields import DecimalAmountField
from komunigi.markdown import render_markdown
from komunigi.money import format_money, to_cents


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("**bold** and *it*", "<p><strong>bold</strong> and <em>it</em></p>"),
        ("<script>alert(1)</script>", ""),
        ("<img src=x onerror=alert(1)>", "<p></p>"),
        ("[x](javascript:alert(1))", '<p><a rel="nofollow noopener noreferrer">x</a></p>'),
        ("# Title", "Title"),
        (
            "[site](https://example.org)",
            '<p><a href="https://example.org" rel="nofollow noopener noreferrer">site</a></p>',
        ),
    ],
)
def test_markdown_is_rendered_then_sanitised(source: str, html: str) -> None:
    assert render_markdown(source) == html


@pytest.mark.parametrize(
    ("amount", "language", "shown"),
    [
        ("1234.5", "fr", "1\u202f234,50\xa0€"),
        ("1234.5", "en", "€1,234.50"),
        ("1234.5", "de", "1.234,50\xa0€"),
        ("0.005", "en", "€0.01"),
    ],
)
def test_money_is_shown_in_the_readers_language(amount: str, language: str, shown: str) -> None:
    assert format_money(Decimal(amount), "EUR", language) == shown


def test_cents_round_half_up() -> None:
    assert [to_cents(Decimal(v)) for v in ("0.125", "0.124", "-0.125")] == [
        Decimal("0.13"),
        Decimal("0.12"),
        Decimal("-0.13"),
    ]


@pytest.mark.parametrize(
    ("language", "typed", "value"),
    [
        ("fr", "3 200,50", "3200.50"),
        ("fr", "3\u202f200,50", "3200.50"),
        ("fr", "3200.50", "3200.50"),
        ("en", "3,200.50", "3200.50"),
        ("de", "3.200,50", "3200.50"),
        ("de", "3,5", "3.5"),
        ("de", "3.5", "3.5"),
        ("en", "1,5", None),
        ("fr", "3'200,50", "3200.50"),
    ],
)
def test_amounts_are_read_as_people_type_them(language: str, typed: str, value: str) -> None:
    field = DecimalAmountField(max_digits=12, decimal_places=2)
    with translation.override(language):
        if value is None:
            with pytest.raises(forms.ValidationError):
                field.clean(typed)
        else:
            assert field.clean(typed) == Decimal(value)
