"""A post goes out as a mailing list would send it (RFC 2369, 2919, 8058), to each subscriber
who takes every message; those who chose the digest find it there.

The sender is the list's own address with the author's name ("Claire Dubois (BEES coop) via
Komunigi"): a list that forwarded a member's own address would fail DMARC and land in spam.
Replies go to a per-recipient address whose token names the thread and the person.
"""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from komunigi.discussions import tokens
from komunigi.discussions.models import Delivery, MailingList, Post, Subscription
from komunigi.notifications import events
from komunigi.notifications.emails import absolute_url, send_templated_email
from komunigi.notifications.outbox import Envelope, one_click_unsubscribe_headers
from komunigi.notifications.services import keep_for_digest

# What mail clients put before a subject they answer or forward: Re, RE, AW and WG (German),
# Antw and Doorst (Dutch), RV (Spanish), TR and Réf (French), R and Rif (Italian), SV and VS
# (Nordic), Enc (Portuguese), Fwd and Fw; some number them ("Re[2]:", "AW(3):").
PREFIX = re.compile(
    r"^(?:re|aw|wg|antw|doorst|rv|tr|réf|r|rif|sv|vs|enc|fwd?)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*",
    re.IGNORECASE,
)


def bare_subject(mailing_list: MailingList, subject: str) -> str:
    """A subject without the answer and forward markers before it and the list's own tag
    ("Re: AW: [Entraide] Fwd: Stock" is "Stock"): a thread's subject, as mail clients keep it."""
    tag = f"[{mailing_list.name}]".lower()
    bare = " ".join(subject.split())
    while True:
        if bare.lower().startswith(tag):
            bare = bare[len(tag) :].lstrip()
        elif match := PREFIX.match(bare):
            bare = bare[match.end() :]
        else:
            return bare


def tagged_subject(mailing_list: MailingList, subject: str, *, is_reply: bool) -> str:
    """ "[Entraide] Shift reminders", "Re: [Entraide] Shift reminders": never "Re: Re:"."""
    bare = bare_subject(mailing_list, subject)
    return f"{'Re: ' if is_reply else ''}[{mailing_list.name}] {bare}"


def reply_address(mailing_list: MailingList, thread_id: int, user_id: int) -> str:
    token = tokens.reply_token(thread_id, user_id)
    return f"{mailing_list.local_part}+{token}@{settings.KOMUNIGI_MAIL_DOMAIN}"


def bounce_address(mailing_list: MailingList, user_id: int) -> str:
    token = tokens.bounce_token(mailing_list.pk, user_id)
    return f"{mailing_list.local_part}-bounces+{token}@{settings.KOMUNIGI_MAIL_DOMAIN}"


def references(post: Post) -> list[str]:
    """The Message-IDs from the thread's first post down to ``post``'s parent."""
    chain: list[str] = []
    parent = post.parent
    seen: set[int] = set()
    while parent is not None and parent.pk not in seen:
        seen.add(parent.pk)
        chain.append(parent.message_id)
        parent = parent.parent
    return list(reversed(chain))


def list_headers(mailing_list: MailingList, unsubscribe_url: str, archive_url: str) -> dict:
    return {
        "List-Id": f"{mailing_list.name} <{mailing_list.list_id}>",
        "List-Post": f"<mailto:{mailing_list.address}>",
        "List-Archive": f"<{archive_url}>",
        "List-Help": f"<{archive_url}>",
        **one_click_unsubscribe_headers(unsubscribe_url),
        "Precedence": "list",
        "X-Loop": mailing_list.address,
        # A person wrote it: the list passing it on does not make it "auto-generated" (RFC
        # 3834 §5), which would have autoresponders, filters and other lists (ours among
        # them, see inbound.is_noise) take it for a machine's.
        "Auto-Submitted": "",
    }


def send_post(post: Post) -> None:
    """Attachments are linked, not attached: a 5 MB file would be stored once per recipient
    in the outbox."""
    thread = post.thread
    mailing_list = thread.mailing_list
    subscriptions = (
        Subscription.objects.filter(mailing_list=mailing_list, user__is_active=True)
        .exclude(delivery=Delivery.WEB)
        .filter(stopped_at=None)
        .exclude(user__in=[post.author_id] if post.author_id else [])
        .select_related("user")
        .order_by("pk")
    )
    chain = references(post)
    files = list(post.attachments.all())
    sender = f"{post.author_label} via {settings.KOMUNIGI_COMMUNITY_NAME}"
    for subscription in subscriptions:
        person = subscription.user
        with translation.override(person.language):
            url = absolute_url(post.get_absolute_url())
            archive = absolute_url(mailing_list.get_absolute_url())
            unsubscribe = absolute_url(
                reverse(
                    "list_unsubscribe",
                    args=[tokens.unsubscribe_token(mailing_list.pk, person.pk)],
                )
            )
        context = {
            "post": post,
            "thread": thread,
            "mailing_list": mailing_list,
            "recipient": person,
            "url": url,
            "files": [(f.name, absolute_url(f.get_absolute_url())) for f in files],
            "subject_line": tagged_subject(mailing_list, thread.subject, is_reply=bool(chain)),
        }
        if subscription.delivery == Delivery.DIGEST:
            keep_for_digest(person, events.LIST_POST, "list-post", context)
            continue
        if mailing_list.reply_to_author and post.author is not None:
            reply_to = post.author.email
        else:
            reply_to = reply_address(mailing_list, thread.pk, person.pk)
        send_templated_email(
            "list-post",
            to=person.email,
            language=person.language,
            context={**context, "unsubscribe_url": unsubscribe, "preferences_url": archive},
            envelope=Envelope(
                message_id=post.message_id,
                in_reply_to=chain[-1] if chain else "",
                references=chain,
                reply_to=reply_to,
                from_name=sender,
                from_address=mailing_list.address,
                headers=list_headers(mailing_list, unsubscribe, archive),
                return_path=bounce_address(mailing_list, person.pk),
            ),
        )
