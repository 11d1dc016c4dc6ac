"""One function per e-mail the community directory sends, each in the recipient's language.

A join request's contact has no account yet: they are written to directly. People with an
account are told through ``notify``; account e-mails are required (always sent at once).
"""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import override

from komunigi.community.models import JoinRequest, Membership, Organisation, User
from komunigi.notifications import events
from komunigi.notifications.emails import absolute_url, send_templated_email
from komunigi.notifications.services import notify


def send_join_acknowledgment(join_request: JoinRequest) -> None:
    _mail_contact("join-acknowledgment", join_request)


def send_join_declined(join_request: JoinRequest) -> None:
    _mail_contact("join-declined", join_request)


def _mail_contact(kind: str, join_request: JoinRequest) -> None:
    """The person who sent a join request has no account: write in the request's language."""
    send_templated_email(
        kind,
        to=join_request.contact_email,
        language=join_request.language,
        context={"join_request": join_request},
    )


def send_join_request_to_facilitators(join_request: JoinRequest) -> None:
    facilitators = User.objects.filter(is_facilitator=True, is_active=True)
    for facilitator in facilitators:
        with override(facilitator.language):
            url = absolute_url(join_request.get_absolute_url())
        notify(
            facilitator,
            events.JOIN_REQUEST,
            {"join_request": join_request, "url": url},
            template="join-request-received",
        )


def set_password_url(user: User) -> str:
    """A one-time link, in the person's language: it stops working once the password is set."""
    with override(user.language):
        return absolute_url(
            reverse(
                "set_password",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        )


def send_invitation(user: User, organisation: Organisation) -> None:
    notify(
        user,
        events.ACCOUNT,
        {"user": user, "organisation": organisation, "url": set_password_url(user)},
        template="invitation",
        sensitive=True,
    )


def send_membership_invitation(membership: Membership, *, invited_by: User) -> None:
    """To a person added to an organisation: a set-password link, or where to log in."""
    user = membership.user
    if user.has_usable_password():
        with override(user.language):
            url = absolute_url(reverse("login"))
    else:
        url = set_password_url(user)
    notify(
        user,
        events.ACCOUNT,
        {
            "membership": membership,
            "user": user,
            "invited_by": invited_by,
            "url": url,
            "needs_password": not user.has_usable_password(),
        },
        template="membership-invitation",
        sensitive=not user.has_usable_password(),
    )


def send_password_reset(user: User) -> None:
    notify(
        user,
        events.ACCOUNT,
        {"user": user, "url": set_password_url(user)},
        template="password-reset",
        sensitive=True,
    )
