"""Money is Decimal with two places, rounded in one place. Never float."""

import functools
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

from babel import Locale
from babel.numbers import format_currency

CENT = Decimal("0.01")


class MoneyDigits(TypedDict):
    max_digits: int
    decimal_places: int


# The keyword arguments of every DecimalField holding money.
MONEY: MoneyDigits = {"max_digits": 12, "decimal_places": 2}


def to_cents(amount: Decimal) -> Decimal:
    """Round half up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(amount: Decimal) -> str:
    """An amount as the API and the CSV files give it: a decimal string with two places."""
    return str(amount.quantize(CENT))


def format_money(amount: Decimal, currency: str, language: str) -> str:
    """``1234.5`` → ``1 234,50 €`` in French, ``€1,234.50`` in English."""
    return _formatted(to_cents(amount), currency, language)


@functools.lru_cache(maxsize=10_000)
def _formatted(cents: Decimal, currency: str, language: str) -> str:
    """Remembered: a page shows the same amounts many times (shares, fees), and Babel takes
    tens of microseconds for each."""
    return format_currency(cents, currency, locale=_locale(language))


@functools.cache
def _locale(language: str) -> Locale:
    """Parsed once per language: a page shows many amounts."""
    return Locale.parse(language.replace("-", "_"))
