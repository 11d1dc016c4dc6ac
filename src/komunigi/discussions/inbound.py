"""Mail in: one message for one recipient of the lists' domain, posted, held or refused.

Both ways in (the LMTP server and `komunigi receive_mail` for an MTA's pipe) call `receive`.
A message is stored (posted, or held for a facilitator) before it is acknowledged: `receive`
writes in one transaction, and a database error reaches the caller, who answers "try again
later" (LMTP 451), so the MTA keeps the message and retries.
"""

import enum
import html
import re
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage, MIMEPart
from email.utils import parseaddr

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from mailparser_reply import EmailReplyParser

from komunigi.community.models import User
from komunigi.discussions import permissions, services, tokens
from komunigi.discussions.models import (
    AllowedSender,
    HeldMessage,
    HeldReason,
    MailingList,
    Post,
    Subscription,
    Thread,
)
from komunigi.needs.forms import check_upload
from komunigi.throttle.services import allow

MAX_BYTES = 10 * 1024 * 1024
# A sender posts at most this many messages an hour by e-mail (a loop, or a broken script);
# the next ones wait for a facilitator.
POSTS_PER_SENDER_PER_HOUR = 30
# At most this many of a sender's messages an hour wait for a facilitator (a stranger's, or a
# member's beyond their limit). The next ones are refused for now (451 4.7.1), not for good:
# a 5xx would have the MTA bounce each to its sender, who may be forged (backscatter), and
# lose a real sender's message; deferred, it comes back within the MTA's queue lifetime
# (Postfix: 5 days), once the hour's count has gone down, and a flood is slowed at the MTA
# instead of filling the moderation queue.
HELD_PER_SENDER_PER_HOUR = 10
REPLY_LANGUAGES = ["fr", "en", "nl", "de", "es"]
# The usual signature separator (RFC 3676 §4.3), its trailing space often lost on the way.
SIGNATURE = re.compile(r"\n--[ ]?\n.*\Z", re.DOTALL)
# What marks the line above a quoted message as its attribution ("Op di 1 dec 2026 om 10:00
# schreef Claire <claire@…>:"): a time, a year, a date, an address, or the verb in one of the
# five languages.
ATTRIBUTION_HINT = re.compile(
    r"\d{1,2}:\d{2}|\b\d{4}\b|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|@"
    r"|\b(?:wrote|a\s+écrit|schreef|geschreven|schrieb|geschrieben|escribió|escribio|escrito)\b",
    re.IGNORECASE,
)
# How an attribution starts when a mail client wraps it over two lines (Gmail does).
ATTRIBUTION_START = re.compile(r"^(?:on|le|op|am|el)\b", re.IGNORECASE)


class Kind(enum.Enum):
    LIST = "list"  # community@…: a new thread, or an answer found by its In-Reply-To
    REPLY = "reply"  # community+<token>@…: an answer in the token's thread, as its person
    BOUNCE = "bounce"  # community-bounces+<token>@…: a delivery report about a subscriber


class Outcome(enum.Enum):
    POSTED = "posted"
    HELD = "held"
    BOUNCE_COUNTED = "bounce counted"
    IGNORED = "ignored"  # our own loop, an auto-reply, a report: accepted and dropped
    DEFERRED = "deferred"  # too many from this sender within the hour: try again later
    UNKNOWN = "unknown"  # no such address (550 5.1.1)
    TOO_BIG = "too big"  # (552 5.3.4)


@dataclass(frozen=True)
class Address:
    kind: Kind
    mailing_list: MailingList
    token: str


def parse_address(address: str) -> Address | None:
    """Which list and which way in an address of the lists' domain names, or None."""
    local, _at, domain = parseaddr(address)[1].lower().rpartition("@")
    if domain != settings.KOMUNIGI_MAIL_DOMAIN.lower() or not local:
        return None
    base, _plus, token = local.partition("+")
    kind = Kind.REPLY if token else Kind.LIST
    if base.endswith("-bounces"):
        base, kind = base.removesuffix("-bounces"), Kind.BOUNCE
    mailing_list = MailingList.objects.filter(local_part=base).first()
    if mailing_list is None or (kind is Kind.BOUNCE and not token):
        return None
    return Address(kind, mailing_list, token)


