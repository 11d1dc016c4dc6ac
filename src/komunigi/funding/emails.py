"""One function per e-mail about money, each in the recipient's language."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import override

from komunigi.commons.models import Module
from komunigi.community.models import Organisation, User
from komunigi.funding.models import Campaign, Fee, MaintenancePlan
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
    """``share``: what ``supermarket`` owes now that the campaign is funded (None: failed).

    A share owed is told as a share due: whoever turned off campaign results still hears it.
    """
    _send_about_campaign(
        events.CAMPAIGN_CLOSED if share is None else events.SHARE_DUE,
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


def _people_speaking_for(organisation: Organisation) -> list[User]:
    """Who hears of an organisation's money: its representative and substitutes."""
    return list(User.objects.speaking_for([organisation]).order_by("pk"))


def _statement_url(organisation: Organisation, recipient: User) -> str:
    with override(recipient.language):
        return absolute_url(reverse("statement", args=[organisation.slug]))


def notify_fee_issued(fee: Fee) -> None:
    for recipient in _people_speaking_for(fee.organisation):
        notify(
            recipient,
            events.FEE_ISSUED,
            {"fee": fee, "url": _statement_url(fee.organisation, recipient)},
        )


def notify_payment_recorded(organisation: Organisation, amount: Decimal, what: str) -> None:
    """``what``: the campaign's need or the fee the payment is for, as the statement says."""
    for recipient in _people_speaking_for(organisation):
        notify(
            recipient,
            events.PAYMENT_RECORDED,
            {
                "organisation": organisation,
                "amount": amount,
                "what": what,
                "url": _statement_url(organisation, recipient),
            },
        )


def notify_late_join(
    campaign: Campaign,
    joiner: Organisation,
    catch_up: Decimal,
    credits: list[tuple[Organisation, Decimal]],
) -> None:
    """The newcomer owes its catch-up share; each earlier payer is credited what it covers."""
    for recipient in _people_speaking_for(joiner):
        _send_about_campaign(
            events.SHARE_DUE, "share-due", campaign, recipient, supermarket=joiner, share=catch_up
        )
    for organisation, credit in credits:
        for recipient in _people_speaking_for(organisation):
            _send_about_campaign(
                events.CREDIT_RECEIVED,
                "credit-received",
                campaign,
                recipient,
                supermarket=organisation,
                joiner=joiner,
                credit=credit,
            )


# The maintenance pool ----------------------------------------------------------------------


def _send_about_plan(
    event: events.Event, template: str, plan: MaintenancePlan, recipient: User, **extra: object
) -> None:
    with override(recipient.language):
        url = absolute_url(plan.get_absolute_url())
    notify(recipient, event, {"plan": plan, "url": url, **extra}, template=template)


def notify_plan_opened(plan: MaintenancePlan, bills: list[tuple[Organisation, Decimal]]) -> None:
    """Each organisation that runs a covered module hears of the plan and of its bill if every
    organisation that runs them commits."""
    for organisation, bill in bills:
        for recipient in _people_speaking_for(organisation):
            _send_about_plan(
                events.MAINTENANCE_PLAN,
                "maintenance-opened",
                plan,
                recipient,
                organisation=organisation,
                bill=bill,
            )


def notify_plan_reminder(
    plan: MaintenancePlan, organisation: Organisation, *, waiting_for_board: bool
) -> None:
    for recipient in _people_speaking_for(organisation):
        _send_about_plan(
            events.MAINTENANCE_PLAN,
            "maintenance-reminder",
            plan,
            recipient,
            organisation=organisation,
            waiting_for_board=waiting_for_board,
        )


def notify_plan_closed(plan: MaintenancePlan, bills: list[tuple[Organisation, Decimal]]) -> None:
    """Funded: each committed organisation owes its bill (a share due: whoever turned off plan
    news still hears it). Failed: they hear nobody owes anything (``bills`` with zeros)."""
    funded = plan.status == "funded"
    for organisation, bill in bills:
        for recipient in _people_speaking_for(organisation):
            _send_about_plan(
                events.SHARE_DUE if funded else events.MAINTENANCE_PLAN,
                "maintenance-funded" if funded else "maintenance-failed",
                plan,
                recipient,
                organisation=organisation,
                bill=bill,
            )


def notify_maintenance_join(
    plan: MaintenancePlan,
    joiner: Organisation,
    module: Module,
    owed: Decimal,
    credits: list[tuple[Organisation, Decimal]],
) -> None:
    """The newcomer owes its share of the days left; each earlier sharer is credited."""
    for recipient in _people_speaking_for(joiner):
        _send_about_plan(
            events.SHARE_DUE,
            "maintenance-joined",
            plan,
            recipient,
            organisation=joiner,
            module=module,
            amount=owed,
        )
    for organisation, credit in credits:
        for recipient in _people_speaking_for(organisation):
            _send_about_plan(
                events.CREDIT_RECEIVED,
                "maintenance-credited",
                plan,
                recipient,
                organisation=organisation,
                joiner=joiner,
                module=module,
                amount=credit,
            )
