"""Every list page shows a page of rows: with one row more than a page holds, it shows a page
of them and a link to the next (a page that lost its pagination fails here)."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import JoinRequest, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.dates import instance_today
from komunigi.funding import fees, ledger
from komunigi.funding.models import (
    AccountKind,
    Campaign,
    CampaignStatus,
    FeeTier,
    Pledge,
    Sponsorship,
    TransactionKind,
)
from komunigi.meetings.models import Attendance, Invitation, Meeting, MeetingStatus
from komunigi.meetings.tests.test_services import plan
from komunigi.needs.tests.factories import NeedFactory, PriorityRoundFactory, QuoteFactory
from komunigi.news.tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def campaigns(count: int, facilitator: User, status: str = CampaignStatus.FUNDED) -> list:
    quotes = [QuoteFactory(need=NeedFactory(status="funded")) for _ in range(count)]
    return Campaign.objects.bulk_create(
        Campaign(
            need=q.need,
            quote=q,
            overhead_rate=Decimal(0),
            cost=q.amount,
            to_raise=q.amount,
            overhead=Decimal(0),
            deadline=timezone.now(),
            status=status,
            closed_at=timezone.now(),
        )
        for q in quotes
    )


def needs(count: int, facilitator: User) -> str:
    NeedFactory.create_batch(count)
    return "/en/needs/"


def roadmap(count: int, facilitator: User) -> str:
    NeedFactory.create_batch(count, status="open")
    return "/en/roadmap/"


def ecosystem(count: int, facilitator: User) -> str:
    OrganisationFactory.create_batch(count)
    return "/en/ecosystem/"


def rounds(count: int, facilitator: User) -> str:
    PriorityRoundFactory.create_batch(count)
    return "/en/priorities/"


def meetings(count: int, facilitator: User) -> str:
    for number in range(count):
        meeting = plan(facilitator, title=f"Meeting {number}")
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CLOSED)
    return "/en/meetings/"


def closed_campaigns(count: int, facilitator: User) -> str:
    campaigns(count, facilitator)
    return "/en/co-financing/"


def history(count: int, facilitator: User) -> str:
    campaigns(count, facilitator)
    return "/en/co-financing/history/"


def pledges(count: int, facilitator: User) -> str:
    (campaign,) = campaigns(1, facilitator, status=CampaignStatus.COLLECTING)
    Campaign.objects.filter(pk=campaign.pk).update(
        deadline=timezone.now() + datetime.timedelta(days=3)
    )
    Pledge.objects.bulk_create(
        Pledge(campaign=campaign, organisation=OrganisationFactory()) for _ in range(count)
    )
    return campaign.get_absolute_url()


def join_requests(count: int, facilitator: User) -> str:
    JoinRequest.objects.bulk_create(
        JoinRequest(
            organisation_name=f"Coop {n}",
            kind="supermarket",
            country="BE",
            contact_name="C",
            contact_email=f"c{n}@example.org",
            consent=True,
            language="fr",
        )
        for n in range(count)
    )
    return "/en/facilitation/join-requests/"


def fee_rows(count: int, facilitator: User) -> str:
    FeeTier.objects.create(name="Active", monthly_amount=Decimal("10.00"), is_default=True)
    OrganisationFactory.create_batch(count)
    fees.issue_fees(instance_today().year, actor=facilitator)
    return f"/en/co-financing/fees/?year={instance_today().year}"


def sponsorships(count: int, facilitator: User) -> str:
    today = instance_today()
    Sponsorship.objects.bulk_create(
        Sponsorship(
            organisation=OrganisationFactory(),
            percentage=Decimal(10),
            starts_on=today,
            ends_on=today,
        )
        for _ in range(count)
    )
    return "/en/co-financing/sponsorships/"


def statement(count: int, facilitator: User) -> str:
    bees = OrganisationFactory(slug="bees")
    account, outside = ledger.account(AccountKind.ORGANISATION, bees), ledger.outside()
    for number in range(count):
        ledger.post(
            TransactionKind.PAYMENT_RECEIVED,
            [(account, Decimal(number + 1)), (outside, -Decimal(number + 1))],
            date=instance_today(),
        )
    return "/en/co-financing/statements/bees/"


def attendance(count: int, facilitator: User) -> str:
    meeting = plan(facilitator)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.IN_SESSION)
    for _ in range(count):
        organisation = OrganisationFactory()
        person = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE).user
        Attendance.objects.create(meeting=meeting, organisation=organisation, person=person)
        Invitation.objects.create(meeting=meeting, user=person, organisation=organisation)
    return meeting.get_absolute_url()


def news_archive(count: int, facilitator: User) -> str:
    IssueFactory.create_batch(count, status="sent", published_at=timezone.now())
    return "/en/news/"


def newsletter_issues(count: int, facilitator: User) -> str:
    IssueFactory.create_batch(count)
    return "/en/facilitation/newsletter/"


def newsletter_subscribers(count: int, facilitator: User) -> str:
    SubscriberFactory.create_batch(count)
    return "/en/facilitation/newsletter/subscribers/"


# (the page, how it is filled, the context's page of rows, how many rows a page holds)
LISTS: list[tuple[Callable[[int, User], str], str, int]] = [
    (needs, "page", 30),
    (roadmap, "page", 30),
    (ecosystem, "page", 60),
    (rounds, "rounds", 20),
    (meetings, "past", 20),
    (closed_campaigns, "closed", 20),
    (history, "page", 10),
    (pledges, "page", 50),
    (join_requests, "pending", 30),
    (fee_rows, "page", 50),
    (sponsorships, "page", 50),
    (statement, "entries", 50),
    (attendance, "attendances", 50),
    (attendance, "replies", 50),
    (news_archive, "page", 10),
    (newsletter_issues, "page", 20),
    (newsletter_subscribers, "page", 50),
]


@pytest.mark.parametrize(
    ("fill", "key", "per_page"), LISTS, ids=lambda v: getattr(v, "__name__", v)
)
def test_every_list_shows_a_page_and_a_link_to_the_next(
    facilitator: User, fill: Callable[[int, User], str], key: str, per_page: int
) -> None:
    url = fill(per_page + 1, facilitator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(facilitator)
    response = client.get(url)
    assert response.status_code == 200
    page = response.context[key]
    assert (len(page.object_list), page.has_next()) == (per_page, True)
    assert 'rel="next"' in response.content.decode()
