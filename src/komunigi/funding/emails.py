"""One function per e-mail about money, each in the recipient's language."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import override

from komunigi.community.models import Organisation, User
from komunigi.funding.models import Campaign, Fee
from komunigi.notifications import events
from komunigi.notifications.emails import absolute_url
from komunigi.notifications.services import notify


def send_fee_reminder(fee: Fee, due: Decimal, recipient: User) -> None:
    with override(recipient.language):
        url = absolute_url(reverse("statement", args=[fee.organisation.slug]))
    notify(
        recipient, events.FEE_OVERDUE, {"fee": fee, "due": due, "url": url}, template="fee-reminder"
    )


def send_campaign_opened(campaign: Campaign, recipient: User) -> None:
    _send_about_campaign(events.CAMPAIGN_OPENED, "campaign-opened", campaign, recipient)


def send_campaign_closed(
    campaign: Campaign, recipient: User, supermarket: Organisation, share: Decimal | None
) -> None:
    """``share``: what ``supermarket`` owes now that the campaign is funded (None: failed)."""
    _send_about_campaign(
        events.CAMPAIGN_CLOSED,
        "campaign-closed",
        campaign,
        recipient,
        supermarket=supermarket,
        share=share,
    )


def send_campaign_reminder(campaign: Campaign, recipient: User, supermarket: Organisation) -> None:
    """The deadline is near and ``supermarket``, interested in the need, has not pledged."""
    _send_about_campaign(
        events.CAMPAIGN_DEADLINE,
        "campaign-reminder",
        campaign,
        recipient,
        anchor="#pledge-title",
        supermarket=supermarket,
    )


def send_pledge_confirmation_reminder(
    campaign: Campaign, recipient: User, supermarket: Organisation
) -> None:
    """The deadline is near and ``supermarket``'s pledge still waits for its board."""
    _send_about_campaign(
        events.CAMPAIGN_DEADLINE,
        "pledge-confirmation-reminder",
        campaign,
        recipient,
        anchor="#pledge-title",
        supermarket=supermarket,
    )


def _send_about_campaign(
    event: events.Event,
    template: str,
    campaign: Campaign,
    recipient: User,
    *,
    anchor: str = "",
    **extra: object,
) -> None:
    """The ``template`` e-mail about ``campaign``, linking to its page in the recipient's
    language, as they chose to hear of ``event``."""
    with override(recipient.language):
        url = absolute_url(campaign.get_absolute_url() + anchor)
    notify(recipient, event, {"campaign": campaign, "url": url, **extra}, template=template)
