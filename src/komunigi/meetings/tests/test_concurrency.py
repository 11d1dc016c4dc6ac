"""Two ballots of one supermarket at the same moment, over real concurrent connections
(run on PostgreSQL by CI, as on SQLite)."""

import threading

import pytest
from django.db import connection

from komunigi.community.models import Role
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.meetings import decisions
from komunigi.meetings.models import DecisionBallot
from komunigi.meetings.tests.test_services import in_session, need_decision

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_ballots_of_one_supermarket_leave_exactly_one(facilitator) -> None:
    supermarkets = {}
    for slug in ("bees", "bloum"):
        organisation = OrganisationFactory(slug=slug)
        representative = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
        supermarkets[slug] = (organisation, representative.user)
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    bees, representative = supermarkets["bees"]
    substitute = MembershipFactory(organisation=bees, role=Role.SUBSTITUTE).user
    votes = {representative: "yes", substitute: "no"}
    barrier = threading.Barrier(len(votes))
    errors: list[BaseException] = []
    replaced: list[bool] = []

    def vote(person: object) -> None:
        try:
            barrier.wait()
            _ballot, was_replaced = decisions.cast_ballot(
                decision, bees, actor=person, choice=votes[person]
            )
            replaced.append(was_replaced)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(person,)) for person in votes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(replaced) == [False, True]  # one created it, the other replaced it
    [ballot] = DecisionBallot.objects.all()
    assert ballot.choice in {"yes", "no"}
