"""A person moves their account to another e-mail address, and only they can: they ask from
"My account" with their password, and the change happens once they follow the link sent to the
new address (so nobody moves an account to a mailbox its owner does not hold). The old address
is told. A link names the account, the new address and the address it replaces: once the
address changed, every earlier link stops working."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from komunigi.audit.services import log_action
from komunigi.community.models import User
from komunigi.errors import DomainError
from komunigi.notifications.emails import absolute_url, send_templated_email

SALT = "komunigi.community.email-change"
VALIDITY = datetime.timedelta(days=3)


def address_taken(address: str, *, by_other_than: User) -> bool:
    return User.objects.filter(email__iexact=address).exclude(pk=by_other_than.pk).exists()


def request_change(user: User, new_address: str) -> None:
    """E-mail the new address a link that makes the change."""
    new_address = BaseUserManager.normalize_email(new_address)
    token = signing.dumps({"u": user.pk, "to": new_address, "from": user.email}, salt=SALT)
    with override(user.language):
        url = absolute_url(reverse("email_change_confirm", kwargs={"token": token}))
    send_templated_email(
        "email-change-confirm",
        to=new_address,
        language=user.language,
        context={"user": user, "url": url, "new_address": new_address},
        sensitive=True,
    )
    log_action(user, "community.user.email_change_requested", user)


@dataclass(frozen=True)
class Change:
    user: User
    new_address: str


def read(token: str) -> Change:
    """The change a link asks for; refused when forged, expired or already used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALIDITY)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise DomainError(_("This link is not valid any more: ask for a new one.")) from error
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("from"):
        raise DomainError(_("This link is not valid any more: ask for a new one."))
    return Change(user, data["to"])


def confirm(token: str) -> User:
    """Make the change a link asks for, and tell the old address."""
    with transaction.atomic():
        change = read(token)
        user = User.objects.select_for_update().get(pk=change.user.pk)
        if address_taken(change.new_address, by_other_than=user):
            raise DomainError(_("Another account uses this address already."))
        old_address, user.email = user.email, change.new_address
        user.save(update_fields=["email"])
        log_action(user, "community.user.email_changed", user)
        send_templated_email(
            "email-changed",
            to=old_address,
            language=user.language,
            context={"user": user, "new_address": change.new_address},
        )
    return user
