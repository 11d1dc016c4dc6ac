"""Membership fees: issued by tier, paid, reminded by e-mail, and counted in the budget."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.dates import instance_today
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
    listing = client.get("/en/co-financing/fees/?year=2022")
    assert listing.context["payment_form"] is None  # until a row's link chooses a fee
    chosen = client.get(f"/en/co-financing/fees/?year=2022&pay={fee.pk}").content.decode()
    assert "Record a payment of the fee BEES coop 2022" in chosen
    assert f'<input type="hidden" name="fee" value="{fee.pk}"' in chosen
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


def test_changing_a_tier_reissues_this_years_fee_as_a_reversal_and_a_new_fee(
    facilitator: User, schedule: dict
) -> None:
    year = instance_today().year
    bees = OrganisationFactory(name="BEES coop")
    (fee,) = fees.issue_fees(year, actor=facilitator)
    assert fee.tier == schedule["active"]  # the default tier: 300 € a year
    fees.record_fee_payment(fee, D("100.00"), actor=facilitator, date=instance_today())

    new_fee = fees.set_fee_tier(bees, schedule["supporting"], actor=facilitator)

    fee.refresh_from_db()
    assert fee.cancelled_at is not None
    assert fee.amount == D("300.00")
    assert (new_fee.tier, new_fee.amount) == (schedule["supporting"], D("420.00"))
    (row,) = fees.fees_of(year)
    assert (row.fee, row.paid, row.due) == (new_fee, D("100.00"), D("320.00"))
    assert owed(bees) == D("-320.00")
    assert [t.kind for t in fee.transactions.order_by("pk")] == [
        "fee",
        "payment_received",
        "reversal",
    ]
    assert ledger.total_of_all_lines() == 0
    # Setting the same tier again re-issues nothing; next year's fee follows the choice.
    assert fees.set_fee_tier(bees, schedule["supporting"], actor=facilitator) is None
    (next_fee,) = fees.issue_fees(year + 1, actor=facilitator)
    assert next_fee.tier == schedule["supporting"]


def test_the_schedule_derives_a_default_tier_from_member_households(
    facilitator: User, schedule: dict
) -> None:
    FeeTier.objects.filter(pk=schedule["active"].pk).update(from_households=500)
    FeeTier.objects.filter(pk=schedule["supporting"].pk).update(from_households=2000)
    small = OrganisationFactory(name="Small", member_households=120)
    large = OrganisationFactory(name="Large", member_households=2400)
    unknown = OrganisationFactory(name="Unknown")

    issued = {f.organisation: f.tier.name for f in fees.issue_fees(2026, actor=facilitator)}

    # Below every threshold, or with no household count: the default tier.
    assert issued == {small: "Active", large: "Supporting", unknown: "Active"}


def test_facilitators_set_a_tier_on_the_fees_page(
    facilitator: User, representative: User, schedule: dict
) -> None:
    bees = representative.memberships.get().organisation
    year = instance_today().year
    fees.issue_fees(year, actor=facilitator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(facilitator)
    response = client.post(
        "/en/co-financing/fees/tiers/",
        {"organisation": bees.pk, "tier": schedule["observer"].pk, "year": year},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"BEES coop's tier is Observer: its {year} fee is re-issued."
    ]
    assert [(r.fee.tier, r.due) for r in response.context["rows"]] == [
        (schedule["observer"], D("120.00"))
    ]
    client.force_login(representative)
    refused = client.post(
        "/en/co-financing/fees/tiers/", {"organisation": bees.pk, "tier": schedule["active"].pk}
    )
    assert refused.status_code == 403
