"""Small typed readers for settings that come from environment variables.

Each reader raises ``ImproperlyConfigured`` with the variable's name when a value is
present but unusable, so a typo in a deployment fails at start-up, not at the first request.
"""

import os
import re
from decimal import Decimal, InvalidOperation
from email.utils import getaddresses

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_rate(name: str, default: str) -> Decimal:
    """A rate from 0 to less than 1 with at most 4 decimals: "0.05" is five per cent."""
    raw = os.environ.get(name, "").strip() or default
    try:
        rate = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a rate such as 0.05, not {raw!r}") from None
    if not (rate.is_finite() and 0 <= rate < 1 and rate == rate.quantize(Decimal("0.0001"))):
        raise ImproperlyConfigured(f"{name} must be from 0 to less than 1, not {raw!r}")
    return rate


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Enough to catch a typo (a missing "@", two addresses without a comma); the mail server
# judges the rest.
_ADDRESS = re.compile(r"[^@\s<>,]+@[^@\s<>,]+")


def env_addresses(name: str) -> list[tuple[str, str]]:
    """E-mail addresses separated by commas, each with its name or not:
    ``Ada Lovelace <ada@example.org>, ops@example.org`` gives
    ``[("Ada Lovelace", "ada@example.org"), ("", "ops@example.org")]``."""
    raw = os.environ.get(name, "")
    # getaddresses leaves ("", "") for a blank item between commas: dropped, as env_list does.
    found = [(n, address) for n, address in getaddresses([raw]) if n or address]
    for _name, address in found:
        if not _ADDRESS.fullmatch(address):
            raise ImproperlyConfigured(
                f"{name} must be e-mail addresses separated by commas, not {raw!r}"
            )
    return found


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value
