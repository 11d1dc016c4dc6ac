from django import template

from komunigi.needs.models import Quote, QuoteStatus

register = template.Library()


@register.simple_tag
def quote_status(quote: Quote) -> str:
    """The quote's status as it stands today: a proposed quote past its date has expired."""
    return str(QuoteStatus(quote.effective_status()).label)
