from typing import Any

from django import template

from komunigi.discussions.forms import SubscriptionForm
from komunigi.discussions.models import Delivery, MailingList

register = template.Library()


@register.inclusion_tag("discussions/_subscription_offer.html")
def subscription_offer(mailing_list: MailingList) -> dict[str, Any]:
    """A list offered to a person who does not read it: the three ways to read it and a
    button, as a plain form (no JavaScript), one per list on the same page."""
    form = SubscriptionForm(
        auto_id=f"offer-{mailing_list.slug}-%s", initial={"delivery": Delivery.EVERY}
    )
    return {"mailing_list": mailing_list, "form": form}
