import datetime

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.needs import dashboard, rounds
from komunigi.needs.models import EstimateAssignment, Need
from komunigi.needs.tests.factories import InterestFactory, NeedFactory, PriorityRoundFactory

pytestmark = pytest.mark.django_db


def test_a_representative_sees_needs_awaiting_its_interest_and_rankings(
    representative: User,
) -> None:
    bees = representative.memberships.get().organisation
    answered, waiting = NeedFactory(title="Answered"), NeedFactory(title="Waiting")
    NeedFactory(title="Ours", organisation=bees)
    NeedFactory(title="Delivered", status="delivered")
    InterestFactory(need=answered, organisation=bees)
    ranked, unranked = PriorityRoundFactory(title="Ranked"), PriorityRoundFactory(title="To do")
    for priority_round in (ranked, unranked):
        priority_round.candidates.set([answered, waiting])
    PriorityRoundFactory(deadline=timezone.now() - datetime.timedelta(hours=1))
    rounds.cast_ballot(ranked, bees, actor=representative, ranking=[[waiting.pk]])

    awaiting = dashboard.needs_awaiting_interest(representative)
    assert [(s.slug, [n.title for n in needs]) for s, needs in awaiting] == [
        ("bees-coop", ["Waiting"])
    ]
    assert [(s.slug, r.title) for s, r in dashboard.rounds_awaiting_ballot(representative)] == [
        ("bees-coop", "To do")
    ]


def test_a_supermarket_member_is_asked_for_interest_but_not_for_rankings(
    representative: User,
) -> None:
    member = MembershipFactory(
        organisation=representative.memberships.get().organisation, role=Role.MEMBER
    ).user
    PriorityRoundFactory().candidates.set([NeedFactory()])
    assert len(dashboard.needs_awaiting_interest(member)) == 1
    assert dashboard.rounds_awaiting_ballot(member) == []


def test_a_provider_sees_the_estimates_it_owes(facilitator: User) -> None:
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    developer = MembershipFactory(organisation=provider).user
    need = NeedFactory(title="Labels")
    EstimateAssignment.objects.create(need=need, provider=provider, hours_budget=3)
    EstimateAssignment.objects.create(
        need=NeedFactory(), provider=OrganisationFactory(kind="provider"), hours_budget=3
    )
    assert [e.need.title for e in dashboard.estimates_awaiting(developer)] == ["Labels"]
    page = Client()
    page.force_login(developer)
    assert "Labels" in page.get("/en/dashboard/").content.decode()


def test_facilitators_see_needs_stuck_for_more_than_thirty_days(facilitator: User) -> None:
    old = timezone.now() - datetime.timedelta(days=31)
    stuck = NeedFactory(title="Stuck", status="quoted")
    NeedFactory(title="Fresh", status="open")
    draft = NeedFactory(title="Old draft", status="draft")
    Need.objects.filter(pk__in=[stuck.pk, draft.pk]).update(status_changed_at=old)
    assert [n.title for n in dashboard.stuck_needs()] == ["Stuck"]
    client = Client()
    client.force_login(facilitator)
    response = client.get("/en/dashboard/")
    assert [n.title for n in response.context["stuck_needs"]] == ["Stuck"]
