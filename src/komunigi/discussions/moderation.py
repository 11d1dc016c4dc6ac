"""Facilitators decide on the messages that came by e-mail and wait: approve (posted as
they would have been), approve and allow the sender from now on, or reject with a word to
the sender."""

from email import message_from_bytes, policy
from email.message import EmailMessage

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import User, is_facilitator
from komunigi.discussions import inbound, tokens
from komunigi.discussions.models import (
    AllowedSender,
    HeldMessage,
    HeldStatus,
    Post,
    Thread,
)
from komunigi.errors import DomainError, require
from komunigi.notifications.emails import send_templated_email


def _pending(held: HeldMessage) -> HeldMessage:
    held = HeldMessage.objects.select_for_update().get(pk=held.pk)
    if held.status != HeldStatus.PENDING:
        raise DomainError(_("This message was already decided on."))
    return held


def _decided(held: HeldMessage, status: str, actor: User) -> None:
    held.status, held.decided_by, held.decided_at = status, actor, timezone.now()
    held.save(update_fields=["status", "decided_by", "decided_at"])


def approve(held: HeldMessage, *, actor: User, allow_sender: bool = False) -> Post:
    """Post the message in its thread (the reply address's, the one it answers) or as a new
    thread; as the person its reply address was issued to, else as its sender's account if
    they have one, else under the name they wrote."""
    require(is_facilitator(actor))
    with transaction.atomic():
        held = _pending(held)
        message = message_from_bytes(bytes(held.raw), policy=policy.default)
        assert isinstance(message, EmailMessage)  # noqa: S101 - what policy.default returns
        person, thread = _reply_address_of(held)
        if person is None:
            person = User.objects.filter(email__iexact=held.sender, is_active=True).first()
        post = inbound.post_message(
            held.mailing_list, message, bytes(held.raw), person, thread=thread
        )
        if allow_sender:
            AllowedSender.objects.get_or_create(
                mailing_list=held.mailing_list,
                email=held.sender,
                defaults={"allowed_by": actor},
            )
        _decided(held, HeldStatus.APPROVED, actor)
        log_action(
            actor,
            "discussions.held.approved",
            held.mailing_list,
            {"held": held.pk, "allow_sender": allow_sender},
        )
    return post


def _reply_address_of(held: HeldMessage) -> tuple[User | None, Thread | None]:
    """The person and the thread a valid reply address names (a message held as one too many,
    or from a person who is no longer a member), even when they wrote from another address."""
    address = inbound.parse_address(held.recipient) if held.recipient else None
    if address is None or address.kind is not inbound.Kind.REPLY:
        return None, None
    found = tokens.read_reply_token(address.token)
    if found is None:
        return None, None
    thread = Thread.objects.filter(pk=found[0], mailing_list=held.mailing_list).first()
    return User.objects.filter(pk=found[1], is_active=True).first(), thread


def reject(held: HeldMessage, *, actor: User, note: str) -> None:
    """Not posted; the sender is told why (in the instance's language: they may have no
    account to read theirs from)."""
    require(is_facilitator(actor))
    with transaction.atomic():
        held = _pending(held)
        _decided(held, HeldStatus.REJECTED, actor)
        log_action(actor, "discussions.held.rejected", held.mailing_list, {"held": held.pk})
        if held.sender:
            send_templated_email(
                "list-rejected",
                to=held.sender,
                language=settings.LANGUAGE_CODE,
                context={"held": held, "mailing_list": held.mailing_list, "note": note.strip()},
            )
