"""Mail in, through a real LMTP server and the pipe command: nothing lost, nothing twice."""

import io
import re
import smtplib
import sys
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.management import call_command
from django.db import OperationalError, connections

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.discussions import emails, inbound, moderation, services, tokens
from komunigi.discussions.lmtp import Handler, LMTPController
from komunigi.discussions.models import (
    AllowedSender,
    Delivery,
    HeldMessage,
    HeldReason,
    MailingList,
    Post,
    PostSource,
    Subscription,
    Thread,
)
from komunigi.discussions.services import subscribe
from komunigi.notifications import outbox
from komunigi.notifications.models import OutboxMessage
from komunigi.testing import SmtpServer, free_port

LIST_ADDRESS = "community@komunigi.localhost"


def member(name: str, email: str, organisation: str) -> User:
    return MembershipFactory(
        organisation=OrganisationFactory(name=organisation),
        role=Role.REPRESENTATIVE,
        user=UserFactory(full_name=name, email=email, language="en"),
    ).user


def mail(
    sender: str, subject: str, text: str, *, to: str = LIST_ADDRESS, **headers: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


@pytest.fixture
def entraide(db: None) -> MailingList:
    return MailingList.objects.create(name="Entraide", slug="entraide", local_part="community")


@pytest.fixture
def people(entraide: MailingList) -> tuple[User, User]:
    claire = member("Claire Dubois", "claire@bees.example", "BEES coop")
    anna = member("Anna Huber", "anna@foodhub.example", "FoodHub München")
    for person in (claire, anna):
        subscribe(entraide, user=person, delivery=Delivery.EVERY)
    return claire, anna


@pytest.fixture
def lmtp() -> "LMTPController":
    controller = LMTPController(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def send_lmtp(controller: LMTPController, message: EmailMessage, to: list[str]) -> dict:
    with smtplib.LMTP(controller.hostname, controller.port) as client:
        # As an MTA sends it: lines end with CRLF.
        return client.sendmail(str(message["From"]), to, message.as_bytes(policy=policy.SMTP))


def send_lmtp_to_each(
    controller: LMTPController, message: EmailMessage, to: list[str]
) -> list[tuple[int, bytes]]:
    """After DATA, LMTP answers once for each recipient (RFC 2033 §4.2), as Postfix reads it;
    smtplib's sendmail reads only the first answer."""
    with smtplib.LMTP(controller.hostname, controller.port) as client:
        client.ehlo_or_helo_if_needed()
        client.mail(str(message["From"]))
        for recipient in to:
            assert client.rcpt(recipient)[0] == 250
        answers = [client.data(message.as_bytes(policy=policy.SMTP))]
        return answers + [client.getreply() for _ in to[1:]]


@pytest.mark.django_db(transaction=True)
def test_a_message_in_by_lmtp_opens_a_thread_and_a_reply_by_mail_lands_in_it(
    entraide: MailingList, people: tuple[User, User], lmtp: LMTPController, smtp_server: SmtpServer
) -> None:
    claire, anna = people
    question = mail(
        "Claire Dubois <claire@bees.example>", "Shift reminders", "They stopped. Any idea?"
    )
    assert send_lmtp(lmtp, question, [LIST_ADDRESS]) == {}

    thread = Thread.objects.get()
    first = thread.posts.get()
    assert (thread.subject, first.author, first.source) == ("Shift reminders", claire, "email")
    assert first.message_id == question["Message-ID"]
    outbox.deliver_due()
    [to_anna] = [m for m in smtp_server.messages if m["To"] == anna.email]
    assert to_anna["Message-ID"] == question["Message-ID"]
    reply_to = to_anna["Reply-To"]
    assert reply_to == f"community+{tokens.reply_token(thread.pk, anna.pk)}@komunigi.localhost"
    assert smtp_server.senders[-1] == emails.bounce_address(entraide, anna.pk)

    # Anna answers from her phone's other address: the token says who she is.
    answer = mail(
        "Anna <anna.phone@mail.example>",
        "Re: [Entraide] Shift reminders",
        "Check the e-mail template.\n\n"
        "Am Di., 1. Dez. 2026 um 10:00 schrieb Claire Dubois <community@komunigi.localhost>:\n"
        "> They stopped. Any idea?\n",
        to=reply_to,
        In_Reply_To=question["Message-ID"],
    )
    assert send_lmtp(lmtp, answer, [reply_to]) == {}
    reply = thread.posts.order_by("pk").last()
    assert (reply.author, reply.body, reply.parent) == (anna, "Check the e-mail template.", first)
    assert b"They stopped. Any idea?" in bytes(reply.original)  # the original is kept
    outbox.deliver_due()
    [to_claire] = [m for m in smtp_server.messages if m["To"] == claire.email]
    assert to_claire["In-Reply-To"] == question["Message-ID"]
    assert to_claire["Subject"] == "Re: [Entraide] Shift reminders"


@pytest.mark.django_db(transaction=True)
def test_lmtp_refuses_unknown_addresses_and_messages_too_big(
    entraide: MailingList,
    people: tuple[User, User],
    lmtp: LMTPController,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = mail("claire@bees.example", "Hello", "Hi")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send_lmtp(lmtp, message, ["nobody@komunigi.localhost"])
    assert refused.value.recipients["nobody@komunigi.localhost"][0] == 550
    assert refused.value.recipients["nobody@komunigi.localhost"][1].startswith(b"5.1.1")

    monkeypatch.setattr(inbound, "MAX_BYTES", 200)
    big = mail("claire@bees.example", "Big", ("x" * 70 + "\n") * 20)
    with pytest.raises(smtplib.SMTPDataError) as too_big:
        send_lmtp(lmtp, big, [LIST_ADDRESS])
    assert (too_big.value.smtp_code, too_big.value.smtp_error[:5]) == (552, b"5.3.4")
    assert Post.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_lmtp_answers_451_and_keeps_nothing_when_the_database_is_unavailable(
    entraide: MailingList, people: tuple[User, User], lmtp: LMTPController
) -> None:
    backend = type(connections["default"])
    working = backend.get_new_connection

    def unavailable(self: object, params: object) -> object:
        raise OperationalError("the database server is not answering")

    backend.get_new_connection = unavailable  # the server's threads open new connections
    try:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send_lmtp(lmtp, mail("claire@bees.example", "Hello", "Hi"), [LIST_ADDRESS])
    finally:
        backend.get_new_connection = working
    assert refused.value.recipients[LIST_ADDRESS][0] == 451
    assert (Post.objects.count(), HeldMessage.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_lmtp_answers_451_and_keeps_nothing_after_an_unexpected_error(
    entraide: MailingList,
    people: tuple[User, User],
    lmtp: LMTPController,
    settings,
    tmp_path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The attachments' storage fails (a file where its folder should be, as a full or
    # read-only disk would): an OSError, after the thread and the post were written.
    settings.MEDIA_ROOT = tmp_path / "not-a-folder"
    settings.MEDIA_ROOT.write_text("")
    message = mail("claire@bees.example", "The labels", "Here they are.")
    message.add_attachment(
        b"%PDF-1.4 labels", maintype="application", subtype="pdf", filename="labels.pdf"
    )
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send_lmtp(lmtp, message, [LIST_ADDRESS])
    assert (refused.value.smtp_code, refused.value.smtp_error[:5]) == (451, b"4.3.0")
    assert (Thread.objects.count(), Post.objects.count(), HeldMessage.objects.count()) == (0, 0, 0)
    assert OutboxMessage.objects.count() == 0
    [logged] = [r for r in caplog.records if r.name == "komunigi.discussions.lmtp"]
    assert (logged.levelname, logged.exc_info is not None) == ("ERROR", True)

    settings.MEDIA_ROOT = tmp_path / "media"  # the disk is fixed; the MTA tries again
    assert send_lmtp(lmtp, message, [LIST_ADDRESS]) == {}
    assert [a.name for a in Post.objects.get().attachments.all()] == ["labels.pdf"]


@pytest.mark.django_db(transaction=True)
def test_a_message_in_an_unknown_charset_is_posted_not_bounced(
    entraide: MailingList, people: tuple[User, User], lmtp: LMTPController
) -> None:
    raw = (
        "From: Claire Dubois <claire@bees.example>\r\n"
        f"To: {LIST_ADDRESS}\r\n"
        "Subject: Réunions\r\n"
        "Message-ID: <klingon@mail.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="x-mac-klingon"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Les réunions du mardi sont déplacées.\r\n"
    ).encode() + b"Caf\xe9 offert.\r\n"  # and a byte that is no UTF-8
    with smtplib.LMTP(lmtp.hostname, lmtp.port) as client:
        assert client.sendmail("claire@bees.example", [LIST_ADDRESS], raw) == {}
    post = Post.objects.get()
    assert post.body == "Les réunions du mardi sont déplacées.\nCaf\ufffd offert."
    assert bytes(post.original) == raw


@pytest.mark.django_db
def test_the_same_message_delivered_twice_is_posted_once(
    entraide: MailingList, people: tuple[User, User]
) -> None:
    message = mail("claire@bees.example", "Hello", "Hi")
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED
    assert Post.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_to_both_lists_is_posted_in_each_once(
    entraide: MailingList, people: tuple[User, User], lmtp: LMTPController
) -> None:
    claire, _anna = people
    logistique = MailingList.objects.create(
        name="Logistique", slug="logistique", local_part="logistique"
    )
    both = [LIST_ADDRESS, "logistique@komunigi.localhost"]
    message = mail("claire@bees.example", "March event", "Who brings the projector?")
    message.replace_header("To", ", ".join(both))
    stored = [(250, b"2.0.0 Stored"), (250, b"2.0.0 Stored")]
    assert send_lmtp_to_each(lmtp, message, both) == stored
    assert send_lmtp_to_each(lmtp, message, both) == stored  # a retry: our answer was lost
    posts = Post.objects.select_related("thread__mailing_list").order_by("pk")
    assert [(p.thread.mailing_list, p.thread.subject, p.author) for p in posts] == [
        (entraide, "March event", claire),
        (logistique, "March event", claire),
    ]
    first, second = posts
    # Each list's copy threads on its own: the second one's Message-ID is ours.
    assert first.message_id == message["Message-ID"] != second.message_id

    # An answer to the original, sent to both lists, lands in each thread.
    answer = mail("claire@bees.example", "Re: March event", "I do.", In_Reply_To=first.message_id)
    answer.replace_header("To", ", ".join(both))
    assert send_lmtp_to_each(lmtp, answer, both) == stored
    assert [t.post_count for t in Thread.objects.order_by("pk")] == [2, 2]


@pytest.mark.parametrize(
    ("subject", "thread_subject"),
    [
        ("Re: [Entraide] Shift reminders", "Shift reminders"),  # an answer to the old list
        ("AW: RE: [Entraide] AW: Lieferschein", "Lieferschein"),
        ("Fwd: Offre de la coopérative", "Offre de la coopérative"),
        ("TR: Réf : Antw: Doorst: RV: Rif: SV: Stock", "Stock"),
        ("Re[2]: [entraide]  Bestelling  ", "Bestelling"),
        ("Revue des stocks: mardi", "Revue des stocks: mardi"),  # no marker
    ],
)
@pytest.mark.django_db
def test_a_thread_started_by_mail_has_the_subject_without_answer_markers_and_our_tag(
    entraide: MailingList, people: tuple[User, User], subject: str, thread_subject: str
) -> None:
    message = mail("claire@bees.example", subject, "Hello")
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED
    assert Thread.objects.get().subject == thread_subject
    sent = OutboxMessage.objects.get(kind="list-post")  # to Anna
    assert sent.subject == f"[Entraide] {thread_subject}"


@pytest.mark.django_db
def test_a_non_member_is_held_then_approved_and_allowed_from_now_on(
    entraide: MailingList, people: tuple[User, User], facilitator: User
) -> None:
    outsider = mail("Sam Newcomer <sam@newcoop.example>", "Can we join?", "We run Odoo 16.")
    assert inbound.receive(outsider.as_bytes(), LIST_ADDRESS) is inbound.Outcome.HELD
    held = HeldMessage.objects.get()
    assert (held.reason, held.sender, held.text) == (
        HeldReason.NOT_A_MEMBER,
        "sam@newcoop.example",
        "We run Odoo 16.",
    )
    assert Post.objects.count() == 0

    post = moderation.approve(held, actor=facilitator, allow_sender=True)
    assert (post.author, post.author_label, post.thread.subject) == (
        None,
        "Sam Newcomer",
        "Can we join?",
    )
    assert AllowedSender.objects.filter(email="sam@newcoop.example").exists()
    again = mail("Sam Newcomer <sam@newcoop.example>", "Thanks", "Great.")
    assert inbound.receive(again.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED


@pytest.mark.django_db
def test_an_outsider_without_a_display_name_is_not_shown_by_address(
    entraide: MailingList, people: tuple[User, User], facilitator: User
) -> None:
    inbound.receive(mail("sam@newcoop.example", "Hi", "Hello.").as_bytes(), LIST_ADDRESS)
    post = moderation.approve(HeldMessage.objects.get(), actor=facilitator)
    assert post.author_label == "sam"


@pytest.mark.django_db
def test_one_reply_too_many_waits_and_its_approval_posts_it_in_its_thread_as_its_person(
    entraide: MailingList,
    people: tuple[User, User],
    facilitator: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inbound, "POSTS_PER_SENDER_PER_HOUR", 1)
    claire, anna = people
    thread = Thread.objects.create(mailing_list=entraide, subject="Shift reminders", author=claire)
    address = emails.reply_address(entraide, thread.pk, anna.pk)
    for text in ("First answer.", "Second answer."):  # from her phone, not her account's
        answer = mail("Anna <anna.phone@mail.example>", "Re: Shift reminders", text, to=address)
        inbound.receive(answer.as_bytes(), address)
    held = HeldMessage.objects.get()
    assert (held.reason, held.recipient) == (HeldReason.TOO_MANY, address)

    moderation.approve(held, actor=facilitator)
    assert [(p.author, p.body) for p in thread.posts.order_by("pk")] == [
        (anna, "First answer."),
        (anna, "Second answer."),
    ]
    assert Thread.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_strangers_flood_fills_the_moderation_queue_up_to_a_limit_then_waits_at_the_mta(
    entraide: MailingList,
    people: tuple[User, User],
    lmtp: LMTPController,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = []
    for n in range(40):
        message = mail("Sam <sam@spam.example>", f"Offer {n}", "Buy now")
        try:
            answers.append(send_lmtp(lmtp, message, [LIST_ADDRESS]))
        except smtplib.SMTPDataError as refused:
            answers.append((refused.smtp_code, refused.smtp_error[:5]))
    limit = 10  # held within an hour; the MTA keeps the rest and tries again later
    assert answers == [{}] * limit + [(451, b"4.7.1")] * (40 - limit)
    assert [h.subject for h in HeldMessage.objects.order_by("pk")] == [
        f"Offer {n}" for n in range(limit)
    ]
    # The pipe command has the MTA retry too (EX_TEMPFAIL).
    raw = mail("Sam <sam@spam.example>", "Offer 40", "Buy now").as_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(SystemExit) as exit:
        call_command("receive_mail", recipient=LIST_ADDRESS, stdout=io.StringIO())
    assert exit.value.code == 75
    # Members are not slowed by a stranger.
    assert send_lmtp(lmtp, mail("claire@bees.example", "Stock", "Hello"), [LIST_ADDRESS]) == {}
    assert Post.objects.get().thread.subject == "Stock"


@pytest.mark.django_db
def test_a_rejected_message_tells_its_sender(
    entraide: MailingList, facilitator: User, smtp_server: SmtpServer
) -> None:
    inbound.receive(mail("sam@newcoop.example", "Offer", "Buy now").as_bytes(), LIST_ADDRESS)
    moderation.reject(HeldMessage.objects.get(), actor=facilitator, note="Not for this list.")
    outbox.deliver_due()
    [told] = smtp_server.messages
    assert told["To"] == "sam@newcoop.example"
    assert "Not for this list." in told.get_body(preferencelist=("plain",)).get_content()
    assert Post.objects.count() == 0


@pytest.mark.django_db
def test_an_altered_reply_address_is_held(entraide: MailingList, people) -> None:
    claire, _anna = people
    token = tokens.reply_token(1, claire.pk)
    altered = token[:-1] + ("b" if token.endswith("a") else "a")  # one letter changed
    forged = f"community+{altered}@komunigi.localhost"
    message = mail("claire@bees.example", "Re: x", "Hi", to=forged)
    assert inbound.receive(message.as_bytes(), forged) is inbound.Outcome.HELD
    assert HeldMessage.objects.get().reason == HeldReason.BAD_TOKEN


QUOTED = "> Our shift reminders stopped. Any idea?\n>\n> Claire\n"


@pytest.mark.parametrize(
    ("answer", "attribution"),
    [
        # Gmail, French (its narrow no-break space before the colon) and Thunderbird
        (
            "Vérifiez le modèle.",
            "Le mar. 1 déc. 2026 à 10:00, Claire Dubois <claire@bees.example> a écrit\u202f:",
        ),
        ("Vérifiez le modèle.", "Le 01/12/2026 à 10:00, Claire Dubois a écrit :"),
        # English: Gmail, Gmail wrapping a long attribution, Thunderbird, Apple Mail
        (
            "Check the template.",
            "On Tue, Dec 1, 2026 at 10:00 AM Claire Dubois <claire@bees.example> wrote:",
        ),
        (
            "Check the template.",
            "On Tue, Dec 1, 2026 at 10:00 AM Claire Dubois from BEES coop <\n"
            "claire@bees.example> wrote:\n",
        ),
        ("Check the template.", "On 01/12/2026 10:00, Claire Dubois wrote:"),
        ("Check the template.", "On 1 Dec 2026, at 10:00, Claire Dubois wrote:\n"),
        # Dutch: Gmail (mail-parser-reply misses it), wrapped, Thunderbird
        (
            "Kijk naar het sjabloon.",
            "Op di 1 dec 2026 om 10:00 schreef Claire Dubois <claire@bees.example>:",
        ),
        (
            "Kijk naar het sjabloon.",
            "Op di 1 dec 2026 om 10:00 schreef Claire Dubois van BEES coop <\n"
            "claire@bees.example>:\n",
        ),
        ("Kijk naar het sjabloon.", "Op 01-12-2026 om 10:00 schreef Claire Dubois:"),
        # German: Gmail, Thunderbird
        (
            "Prüft die Vorlage.",
            "Am Di., 1. Dez. 2026 um 10:00 Uhr schrieb Claire Dubois <claire@bees.example>:",
        ),
        ("Prüft die Vorlage.", "Am 01.12.26 um 10:00 schrieb Claire Dubois:"),
        # Spanish: Gmail (missed by the library too), Thunderbird, Apple Mail
        (
            "Revisad la plantilla.",
            "El mar, 1 dic 2026 a las 10:00, Claire Dubois (<claire@bees.example>) escribió:",
        ),
        ("Revisad la plantilla.", "El 1/12/26 a las 10:00, Claire Dubois escribió:"),
        (
            "Revisad la plantilla.",
            "El 1 dic 2026, a las 10:00, Claire Dubois <claire@bees.example> escribió:\n",
        ),
    ],
)
@pytest.mark.django_db
def test_a_reply_is_posted_without_the_message_it_quotes_in_the_five_languages(
    entraide: MailingList, people: tuple[User, User], answer: str, attribution: str
) -> None:
    claire, anna = people
    thread = Thread.objects.create(mailing_list=entraide, subject="Shift reminders", author=claire)
    address = emails.reply_address(entraide, thread.pk, anna.pk)
    text = f"{answer}\n\n{attribution}\n{QUOTED}"
    raw = mail("anna@foodhub.example", "Re: [Entraide] Shift reminders", text, to=address)
    assert inbound.receive(raw.as_bytes(), address) is inbound.Outcome.POSTED
    post = thread.posts.get()
    assert (post.author, post.body) == (anna, answer)
    assert bytes(post.original) == raw.as_bytes()  # the quote included


@pytest.mark.parametrize(
    ("language", "headers"),
    [
        ("en", "From: Claire Dubois <claire@bees.example>\nSent: Tuesday, December 1, 2026"),
        ("fr", "De : Claire Dubois <claire@bees.example>\nEnvoyé : mardi 1 décembre 2026"),
        ("nl", "Van: Claire Dubois <claire@bees.example>\nVerzonden: dinsdag 1 december 2026"),
        ("de", "Von: Claire Dubois <claire@bees.example>\nGesendet: Dienstag, 1. Dezember 2026"),
        ("es", "De: Claire Dubois <claire@bees.example>\nEnviado: martes, 1 de diciembre de 2026"),
    ],
)
@pytest.mark.django_db
def test_an_outlook_reply_is_posted_without_the_message_below_it(
    entraide: MailingList, people: tuple[User, User], language: str, headers: str
) -> None:
    claire, anna = people
    thread = Thread.objects.create(mailing_list=entraide, subject="Shift reminders", author=claire)
    address = emails.reply_address(entraide, thread.pk, anna.pk)
    text = f"Check the template ({language}).\n\n{headers}\n\nOur shift reminders stopped.\n"
    raw = mail("anna@foodhub.example", "RE: [Entraide] Shift reminders", text, to=address)
    assert inbound.receive(raw.as_bytes(), address) is inbound.Outcome.POSTED
    assert thread.posts.get().body == f"Check the template ({language})."


@pytest.mark.django_db
def test_a_quote_below_a_line_that_is_no_attribution_stays(
    entraide: MailingList, people: tuple[User, User]
) -> None:
    text = "I agree with the minutes on this point:\n\n> Reminders go out at 8 in the morning.\n"
    raw = mail("claire@bees.example", "Reminders", text)
    assert inbound.receive(raw.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED
    assert Post.objects.get().body == text.strip()


@pytest.mark.parametrize(
    "headers",
    [
        {"X_Loop": LIST_ADDRESS},
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
        {"X_Autorespond": "Out of office"},
        {"X_Auto_Response_Suppress": "All"},  # Exchange's out-of-office note, nothing else
        {"X_Auto_Response_Suppress": "DR, OOF, AutoReply"},
    ],
)
@pytest.mark.django_db
def test_loops_and_automatic_replies_are_never_posted(
    entraide: MailingList, people, headers: dict
) -> None:
    message = mail("claire@bees.example", "Out of office", "I am away.", **headers)
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.IGNORED
    assert (Post.objects.count(), HeldMessage.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_message_that_only_declines_receipts_is_posted(entraide: MailingList, people) -> None:
    message = mail("claire@bees.example", "Stock", "Who counts?", X_Auto_Response_Suppress="DR, RN")
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED


def bounce_report(to: str, status: str, action: str = "failed") -> bytes:
    """A delivery status notification (RFC 3464) as an MTA sends it."""
    return (
        "From: MAILER-DAEMON@mail.example\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n'
        "\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
        "I could not deliver your message.\r\n"
        "\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.example\r\n\r\n"
        "Final-Recipient: rfc822; anna@foodhub.example\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n"
        "\r\n--b--\r\n"
    ).encode()


@pytest.mark.django_db
def test_three_hard_bounces_stop_delivery_and_the_person_is_told(
    entraide: MailingList, people: tuple[User, User]
) -> None:
    claire, anna = people
    address = emails.bounce_address(entraide, anna.pk)
    soft = bounce_report(address, "4.2.2", action="delayed")
    assert inbound.receive(soft, address) is inbound.Outcome.IGNORED
    for _ in range(3):
        assert inbound.receive(bounce_report(address, "5.1.1"), address) is (
            inbound.Outcome.BOUNCE_COUNTED
        )
    subscription = Subscription.objects.get(user=anna)
    assert (subscription.bounces, subscription.stopped_at is not None) == (3, True)

    OutboxMessage.objects.all().delete()
    services.start_thread(entraide, author=claire, subject="Stock", body="Hello")
    assert not OutboxMessage.objects.filter(to=anna.email).exists()
    from django.test import Client

    client = Client()
    client.force_login(anna)
    page = client.get("/en/dashboard/")
    assert [s.mailing_list for s in page.context["stopped_deliveries"]] == [entraide]
    client.post("/en/lists/entraide/subscription/", {"delivery": "every"})
    assert Subscription.objects.get(user=anna).stopped_at is None


@pytest.mark.django_db(transaction=True)
def test_a_bounce_delivered_over_lmtp_is_counted(
    entraide: MailingList, people: tuple[User, User], lmtp: LMTPController
) -> None:
    _claire, anna = people
    address = emails.bounce_address(entraide, anna.pk)
    with smtplib.LMTP(lmtp.hostname, lmtp.port) as client:
        # As an MTA returns it: from the null sender, to the return path of our e-mail.
        assert client.sendmail("", [address], bounce_report(address, "5.1.1")) == {}
    subscription = Subscription.objects.get(user=anna)
    assert (subscription.bounces, subscription.stopped_at) == (1, None)
    assert (Post.objects.count(), HeldMessage.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_html_only_mail_in_another_charset_is_posted_as_text(entraide, people) -> None:
    message = EmailMessage()
    message["From"] = "claire@bees.example"
    message["To"] = LIST_ADDRESS
    message["Subject"] = "Étiquettes"
    message.set_content(
        "<p>Les étiquettes sont <b>prêtes</b>.</p><p>Merci &amp; à bientôt</p>",
        subtype="html",
        charset="iso-8859-1",
    )
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED
    assert Post.objects.get().body == "Les étiquettes sont prêtes.\nMerci & à bientôt"


@pytest.mark.django_db
def test_the_pipe_command_reads_one_message_and_answers_as_an_mta_expects(
    entraide: MailingList, people, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(raw: bytes, recipient: str) -> int:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        try:
            call_command("receive_mail", recipient=recipient, stdout=io.StringIO())
        except SystemExit as exit:
            return int(exit.code or 0)
        return 0

    raw = mail("claire@bees.example", "By pipe", "Hello").as_bytes()
    assert run(raw, LIST_ADDRESS) == 0
    assert Post.objects.get().source == PostSource.EMAIL
    assert run(raw, "nobody@komunigi.localhost") == 67


@pytest.mark.django_db
def test_the_pipe_command_has_the_mta_retry_after_an_unexpected_error(
    entraide: MailingList, people, monkeypatch: pytest.MonkeyPatch, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "not-a-folder"  # the attachments' storage fails
    settings.MEDIA_ROOT.write_text("")
    message = mail("claire@bees.example", "The labels", "Here they are.")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="l.pdf")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(message.as_bytes())))
    with pytest.raises(SystemExit) as exit:
        call_command("receive_mail", recipient=LIST_ADDRESS, stdout=io.StringIO())
    assert exit.value.code == 75  # EX_TEMPFAIL: Postfix keeps it and tries again
    assert (Thread.objects.count(), Post.objects.count()) == (0, 0)


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.django_db
def test_the_moderation_page_is_for_facilitators_with_a_fixed_number_of_queries(
    entraide: MailingList,
    people: tuple[User, User],
    facilitator: User,
    django_assert_num_queries,
    count: int,
) -> None:
    from django.test import Client

    for n in range(count):
        inbound.receive(mail(f"x{n}@elsewhere.example", f"S{n}", "T").as_bytes(), LIST_ADDRESS)
    claire, _anna = people
    member_client, client = Client(), Client()
    member_client.force_login(claire)
    client.force_login(facilitator)
    assert member_client.get("/en/facilitation/moderation/").status_code == 403
    # session, user, the page's count and its rows
    with django_assert_num_queries(4):
        page = client.get("/en/facilitation/moderation/")
    assert [h.subject for h in page.context["page"]] == [f"S{n}" for n in range(count)]


@pytest.mark.django_db
def test_the_original_of_a_mailed_post_is_for_facilitators(
    entraide: MailingList, people: tuple[User, User], facilitator: User
) -> None:
    from django.test import Client

    claire, _anna = people
    raw = mail("claire@bees.example", "Hello", "Hi\n\n-- \nClaire").as_bytes()
    inbound.receive(raw, LIST_ADDRESS)
    post = Post.objects.get()
    assert post.body == "Hi"  # the signature stays in the original only
    url = f"/en/posts/{post.pk}/original/"
    client = Client()
    client.force_login(claire)
    assert client.get(url).status_code == 403
    client.force_login(facilitator)
    answer = client.get(url)
    assert (answer["Content-Type"], answer.content) == ("message/rfc822", raw)


@pytest.mark.django_db
def test_a_facilitator_finds_the_link_to_a_mailed_posts_original_on_the_thread(
    entraide: MailingList, people: tuple[User, User], facilitator: User
) -> None:
    from django.test import Client

    claire, anna = people
    raw = mail("claire@bees.example", "Hello", "Hi\n\n-- \nClaire").as_bytes()
    inbound.receive(raw, LIST_ADDRESS)
    mailed = Post.objects.get()
    services.reply(mailed.thread, author=anna, body="Hello Claire")  # on the web: no original
    links = re.compile(r'href="(/en/posts/\d+/original/)"')
    client = Client()
    client.force_login(facilitator)
    thread_url = f"/en/threads/{mailed.thread_id}/"
    page = client.get(thread_url).content.decode()
    assert links.findall(page) == [f"/en/posts/{mailed.pk}/original/"]
    assert client.get(links.findall(page)[0]).content == raw
    client.force_login(claire)  # its author is no facilitator
    assert links.findall(client.get(thread_url).content.decode()) == []


@pytest.mark.django_db
def test_images_and_pdf_files_sent_by_mail_are_kept_and_others_are_not(
    entraide: MailingList, people, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    message = mail("claire@bees.example", "The labels", "Here they are.")
    message.add_attachment(
        b"%PDF-1.4 labels", maintype="application", subtype="pdf", filename="labels.pdf"
    )
    message.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="tool.exe"
    )
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED
    post = Post.objects.get()
    assert [(a.name, a.content_type) for a in post.attachments.all()] == [
        ("labels.pdf", "application/pdf")
    ]
    assert post.body == "Here they are."
    assert b"tool.exe" in bytes(post.original)


@pytest.mark.django_db
def test_an_image_inline_in_an_html_message_is_kept(entraide, people, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    message = EmailMessage()
    message["From"] = "claire@bees.example"
    message["To"] = LIST_ADDRESS
    message["Subject"] = "Screenshot"
    message.set_content("See the screenshot.")
    message.add_alternative('<p>See the screenshot.</p><img src="cid:shot">', subtype="html")
    message.get_payload()[1].add_related(
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, maintype="image", subtype="png", cid="<shot>"
    )
    assert inbound.receive(message.as_bytes(), LIST_ADDRESS) is inbound.Outcome.POSTED
    post = Post.objects.get()
    assert (post.body, [a.content_type for a in post.attachments.all()]) == (
        "See the screenshot.",
        ["image/png"],
    )