def receive(raw: bytes, recipient: str) -> Outcome:
    """Handle ``raw`` (the message as the MTA hands it) for ``recipient``. Side effects: a
    post (and its e-mails to the subscribers), a held message, or a bounce counted."""
    address = parse_address(recipient)
    if address is None:
        return Outcome.UNKNOWN
    if len(raw) > MAX_BYTES:
        return Outcome.TOO_BIG
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101 - what policy.default returns
    if address.kind is Kind.BOUNCE:
        return _bounce(address, message)
    if is_noise(message, address.mailing_list):
        return Outcome.IGNORED
    with transaction.atomic():
        if address.kind is Kind.REPLY:
            return _reply(address, message, raw, recipient)
        return _to_list(address.mailing_list, message, raw, recipient)


def is_noise(message: EmailMessage, mailing_list: MailingList) -> bool:
    """Our own mail coming back, auto-replies, out-of-office notes and delivery reports."""
    if mailing_list.address.lower() in str(message.get("X-Loop", "")).lower():
        return True
    if str(message.get("Auto-Submitted", "no")).strip().lower() != "no":
        return True
    if str(message.get("Precedence", "")).strip().lower() in {"bulk", "junk", "auto_reply"}:
        return True
    if any(message.get(header) for header in ("X-Autoreply", "X-Autorespond")):
        return True
    # Exchange's out-of-office notes and other automatic replies carry only this: "All", or
    # "OOF" and "AutoReply" among others, asks that nothing automatic answer them back. A
    # sender that only declines receipts ("DR, RN") says nothing of itself.
    suppressed = str(message.get("X-Auto-Response-Suppress", "")).lower().replace(",", " ")
    if {"all", "oof", "autoreply"} & set(suppressed.split()):
        return True
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if sender.startswith(("mailer-daemon@", "postmaster@")) or not sender:
        return True
    return message.get_content_type() == "multipart/report"


