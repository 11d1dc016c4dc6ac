"""Checks every money service shares: amounts as the engine reads them, who speaks for whom."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from komunigi.community.models import User
from komunigi.errors import DomainError
from komunigi.funding import permissions, split
from komunigi.funding.simulation import explain


def check_amount(amount: Decimal, field: str = "amount") -> None:
    """The engine's rule for an amount (whole cents, not negative), refused in words."""
    try:
        split.check_amount(amount, field)
    except split.SplitError as error:
        raise DomainError(explain(error), code=error.code) from None


def check_payment(actor: User, amount: Decimal) -> None:
    """Only facilitators record money that moved, and it is a positive number of cents."""
    if not permissions.can_record_payments(actor):
        raise PermissionDenied
    check_amount(amount)
    if amount == 0:
        raise DomainError(_("A payment moves some money."))


def voices(supermarkets: Any) -> QuerySet[User]:
    """The people who speak and commit money for these supermarkets."""
    return User.objects.speaking_for(supermarkets)
