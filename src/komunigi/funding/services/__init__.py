"""Every write on co-financing and the ledger, each in one transaction with its audit event:
campaigns and pledges (`campaigns`), late joiners (`late_joiners`), sponsorships
(`sponsorships`), money recorded by hand (`payments`) and the maintenance pool
(`maintenance`, imported as a module). Membership fees are in `fees`."""

from komunigi.funding.services.campaigns import (
    Outlook,
    Preview,
    cancel_campaign,
    close_campaign,
    close_due_campaigns,
    confirm_pledge,
    open_campaign,
    outlook,
    pledge,
    pledges_version,
    post_funded,
    preview,
    remind_before_deadline,
    send_deadline_reminders,
    split_among,
    withdraw_pledge,
)
from komunigi.funding.services.checks import check_amount, check_payment
from komunigi.funding.services.late_joiners import add_late_joiner, borne_shares
from komunigi.funding.services.payments import (
    CORRECTABLE,
    record_fund_entry,
    record_payment,
    refund_credit,
    reverse_transaction,
)
from komunigi.funding.services.sponsorships import (
    apply_sponsorships,
    end_sponsorship,
    grant_sponsorship,
    sponsorship_costs,
)

__all__ = [
    "CORRECTABLE",
    "Outlook",
    "Preview",
    "add_late_joiner",
    "apply_sponsorships",
    "borne_shares",
    "cancel_campaign",
    "check_amount",
    "check_payment",
    "close_campaign",
    "close_due_campaigns",
    "confirm_pledge",
    "end_sponsorship",
    "grant_sponsorship",
    "open_campaign",
    "outlook",
    "pledge",
    "pledges_version",
    "post_funded",
    "preview",
    "record_fund_entry",
    "record_payment",
    "refund_credit",
    "remind_before_deadline",
    "reverse_transaction",
    "send_deadline_reminders",
    "split_among",
    "sponsorship_costs",
    "withdraw_pledge",
]
