"""What a campaign would ask of each supermarket before it opens: the split engine with the
campaign's defaults (equal shares, the instance's overhead, no fund contribution)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from komunigi.community.models import Organisation
from komunigi.funding import split
from komunigi.needs.models import Quote


@dataclass(frozen=True)
class Estimate:
    to_raise: Decimal
    lowest: Decimal  # equal shares differ by a cent at most, when the amount does not divide
    highest: Decimal
    overhead_rate: Decimal


def estimate(quote: Quote, supermarkets: list[Organisation]) -> Estimate | None:
    """Each share if ``supermarkets`` shared ``quote`` in a campaign opened with the defaults;
    ``None`` without anybody to share it."""
    if not supermarkets:
        return None
    result = split.split(
        quote.amount,
        [split.Participant(str(s.pk)) for s in supermarkets],
        provider_contribution=quote.provider_contribution,
        overhead_rate=settings.KOMUNIGI_OVERHEAD_RATE,
    )
    amounts = [amount for _key, amount in result.shares]
    return Estimate(result.to_raise, min(amounts), max(amounts), settings.KOMUNIGI_OVERHEAD_RATE)
