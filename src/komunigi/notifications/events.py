"""The kinds of things Komunigi tells a person, each with its own preference and default.

A kind that is legally or practically required (a meeting invitation, a password reset, a
one-time link) is ``required``: it is always sent at once and has no preference.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In my daily digest")
    OFF = "off", _("Not at all")


class Group(models.TextChoices):
    NEEDS = "needs", _("Needs")
    PRIORITIES = "priorities", _("Priority rounds")
    MEETINGS = "meetings", _("Meetings and decisions")
    MONEY = "money", _("Co-financing and fees")
    FACILITATION = "facilitation", _("Facilitation")
    LISTS = "lists", _("Mailing lists")
    ACCOUNT = "account", _("Your account")


@dataclass(frozen=True)
class Event:
    kind: str
    label: "str | _StrPromise"
    group: Group
    default: Mode = Mode.IMMEDIATE
    required: bool = False
    facilitators_only: bool = False
    # Shown on the preferences page; list posts follow each list's subscription instead.
    listed: bool = True


NEED_NEW = Event(
    "need-new", _("A new need in a tag or Odoo module I follow"), Group.NEEDS, Mode.DIGEST
)
NEED_COMMENT = Event(
    "need-comment",
    _("A comment on a need I follow or my supermarket is interested in"),
    Group.NEEDS,
)
NEED_QUOTE = Event(
    "need-quote", _("A quote on a need I follow or my supermarket is interested in"), Group.NEEDS
)
NEED_STATUS = Event("need-status", _("A need I follow changes status"), Group.NEEDS, Mode.DIGEST)
ROUND_OPENED = Event("round-opened", _("A priority round opens"), Group.PRIORITIES)
ROUND_CLOSING = Event(
    "round-closing",
    _("A priority round is about to close without my supermarket's ranking"),
    Group.PRIORITIES,
)
MEETING_INVITATION = Event(
    "meeting-invitation", _("Meeting invitations and cancellations"), Group.MEETINGS, required=True
)
MEETING_UPDATE = Event("meeting-update", _("A meeting I am invited to changes"), Group.MEETINGS)
MEETING_REMINDER = Event("meeting-reminder", _("Meeting reminders"), Group.MEETINGS)
MINUTES_PUBLISHED = Event(
    "minutes-published", _("Minutes are published"), Group.MEETINGS, Mode.DIGEST
)
DECISION_OUTCOME = Event("decision-outcome", _("A decision's outcome"), Group.MEETINGS, Mode.DIGEST)
CAMPAIGN_OPENED = Event(
    "campaign-opened",
    _("A campaign opens on a need my supermarket is interested in"),
    Group.MONEY,
)
CAMPAIGN_DEADLINE = Event("campaign-deadline", _("A campaign's deadline approaches"), Group.MONEY)
CAMPAIGN_CLOSED = Event("campaign-closed", _("A campaign is funded or fails"), Group.MONEY)
MAINTENANCE_PLAN = Event(
    "maintenance-plan",
    _("A maintenance plan of modules my organisation runs opens, nears its deadline or closes"),
    Group.MONEY,
)
SHARE_DUE = Event("share-due", _("A share is due"), Group.MONEY)
PAYMENT_RECORDED = Event("payment-recorded", _("A payment is recorded"), Group.MONEY, Mode.DIGEST)
CREDIT_RECEIVED = Event("credit-received", _("A credit is received"), Group.MONEY)
FEE_ISSUED = Event("fee-issued", _("A membership fee is issued"), Group.MONEY)
FEE_OVERDUE = Event("fee-overdue", _("A membership fee is overdue"), Group.MONEY)
JOIN_REQUEST = Event(
    "join-request", _("A join request arrives"), Group.FACILITATION, facilitators_only=True
)
LIST_POST = Event("list-post", _("Posts on the mailing lists"), Group.LISTS, listed=False)
ACCOUNT = Event(
    "account", _("Invitations, password resets and one-time links"), Group.ACCOUNT, required=True
)

EVENTS: dict[str, Event] = {
    event.kind: event
    for event in (
        NEED_NEW,
        NEED_COMMENT,
        NEED_QUOTE,
        NEED_STATUS,
        ROUND_OPENED,
        ROUND_CLOSING,
        MEETING_INVITATION,
        MEETING_UPDATE,
        MEETING_REMINDER,
        MINUTES_PUBLISHED,
        DECISION_OUTCOME,
        CAMPAIGN_OPENED,
        CAMPAIGN_DEADLINE,
        CAMPAIGN_CLOSED,
        MAINTENANCE_PLAN,
        SHARE_DUE,
        PAYMENT_RECORDED,
        CREDIT_RECEIVED,
        FEE_ISSUED,
        FEE_OVERDUE,
        JOIN_REQUEST,
        LIST_POST,
        ACCOUNT,
    )
}


def choosable(*, facilitator: bool) -> list[Event]:
    """The kinds a person sets a preference for, in the order the preferences page shows."""
    return [
        event
        for event in EVENTS.values()
        if event.listed and not event.required and (facilitator or not event.facilitators_only)
    ]
