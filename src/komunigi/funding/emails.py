"""One function per e-mail about money, each in the recipient's language."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import override

from komunigi.community.models import User
from komunigi.funding.models import Fee
from komunigi.notifications.emails import absolute_url, send_templated_email


def send_fee_reminder(fee: Fee, due: Decimal, recipient: User) -> None:
    with override(recipient.language):
        url = absolute_url(reverse("statement", args=[fee.organisation.slug]))
    send_templated_email(
        "fee-reminder",
        to=recipient.email,
        language=recipient.language,
        context={"fee": fee, "due": due, "recipient": recipient, "url": url},
    )
