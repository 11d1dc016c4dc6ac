"""Threads and posts: written on the site (or, later, by e-mail), sent to the subscribers."""

import datetime
import uuid
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, OrganisationStatus, User
from komunigi.discussions import emails, permissions
from komunigi.discussions.models import (
    Delivery,
    MailingList,
    Post,
    PostAttachment,
    PostSource,
    Subscription,
    Thread,
)
from komunigi.errors import DomainError, require
from komunigi.markdown import render_markdown
from komunigi.needs.models import Need

MAX_BODY = 50_000
MAX_ATTACHMENTS = 5  # per post


@dataclass(frozen=True)
class Upload:
    """A file already checked (`needs.forms.check_upload`): its bytes, name and real type."""

    name: str
    content: bytes
    content_type: str
    extension: str


def new_message_id() -> str:
    return make_msgid(domain=settings.KOMUNIGI_MAIL_DOMAIN)


def speaking_for(user: User) -> Organisation | None:
    """The member organisation shown beside a person's name: the one they represent first."""
    membership = (
        user.memberships.filter(organisation__status=OrganisationStatus.MEMBER)
        .select_related("organisation")
        .order_by("role", "organisation__name")
        .first()
    )
    return membership.organisation if membership else None


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise DomainError(_("Write a message."))
    if len(body) > MAX_BODY:
        raise DomainError(_("A message has at most %(count)d characters.") % {"count": MAX_BODY})
    return body


def start_thread(
    mailing_list: MailingList,
    *,
    author: User,
    subject: str,
    body: str,
    needs: list[Need] | None = None,
    source: str = PostSource.WEB,
    message_id: str = "",
    attachments: list[Upload] | None = None,
) -> Thread:
    """A new thread and its first post. Side effects: the post is e-mailed to the list's
    subscribers (each as they chose) once the transaction commits; an audit entry."""
    require(permissions.can_post(author, mailing_list))
    subject = " ".join(subject.split())
    if not subject:
        raise DomainError(_("Give the thread a subject."))
    body = _clean_body(body)
    with transaction.atomic():
        thread = Thread.objects.create(
            mailing_list=mailing_list, subject=subject[:200], author=author
        )
        if needs:
            thread.needs.set(needs)
        post = _add_post(
            thread,
            author=author,
            body=body,
            parent=None,
            source=source,
            message_id=message_id,
            attachments=attachments or [],
        )
        log_action(author, "discussions.thread.started", thread, {"post": post.pk})
    return thread


def reply(
    thread: Thread,
    *,
    author: User,
    body: str,
    parent: Post | None = None,
    source: str = PostSource.WEB,
    message_id: str = "",
    attachments: list[Upload] | None = None,
) -> Post:
    """A reply in ``thread`` (to ``parent``, or to its first post). Side effects as for
    `start_thread`."""
    require(permissions.can_post(author, thread.mailing_list))
    body = _clean_body(body)
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if parent is None or parent.thread_id != thread.pk:
            parent = thread.posts.order_by("created_at", "pk").first()
        post = _add_post(
            thread,
            author=author,
            body=body,
            parent=parent,
            source=source,
            message_id=message_id,
            attachments=attachments or [],
        )
        log_action(author, "discussions.post.added", thread, {"post": post.pk})
    return post


def post_from_mail(
    mailing_list: MailingList,
    *,
    author: User | None,
    author_name: str,
    body: str,
    message_id: str,
    original: bytes,
    subject: str = "",
    thread: Thread | None = None,
    answers: list[str] | None = None,
    attachments: list[Upload] | None = None,
) -> Post:
    """A message that came by e-mail, already let in by `inbound` (a member, or a sender a
    facilitator approved): a new thread with ``subject`` (without "Re:", "Fwd:" or the list's
    tag: an answer to a message the list does not know, or a forwarded one, starts it), or an
    answer in ``thread`` to the post whose Message-ID it ``answers`` (its In-Reply-To), or else
    to the last one. Side effects as for `start_thread`."""
    body = _clean_body(body)[:MAX_BODY]
    subject = emails.bare_subject(mailing_list, subject) or " ".join(subject.split())
    with transaction.atomic():
        if thread is None:
            thread = Thread.objects.create(
                mailing_list=mailing_list, subject=subject[:200], author=author
            )
            parent = None
        else:
            thread = Thread.objects.select_for_update().get(pk=thread.pk)
            posts = thread.posts.order_by("created_at", "pk")
            answered = Q(message_id__in=answers or []) | Q(received_message_id__in=answers or [])
            parent = posts.filter(answered).last() or posts.last()
        post = _add_post(
            thread,
            author=author,
            author_name="" if author else author_name[:200],
            body=body,
            parent=parent,
            source=PostSource.EMAIL,
            message_id=message_id,
            received_message_id=message_id,
            original=original,
            attachments=attachments or [],
        )
        log_action(author, "discussions.post.received", thread, {"post": post.pk})
    return post


