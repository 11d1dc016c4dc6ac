"""Membership fees: issued by tier, paid, reminded by e-mail, and counted in the budget."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.errors import DomainError
from komunigi.funding import budget, fees, ledger, services
from komunigi.funding.models import AccountKind, Fee, FeeTier
from komunigi.meetings.tests.test_meeting_emails import by_recipient, text
from komunigi.testing import SmtpServer

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(db: None) -> dict[str, FeeTier]:
    return {
        "observer": FeeTier.objects.create(name="Observer", monthly_amount=D("10.00"), position=0),
        "active": FeeTier.objects.create(
            name="Active", monthly_amount=D("25.00"), position=1, is_default=True
        ),
        "supporting": FeeTier.objects.create(
            name="Supporting", monthly_amount=D("35.00"), position=2
        ),
    }


def owed(organisation) -> Decimal:
    return ledger.balance(ledger.account(AccountKind.ORGANISATION, organisation))


def test_fees_are_issued_once_a_year_by_tier(facilitator: User, schedule: dict) -> None:
    bees = OrganisationFactory(name="BEES coop", joined_on=datetime.date(2021, 1, 1))
    provider = OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER)
    OrganisationFactory(name="OCA", kind=OrganisationKind.STAKEHOLDER)  # pays no fee
    OrganisationFactory(name="Newcomer", joined_on=datetime.date(2023, 5, 1))  # not in 2022
    OrganisationFactory(name="Applicant", status="applicant")

    issued = fees.issue_fees(2022, actor=facilitator, tiers={bees.pk: schedule["supporting"]})

    assert sorted((f.organisation.name, f.amount) for f in issued) == [
        ("BEES coop", D("420.00")),
        ("Coop IT Easy", D("300.00")),
    ]
    assert (owed(bees), owed(provider)) == (D("-420.00"), D("-300.00"))
    assert fees.issue_fees(2022, actor=facilitator) == []  # once a year
    # The next year keeps each one's tier.
    next_year = {f.organisation.name: f.tier for f in fees.issue_fees(2023, actor=facilitator)}
    assert next_year["BEES coop"] == schedule["supporting"]
    assert [y.income["fees"] for y in budget.years()] == [D("1020.00"), D("720.00")]


def test_fees_need_a_schedule_and_a_facilitator(facilitator: User, representative: User) -> None:
    # The representative's own supermarket is a member: it would get a fee.
    with pytest.raises(DomainError):
        fees.issue_fees(2022, actor=facilitator)
    FeeTier.objects.create(name="Active", monthly_amount=D("25.00"))
    with pytest.raises(PermissionDenied):
        fees.issue_fees(2022, actor=representative)
    assert Fee.objects.count() == 0


def test_payments_and_reversals_settle_a_fee(facilitator: User, schedule: dict) -> None:
    bees = OrganisationFactory(name="BEES coop")
    [fee] = fees.issue_fees(2022, actor=facilitator)
    payment = fees.record_fee_payment(
        fee, D("100.00"), actor=facilitator, date=datetime.date(2022, 3, 1), reference="C-1"
    )
    assert [(row.paid, row.due) for row in fees.fees_of(2022)] == [(D("100.00"), D("200.00"))]
    services.reverse_transaction(payment, actor=facilitator, reason="Wrong amount")
    fees.record_fee_payment(fee, D("300.00"), actor=facilitator, date=datetime.date(2022, 3, 2))
    assert [(row.paid, row.due) for row in fees.fees_of(2022)] == [(D("300.00"), D("0.00"))]
    assert owed(bees) == D("0.00")


def test_unpaid_fees_are_reminded_by_email_once_a_fortnight(
    facilitator: User, schedule: dict, smtp_server: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    unpaid = OrganisationFactory(name="FoodHub München")
    rep = MembershipFactory(
        organisation=unpaid,
        role=Role.REPRESENTATIVE,
        user=UserFactory(email="rep@foodhub.example", language="de"),
    ).user
    MembershipFactory(
        organisation=unpaid, role=Role.SUBSTITUTE, user=UserFactory(email="sub@foodhub.example")
    )
    MembershipFactory(organisation=unpaid, role=Role.MEMBER)  # members are not written to
    paid = OrganisationFactory(name="BEES coop")
    MembershipFactory(organisation=paid, role=Role.REPRESENTATIVE)
    issued = {f.organisation.name: f for f in fees.issue_fees(2022, actor=facilitator)}
    fees.record_fee_payment(
        issued["BEES coop"], D("300.00"), actor=facilitator, date=datetime.date(2022, 2, 1)
    )
    now = datetime.datetime(2022, 6, 1, 9, tzinfo=datetime.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        assert fees.send_fee_reminders(2022, now=now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert fees.send_fee_reminders(2022, now=now + datetime.timedelta(days=3)) == 0

    received = by_recipient(smtp_server)
    assert sorted(received) == ["rep@foodhub.example", "sub@foodhub.example"]
    german = received[rep.email]
    assert german["Content-Language"] == "de"
    assert any("300,00" in line and "2022" in line for line in text(german))
    assert any(f"/de/co-financing/statements/{unpaid.slug}/" in line for line in text(german))


def test_fees_page_is_for_facilitators(facilitator: User, representative: User, schedule) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(representative)
    assert client.get("/en/co-financing/fees/").status_code == 403
    assert client.post("/en/co-financing/fees/issue/", {"year": "2022"}).status_code == 403
    client.force_login(facilitator)
    client.post("/en/co-financing/fees/issue/", {"year": "2022"})
    fee = Fee.objects.get(organisation__name="BEES coop")
    refused = client.post(
        "/en/co-financing/fees/payments/",
        {"year": "2022", "fee": fee.pk, "amount": "0", "date": "2022-03-01"},
    )
    assert refused.status_code == 400
    assert "A payment moves some money." in refused.content.decode()
    client.post(
        "/en/co-financing/fees/payments/",
        {"year": "2022", "fee": fee.pk, "amount": "300", "date": "2022-03-01"},
    )
    page = client.get("/en/co-financing/fees/?year=2022").content.decode()
    assert "Still due: €0.00" in page
