"""A fee issued, a payment recorded, a late joiner's share and the earlier payers' credits
reach the people who speak for the organisation, as they chose."""

import datetime
from decimal import Decimal

import pytest

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.funding import fees, services
from komunigi.funding.models import FeeTier
from komunigi.funding.tests.test_campaigns import supermarket
from komunigi.funding.tests.test_late_joiners import funded
from komunigi.notifications.models import DigestItem, OutboxMessage

pytestmark = pytest.mark.django_db


def kinds_to(person: User) -> list[str]:
    return sorted(OutboxMessage.objects.filter(to=person.email).values_list("kind", flat=True))


def test_a_fee_issued_reaches_the_representative_and_its_payment_waits_for_the_digest(
    facilitator: User,
) -> None:
    FeeTier.objects.create(name="Active", monthly_amount=Decimal("25.00"), is_default=True)
    bees = OrganisationFactory(name="BEES coop")
    rita = MembershipFactory(organisation=bees, role=Role.REPRESENTATIVE, user__language="en").user
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    [fee] = fees.issue_fees(2026, actor=facilitator)
    fees.record_fee_payment(
        fee, Decimal("300.00"), actor=facilitator, date=datetime.date(2026, 3, 1)
    )

    [subject] = OutboxMessage.objects.filter(to=rita.email).values_list("subject", flat=True)
    assert subject == "Membership fee 2026 of BEES coop: €300.00"
    [item] = DigestItem.objects.filter(user=rita)
    assert item.title.startswith("Payment of €300.00 from BEES coop recorded")
    assert kinds_to(member) == []  # members do not speak for its money


def test_a_late_joiner_is_told_its_share_and_the_earlier_payers_their_credit(
    facilitator: User,
) -> None:
    campaign, people = funded(facilitator, "300.00", ["BEES coop", "BLOUM", "Le NID"])
    newcomer, newcomer_rep = supermarket("Coopéco")
    OutboxMessage.objects.all().delete()

    services.add_late_joiner(campaign, newcomer, actor=facilitator)

    assert kinds_to(newcomer_rep) == ["share-due"]
    assert [kinds_to(person) for _organisation, person in people] == [["credit-received"]] * 3