def text_of(message: EmailMessage) -> str:
    """The message's own words: its text (or its HTML as text), without the quoted message
    it answers and without its signature."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = content_of(part)
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    content = content.replace("\r\n", "\n").strip()
    latest = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(content) or content
    latest = without_trailing_quote(latest.strip())
    return SIGNATURE.sub("", latest).strip()


def without_trailing_quote(text: str) -> str:
    """``text`` without the quoted message at its end (``>`` line by line) and the attribution
    line above it. mail-parser-reply misses some clients' attributions, Gmail's in Dutch ("Op …
    schreef X:") and Spanish ("El … escribió:") among them. A quote whose line above is no
    attribution ("I agree with this:") was quoted on purpose and stays, as does a message that
    is nothing but a quote."""
    lines = text.split("\n")
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        end -= 1
    if end == len(lines) or end == 0:
        return text
    last = lines[end - 1].strip()
    above = lines[end - 2].strip() if end >= 2 else ""
    before_above = lines[end - 3].strip() if end >= 3 else ""
    starts_above = not ATTRIBUTION_START.match(last) and ATTRIBUTION_START.match(above)
    if starts_above and not before_above:
        wrapped = f"{above} {last}"  # Gmail: "On Tue, … Claire Dubois <" / "claire@…> wrote:"
        if wrapped.endswith(":") and ATTRIBUTION_HINT.search(wrapped):
            return "\n".join(lines[: end - 2]).strip() or text
    if last.endswith(":") and ATTRIBUTION_HINT.search(last):
        return "\n".join(lines[: end - 1]).strip() or text
    return text


def attachments_of(message: EmailMessage) -> list[services.Upload]:
    """The images (inline ones included) and PDF files sent with the message, within the
    needs' limits; anything else stays in the original only."""
    uploads = []
    body = message.get_body(preferencelist=("plain", "html"))
    # Every leaf part but the text: attachments, and images inline in an HTML message (those
    # sit inside multipart/related, deeper than iter_attachments looks).
    for part in message.walk():
        if part.is_multipart() or part is body or part.get_content_maintype() == "text":
            continue
        content = content_of(part)
        if not isinstance(content, bytes):
            continue
        upload = ContentFile(content, name=part.get_filename() or "file")
        try:
            content_type, extension = check_upload(upload)
        except ValidationError:
            continue
        uploads.append(services.Upload(upload.name or "file", content, content_type, extension))
    return uploads[: services.MAX_ATTACHMENTS]


def content_of(part: MIMEPart) -> object:
    """A part's content: text as str, anything else as bytes. A charset Python does not know
    (``charset="x-mac-klingon"``, ``unknown-8bit``) is read as UTF-8 with the bytes it cannot
    read replaced: the message is posted, its original kept, rather than lost."""
    try:
        return part.get_content()
    except LookupError:
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        if part.get_content_maintype() == "text":
            return payload.decode("utf-8", errors="replace")
        return payload


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</h\d>", "\n", markup)
    text = html.unescape(nh3.clean(markup, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _sender(message: EmailMessage) -> tuple[str, str]:
    name, address = parseaddr(str(message.get("From", "")))
    return name, address.lower()


def _rate_limited(sender: str) -> bool:
    return not allow(
        "discussions.mail", sender, limit=POSTS_PER_SENDER_PER_HOUR, window=timedelta(hours=1)
    )


def _already_posted(message: EmailMessage, mailing_list: MailingList) -> Post | None:
    """An MTA that retries a message we stored (our answer was lost) finds it posted. Per
    list: a message sent to two lists is posted in each."""
    message_id = str(message.get("Message-ID", "")).strip()[:250]
    if not message_id:
        return None
    return Post.objects.filter(
        received_message_id=message_id, thread__mailing_list=mailing_list
    ).first()


def _replied_to(message: EmailMessage, mailing_list: MailingList) -> Thread | None:
    ids = str(message.get("In-Reply-To", "")).split() + str(message.get("References", "")).split()
    if not ids:
        return None
    post = (
        Post.objects.filter(Q(message_id__in=ids) | Q(received_message_id__in=ids))
        .filter(thread__mailing_list=mailing_list)
        .select_related("thread")
        .order_by("-pk")
        .first()
    )
    return post.thread if post else None


def _reply(address: Address, message: EmailMessage, raw: bytes, recipient: str) -> Outcome:
    found = tokens.read_reply_token(address.token)
    person = thread = None
    if found is not None:
        thread = Thread.objects.filter(pk=found[0], mailing_list=address.mailing_list).first()
        person = User.objects.filter(pk=found[1], is_active=True).first()
    if found is None or person is None:
        return _hold(address.mailing_list, message, raw, recipient, HeldReason.BAD_TOKEN)
    if thread is None:
        return _hold(address.mailing_list, message, raw, recipient, HeldReason.NO_THREAD)
    if not permissions.can_post(person, address.mailing_list):
        return _hold(address.mailing_list, message, raw, recipient, HeldReason.NOT_A_MEMBER)
    return _post(address.mailing_list, message, raw, recipient, person, thread=thread)


def _to_list(
    mailing_list: MailingList, message: EmailMessage, raw: bytes, recipient: str
) -> Outcome:
    _name, sender = _sender(message)
    person = User.objects.filter(email__iexact=sender, is_active=True).first()
    if person is None or not permissions.can_post(person, mailing_list):
        if AllowedSender.objects.filter(mailing_list=mailing_list, email=sender).exists():
            return _post(mailing_list, message, raw, recipient, None, thread=None)
        return _hold(mailing_list, message, raw, recipient, HeldReason.NOT_A_MEMBER)
    return _post(mailing_list, message, raw, recipient, person, thread=None)


def _post(
    mailing_list: MailingList,
    message: EmailMessage,
    raw: bytes,
    recipient: str,
    person: User | None,
    *,
    thread: Thread | None,
) -> Outcome:
    """Posted, unless its sender wrote too many within the hour: then it waits, with the
    address it was sent to, so that approving it posts it where and as whom it would have."""
    _name, sender = _sender(message)
    if _already_posted(message, mailing_list) is None and _rate_limited(sender):
        return _hold(mailing_list, message, raw, recipient, HeldReason.TOO_MANY)
    post_message(mailing_list, message, raw, person, thread=thread)
    return Outcome.POSTED


def post_message(
    mailing_list: MailingList,
    message: EmailMessage,
    raw: bytes,
    person: User | None,
    *,
    thread: Thread | None,
) -> Post:
    """The message as a post: in ``thread``, in the thread it answers, or as a new one (once:
    the same message again finds its post)."""
    posted = _already_posted(message, mailing_list)
    if posted is not None:
        return posted
    name, sender = _sender(message)
    body = text_of(message) or str(message.get("Subject", "")).strip() or "…"
    thread = thread or _replied_to(message, mailing_list)
    return services.post_from_mail(
        mailing_list,
        author=person,
        # A sender without a display name shows as the part before the @: the page is read
        # by visitors, and an outsider's address stays for facilitators (the original e-mail).
        author_name=name or sender.partition("@")[0],
        subject=str(message.get("Subject", "")).strip() or "…",
        thread=thread,
        body=body,
        message_id=str(message.get("Message-ID", "")).strip()[:250],
        original=raw,
        answers=str(message.get("In-Reply-To", "")).split(),
        attachments=attachments_of(message),
    )


def _hold(
    mailing_list: MailingList,
    message: EmailMessage,
    raw: bytes,
    recipient: str,
    reason: str,
) -> Outcome:
    """Held for a facilitator, within HELD_PER_SENDER_PER_HOUR; beyond, refused for now."""
    name, sender = _sender(message)
    if not allow(
        "discussions.held", sender, limit=HELD_PER_SENDER_PER_HOUR, window=timedelta(hours=1)
    ):
        return Outcome.DEFERRED
    HeldMessage.objects.create(
        mailing_list=mailing_list,
        recipient=recipient[:254],
        sender=sender[:254],
        sender_name=name[:200],
        subject=str(message.get("Subject", ""))[:250],
        text=text_of(message)[: services.MAX_BODY],
        raw=raw,
        reason=reason,
    )
    return Outcome.HELD


# Bounces -----------------------------------------------------------------------------------

HARD_STATUS = re.compile(r"^\s*Status:\s*5\.\d+\.\d+", re.IGNORECASE | re.MULTILINE)
FAILED_ACTION = re.compile(r"^\s*Action:\s*failed", re.IGNORECASE | re.MULTILINE)


def is_hard_bounce(message: EmailMessage) -> bool:
    """A delivery status report (RFC 3464) saying the address failed for good (5.x.x)."""
    report = message.as_string()
    return bool(HARD_STATUS.search(report)) or (
        message.get_content_type() == "multipart/report" and bool(FAILED_ACTION.search(report))
    )


def _bounce(address: Address, message: EmailMessage) -> Outcome:
    found = tokens.read_bounce_token(address.token)
    if found is None or found[0] != address.mailing_list.pk or not is_hard_bounce(message):
        return Outcome.IGNORED
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(mailing_list=address.mailing_list, user_id=found[1])
            .first()
        )
        if subscription is None:
            return Outcome.IGNORED
        subscription.bounces += 1
        fields = ["bounces"]
        if subscription.bounces >= Subscription.BOUNCE_LIMIT and subscription.stopped_at is None:
            subscription.stopped_at = timezone.now()
            fields.append("stopped_at")
        subscription.save(update_fields=fields)
    return Outcome.BOUNCE_COUNTED
