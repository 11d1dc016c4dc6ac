"""What people and scripts type into a split, read and checked once for the page and the API.

The engine (`komunigi.funding.split`) knows no language: this module words its refusals."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from komunigi.funding import split
from komunigi.money import format_money


def parse_decimal(value: str | None, field: str, *, default: Decimal | None = None) -> Decimal:
    """``"1 234,50"`` and ``"1234.50"`` alike; a `split.SplitError` naming ``field`` otherwise."""
    text = (value or "").strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not text:
        if default is None:
            raise split.SplitError(split.MISSING, field)
        return default
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise split.SplitError(split.NOT_A_NUMBER, field, value=value) from None
    if not number.is_finite():
        raise split.SplitError(split.NOT_A_NUMBER, field, value=value)
    return number


def explain(error: split.SplitError) -> str:
    """The engine's refusal in the reader's words, amounts in the instance's currency (without
    the field: callers name it)."""
    currency, language = settings.KOMUNIGI_CURRENCY, get_language() or settings.LANGUAGE_CODE
    params = dict(error.params)
    for name in ("largest", "contributions", "total"):
        if name in params:
            params[name] = format_money(params[name], currency, language)  # type: ignore[arg-type]
    messages = {
        split.MISSING: _("This field is required."),
        split.NOT_A_NUMBER: _("“%(value)s” is not a number."),
        split.NEGATIVE: _("An amount cannot be negative."),
        split.TOO_LARGE: _("At most %(largest)s."),
        split.TOO_PRECISE: _("At most %(places)s decimals."),
        split.WEIGHT_NOT_POSITIVE: _("A weight must be more than 0."),
        split.DUPLICATE_KEY: _("“%(key)s” is already among the participants."),
        split.NO_PARTICIPANTS: _("Add at least one participant."),
        split.CONTRIBUTIONS_ABOVE_TOTAL: _(
            "The contributions (%(contributions)s) are larger than the total (%(total)s)."
        ),
        split.RATE_OUT_OF_RANGE: _("A rate from 0 to less than 1 (0.05 for five per cent)."),
    }
    return messages[error.code] % params
