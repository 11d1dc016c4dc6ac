"""Representatives hear when a campaign opens and how it ends, in their own language."""

from decimal import Decimal

import pytest

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.funding import services
from komunigi.funding.tests.test_campaigns import open_campaign
from komunigi.meetings.tests.test_meeting_emails import by_recipient, text
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
    supermarket_with("Le NID", "rep@lenid.example")  # pledges nothing
    MembershipFactory(organisation=bees, role=Role.MEMBER, user=UserFactory(email="m@bees.example"))
    OrganisationFactory(name="Applicant", status="applicant")

    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=2)
    opened = by_recipient(smtp_server)
    assert sorted(opened) == ["rep@bees.example", "rep@bloum.example", "rep@lenid.example"]
    assert opened["rep@bees.example"]["Subject"] == f"Co-financing open: {campaign.need.title}"
    assert opened["rep@bloum.example"]["Content-Language"] == "fr"

    smtp_server.messages.clear()
    services.pledge(campaign, bees, actor=bees_rep, cap=Decimal("100.00"))
    services.pledge(campaign, bloum, actor=bloum_rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_campaign(campaign, actor=facilitator)
    closed = by_recipient(smtp_server)
    assert sorted(closed) == ["rep@bees.example", "rep@bloum.example"]  # not Le NID
    assert any(
        "The share of BEES coop is €100.00;" in line for line in text(closed["rep@bees.example"])
    )
