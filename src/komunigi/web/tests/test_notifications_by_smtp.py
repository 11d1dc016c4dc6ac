"""Every kind of notice, sent at once to someone who asked for it, reaches a real SMTP server
with the headers that let mail clients thread it and stop it in one click."""

import datetime
from decimal import Decimal
from email.message import EmailMessage

import pytest
from django.utils import timezone

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.funding import fees
from komunigi.funding import services as funding_services
from komunigi.funding.models import FeeTier
from komunigi.funding.tests.test_campaigns import supermarket
from komunigi.funding.tests.test_late_joiners import funded
from komunigi.needs import rounds
from komunigi.needs import services as needs_services
from komunigi.needs.models import Tag
from komunigi.needs.tests.factories import NeedFactory
from komunigi.news import services as news_services
from komunigi.news.tests.factories import IssueFactory, SubscriberFactory
from komunigi.notifications import events, outbox
from komunigi.notifications.events import Mode
from komunigi.notifications.models import OutboxMessage
from komunigi.notifications.services import send_digest, update_preferences
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db


def wants_everything_at_once(person: User) -> None:
    update_preferences(
        person,
        modes={kind: Mode.IMMEDIATE for kind, e in events.EVENTS.items() if not e.required},
        digest_hour=7,
        paused=False,
    )


def test_each_kind_of_notice_arrives_with_its_headers(
    smtp_server: SmtpServer, facilitator: User
) -> None:
    bees = OrganisationFactory(name="BEES coop")
    rita = MembershipFactory(
        organisation=bees, role=Role.REPRESENTATIVE, user__language="en", user__full_name="Rita"
    ).user
    wants_everything_at_once(rita)
    author = MembershipFactory(role=Role.REPRESENTATIVE).user

    tag = Tag.objects.create(name="Stock", slug="stock")
    needs_services.follow_tag(tag, user=rita)
    need = needs_services.create_need(
        author=author,
        organisation=author.memberships.get().organisation,
        title="Inventory by aisle",
        problem="p",
        expected_outcome="o",
        tags=["Stock"],
        odoo_series="12.0",
        publish=True,
    )  # need-new
    needs_services.follow_need(need, user=rita)
    needs_services.add_comment(need, author=author, body="Anyone else?")  # need-comment
    provider = OrganisationFactory(kind="provider", name="Coop IT Easy")
    needs_services.add_quote(
        need,
        provider,
        author=facilitator,
        amount=Decimal("900.00"),
        provider_contribution=Decimal("0.00"),
        scope="All",
        estimated_days=Decimal(2),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )  # need-quote, need-status
    deadline = timezone.now() + datetime.timedelta(days=1)
    candidates = [need, NeedFactory(status="open")]
    priority_round = rounds.open_round(
        actor=facilitator, title="Spring", candidates=candidates, deadline=deadline
    )  # round-opened
    rounds.remind_round(priority_round, now=timezone.now())  # round-closing

    FeeTier.objects.create(name="Active", monthly_amount=Decimal("25.00"), is_default=True)
    [fee] = [f for f in fees.issue_fees(2026, actor=facilitator) if f.organisation == bees]
    fees.record_fee_payment(fee, Decimal("10.00"), actor=facilitator, date=timezone.localdate())

    campaign, people = funded(facilitator, "300.00", ["BLOUM"])
    wants_everything_at_once(people[0][1])
    newcomer, newcomer_rep = supermarket("Coopéco")
    wants_everything_at_once(newcomer_rep)
    funding_services.add_late_joiner(campaign, newcomer, actor=facilitator)

    outbox.deliver_due()
    expected = {
        "need-new",
        "need-comment",
        "need-quote",
        "need-status",
        "round-opened",
        "round-closing",
        "fee-issued",
        "payment-recorded",
        "share-due",
        "credit-received",
    }
    kinds = set(OutboxMessage.objects.values_list("kind", flat=True))
    assert expected <= kinds
    by_id = {m.message_id: m for m in OutboxMessage.objects.filter(kind__in=expected)}
    received = [m for m in smtp_server.messages if m["Message-ID"] in by_id]
    assert len(received) == len(by_id)  # each once, with the Message-ID fixed when queued
    for message in received:
        queued = by_id[message["Message-ID"]]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", queued.kind
        assert message["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/")
        assert message["Auto-Submitted"] == "auto-generated"
        assert "%(" not in message["Subject"], queued.kind
        assert "{" not in message["Subject"], queued.kind
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "http://127.0.0.1:8000/" in text


def refused_then_received(server: SmtpServer, queued: OutboxMessage) -> list[EmailMessage]:
    """``queued`` turned away once by the server after it read it, then sent again: the two
    copies the server saw."""
    server.refuse = 1
    assert outbox.deliver(queued.pk) is outbox.Delivery.FAILED
    assert outbox.deliver(queued.pk) is outbox.Delivery.SENT
    return [*server.refused, *server.messages]


def test_a_notice_a_digest_and_a_newsletter_keep_their_message_id_when_delivered_again(
    smtp_server: SmtpServer, facilitator: User
) -> None:
    """A retry after a failed delivery is recognisably the same message: the Message-ID the
    outbox fixed when it queued it, in both copies the server saw."""
    at_once = UserFactory(email="olga@example.org", language="en")
    update_preferences(
        at_once, modes={events.NEED_STATUS.kind: Mode.IMMEDIATE}, digest_hour=7, paused=False
    )
    in_digest = UserFactory(email="dora@example.org", language="en")  # the default: digest
    update_preferences(in_digest, modes={}, digest_hour=0, paused=False)  # due at any hour
    need = NeedFactory(title="Stock", status="open")
    for person in (at_once, in_digest):
        needs_services.follow_need(need, user=person)
    needs_services.change_status(need, "withdrawn", actor=facilitator, reason="Later")
    notice = OutboxMessage.objects.get(to="olga@example.org", kind="need-status")
    digest = send_digest(in_digest)
    assert digest is not None
    SubscriberFactory(email="reader@example.org", language="en")
    issue = IssueFactory(title_en="March meeting", body_en="See you.")
    news_services.send_issue_now(issue, actor=facilitator)
    news_services.queue_issue_batch(issue.pk)
    newsletter = OutboxMessage.objects.get(kind="newsletter-issue")

    for queued in (notice, digest, newsletter):
        smtp_server.messages.clear()
        smtp_server.refused.clear()
        first, second = refused_then_received(smtp_server, queued)
        assert first["Message-ID"] == second["Message-ID"] == queued.message_id, queued.kind
        assert first["To"] == second["To"] == queued.to
        assert second["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        queued.refresh_from_db()
        assert (queued.attempts, queued.sent_at is not None) == (2, True)
