"""Following a need or a tag: one click, and what happens reaches the followers."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, UserFactory
from komunigi.needs import rounds, services
from komunigi.needs.models import NeedFollow, Tag, TagFollow
from komunigi.needs.tests.factories import NeedFactory, PriorityRoundFactory
from komunigi.notifications import events
from komunigi.notifications.events import Mode
from komunigi.notifications.models import DigestItem, OutboxMessage
from komunigi.notifications.services import update_preferences

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def immediately(person: User, *kinds: events.Event) -> User:
    update_preferences(
        person, modes={e.kind: Mode.IMMEDIATE for e in kinds}, digest_hour=7, paused=False
    )
    return person


def subjects_to(person: User) -> list[str]:
    return list(OutboxMessage.objects.filter(to=person.email).values_list("subject", flat=True))


def test_one_click_follows_a_need_and_another_stops(outsider: User) -> None:
    need = NeedFactory(title="Stock")
    client = logged_in(outsider)
    answer = client.post(f"/en/needs/{need.pk}/follow/", {"follow": "1"}, follow=True)
    assert "You follow this need" in answer.content.decode()
    assert "Stop following" in answer.content.decode()
    assert NeedFollow.objects.filter(user=outsider, need=need).exists()
    client.post(f"/en/needs/{need.pk}/follow/", {"follow": "0"})
    assert not NeedFollow.objects.filter(user=outsider, need=need).exists()


def test_a_visitor_cannot_follow_and_nobody_follows_a_draft_they_cannot_see(
    outsider: User,
) -> None:
    draft = NeedFactory(status="draft")
    assert Client().post(f"/en/needs/{draft.pk}/follow/", {"follow": "1"}).status_code == 302
    assert logged_in(outsider).post(f"/en/needs/{draft.pk}/follow/").status_code == 404
    assert NeedFollow.objects.count() == 0


def test_followers_hear_of_status_changes_but_not_of_their_own(facilitator: User) -> None:
    need = NeedFactory(title="Stock", status="open")
    follower = immediately(UserFactory(language="en"), events.NEED_STATUS)
    services.follow_need(need, user=follower)
    services.follow_need(need, user=facilitator)
    services.change_status(need, "withdrawn", actor=facilitator, reason="Later")
    assert subjects_to(follower) == [f"{need.reference} Stock is now “Withdrawn”"]
    assert subjects_to(facilitator) == []


def test_a_quote_reaches_the_followers_and_the_interested_representatives(
    facilitator: User, representative: User
) -> None:
    need = NeedFactory(title="Stock", status="open")
    follower = UserFactory(language="en")
    services.follow_need(need, user=follower)
    services.express_interest(
        need,
        representative.memberships.get().organisation,
        actor=representative,
        priority="must",
        comment="",
    )
    provider = MembershipFactory(
        organisation__kind="provider", organisation__name="Coop IT Easy", role=Role.MEMBER
    ).organisation
    services.add_quote(
        need,
        provider,
        author=facilitator,
        amount=Decimal("1500.00"),
        provider_contribution=Decimal("0.00"),
        scope="All",
        estimated_days=Decimal(3),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    expected = f"Coop IT Easy quoted €1,500.00 for {need.reference} Stock"
    assert subjects_to(follower) == [expected]
    assert OutboxMessage.objects.filter(to=representative.email, kind="need-quote").count() == 1


def test_a_tag_is_followed_from_the_filtered_list_and_new_needs_with_it_reach_its_followers(
    representative: User,
) -> None:
    tag = Tag.objects.create(name="Stock", slug="stock")
    follower = UserFactory(language="en")
    page = logged_in(follower).get("/en/needs/?tag=stock")
    assert "Follow the tag “Stock”" in page.content.decode()
    logged_in(follower).post("/en/needs/tags/stock/follow/", {"follow": "1"})
    assert TagFollow.objects.filter(user=follower, tag=tag).exists()

    need = services.create_need(
        author=representative,
        organisation=representative.memberships.get().organisation,
        title="Inventory by aisle",
        problem="p",
        expected_outcome="o",
        tags=["Stock"],
        odoo_series="12.0",
        publish=True,
    )
    # A new need waits for the digest by default.
    [item] = DigestItem.objects.filter(user=follower)
    assert item.title == f"New need {need.reference} Inventory by aisle (Stock)"
    assert DigestItem.objects.filter(user=representative).count() == 0  # the author
    assert NeedFollow.objects.filter(user=representative, need=need).exists()


def test_a_round_reminds_once_the_supermarkets_that_have_not_ranked(
    representative: User, facilitator: User
) -> None:
    representative.language = "en"
    representative.save(update_fields=["language"])
    immediately(representative, events.ROUND_CLOSING)
    priority_round = PriorityRoundFactory(
        deadline=timezone.now() + datetime.timedelta(days=1), opened_by=facilitator
    )
    assert rounds.send_round_reminders() == 1
    assert rounds.send_round_reminders() == 0  # once per round
    [subject] = subjects_to(representative)
    assert subject.startswith(f"BEES coop has not ranked “{priority_round.title}” yet")