def _add_post(
    thread: Thread,
    *,
    author: User | None,
    body: str,
    parent: Post | None,
    source: str,
    message_id: str,
    author_name: str = "",
    received_message_id: str = "",
    original: bytes = b"",
    attachments: list[Upload] | None = None,
) -> Post:
    now = timezone.now()
    if message_id and Post.objects.filter(message_id=message_id).exists():
        # Sent to another list as well, or someone else's Message-ID reused: ours is unique.
        message_id = ""
    post = Post.objects.create(
        thread=thread,
        author=author,
        author_name=author_name,
        received_message_id=received_message_id,
        original=original,
        organisation=speaking_for(author) if author else None,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        source=source,
        message_id=message_id or new_message_id(),
        created_at=now,
    )
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=now, post_count=F("post_count") + 1)
    for upload in (attachments or [])[:MAX_ATTACHMENTS]:
        _attach(post, upload)
    emails.send_post(post)
    return post


def _attach(post: Post, upload: Upload) -> PostAttachment:
    attachment = PostAttachment(
        post=post,
        name=upload.name[:200] or "file",
        content_type=upload.content_type,
        size=len(upload.content),
    )
    # Stored under a name of our own, never the sender's.
    attachment.file.save(f"{uuid.uuid4().hex}.{upload.extension}", ContentFile(upload.content))
    return attachment


def edit_post(post: Post, *, actor: User, body: str, now: datetime.datetime | None = None) -> None:
    """Its author corrects it within 15 minutes (the e-mails already sent stay as they were)."""
    if not permissions.can_edit_post(actor, post, now):
        raise DomainError(_("A message can be edited by its author within 15 minutes."))
    body = _clean_body(body)
    with transaction.atomic():
        post.body, post.body_html, post.edited_at = body, render_markdown(body), timezone.now()
        post.save(update_fields=["body", "body_html", "edited_at"])
        log_action(actor, "discussions.post.edited", post.thread, {"post": post.pk})


def mark_solved(thread: Thread, *, actor: User, answer: Post) -> None:
    """The thread's author or a facilitator says which post answered it: it joins the
    practice base."""
    require(permissions.can_mark_solved(actor, thread))
    if answer.thread_id != thread.pk:
        raise DomainError(_("The answer must be a message of this thread."))
    with transaction.atomic():
        thread.answer, thread.solved_at = answer, timezone.now()
        thread.save(update_fields=["answer", "solved_at"])
        log_action(actor, "discussions.thread.solved", thread, {"answer": answer.pk})


def mark_unsolved(thread: Thread, *, actor: User) -> None:
    require(permissions.can_mark_solved(actor, thread))
    with transaction.atomic():
        thread.answer, thread.solved_at = None, None
        thread.save(update_fields=["answer", "solved_at"])
        log_action(actor, "discussions.thread.reopened", thread)


def subscribe(mailing_list: MailingList, *, user: User, delivery: str) -> Subscription:
    require(permissions.can_subscribe(user, mailing_list))
    if delivery not in Delivery.values:
        raise DomainError(_("Choose how the list's messages reach you."))
    with transaction.atomic():
        # Choosing again also resumes a delivery that bounces had stopped.
        subscription, _created = Subscription.objects.update_or_create(
            mailing_list=mailing_list,
            user=user,
            defaults={"delivery": delivery, "bounces": 0, "stopped_at": None},
        )
        log_action(user, "discussions.list.subscribed", mailing_list, {"delivery": delivery})
    return subscription


def unsubscribe(mailing_list: MailingList, *, user: User) -> bool:
    """Doing it twice is harmless; returns whether the person was subscribed."""
    with transaction.atomic():
        deleted, _details = Subscription.objects.filter(
            mailing_list=mailing_list, user=user
        ).delete()
        if deleted:
            log_action(user, "discussions.list.unsubscribed", mailing_list)
    return bool(deleted)
