"""Representatives hear when a campaign opens and how it ends, in their own language."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.funding import services
from komunigi.funding.tests.test_campaigns import open_campaign
from komunigi.meetings.tests.test_meeting_emails import by_recipient, text
from komunigi.needs.tests.factories import InterestFactory, NeedFactory, QuoteFactory
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db


def supermarket_with(name: str, email: str, language: str = "en") -> tuple:
    organisation = OrganisationFactory(name=name)
    person = UserFactory(email=email, language=language)
    MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE, user=person)
    return organisation, person


def test_campaign_opening_and_close_are_emailed(
    facilitator: User, smtp_server: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    bees, bees_rep = supermarket_with("BEES coop", "rep@bees.example")
    bloum, bloum_rep = supermarket_with("BLOUM", "rep@bloum.example", "fr")
    supermarket_with("Le NID", "rep@lenid.example")  # not interested in the need
    MembershipFactory(organisation=bees, role=Role.MEMBER, user=UserFactory(email="m@bees.example"))
    MembershipFactory(
        organisation=bees, role=Role.SUBSTITUTE, user=UserFactory(email="sub@bees.example")
    )
    former, _former_rep = supermarket_with("Gone coop", "rep@gone.example")
    former.status = "former"
    former.save(update_fields=["status"])
    need = NeedFactory(status="approved")
    for organisation in (bees, bloum, former):
        InterestFactory(need=need, organisation=organisation)
    quote = QuoteFactory(need=need, amount=Decimal("300.00"), provider_contribution=Decimal(0))

    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.open_campaign(
            need,
            quote,
            actor=facilitator,
            deadline=timezone.now() + datetime.timedelta(days=14),
            minimum_supermarkets=2,
            overhead_rate=Decimal(0),
        )
    # The people who speak for the member supermarkets interested in the need: not the
    # others, nor a plain member, nor a former member that once was interested.
    opened = by_recipient(smtp_server)
    assert sorted(opened) == ["rep@bees.example", "rep@bloum.example", "sub@bees.example"]
    assert opened["rep@bees.example"]["Subject"] == f"Co-financing open: {campaign.need.title}"
    assert opened["rep@bloum.example"]["Content-Language"] == "fr"

    smtp_server.messages.clear()
    services.pledge(campaign, bees, actor=bees_rep, cap=Decimal("100.00"))
    services.pledge(campaign, bloum, actor=bloum_rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_campaign(campaign, actor=facilitator)
    closed = by_recipient(smtp_server)
    assert sorted(closed) == ["rep@bees.example", "rep@bloum.example", "sub@bees.example"]
    assert any(
        "The share of BEES coop is €100.00;" in line for line in text(closed["rep@bees.example"])
    )


def test_three_days_before_the_deadline_interested_supermarkets_are_reminded_once(
    facilitator: User, smtp_server: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    bees, bees_rep = supermarket_with("BEES coop", "rep@bees.example")
    bloum, bloum_rep = supermarket_with("BLOUM", "rep@bloum.example", "fr")
    lenid, _lenid_rep = supermarket_with("Le NID", "rep@lenid.example")
    supermarket_with("Coopéco", "rep@coopeco.example")  # not interested: no reminder
    campaign = open_campaign(facilitator, "300.00")
    for organisation in (bees, bloum, lenid):
        InterestFactory(need=campaign.need, organisation=organisation)
    services.pledge(campaign, bees, actor=bees_rep)  # firm: nothing to remind
    services.pledge(campaign, bloum, actor=bloum_rep, needs_board_approval=True)
    smtp_server.messages.clear()

    early = campaign.deadline - datetime.timedelta(days=4)
    assert services.send_deadline_reminders(now=early) == 0
    due = campaign.deadline - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(now=due) == 1
        assert services.send_deadline_reminders(now=due) == 0  # once

    reminded = by_recipient(smtp_server)
    assert sorted(reminded) == ["rep@bloum.example", "rep@lenid.example"]
    assert reminded["rep@lenid.example"]["Subject"] == (
        f"Three days left to pledge: {campaign.need.title}"
    )
    assert reminded["rep@bloum.example"]["Content-Language"] == "fr"
    assert any("Le NID said it needs" in line for line in text(reminded["rep@lenid.example"]))
    # A long non-ASCII subject is folded from its first word on: its unfolded value then
    # starts with the folding space, which mail programs do not show.
    assert reminded["rep@bloum.example"]["Subject"].lstrip() == (
        "L’accord de votre conseil d’administration est encore nécessaire\u202f: "
        + campaign.need.title
    )
