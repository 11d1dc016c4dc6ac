"""Two ballots of one supermarket sent at the same moment, over real concurrent connections."""

import threading

import pytest
from django.db import connection

from komunigi.community.models import Role
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.needs import rounds
from komunigi.needs.models import Ballot
from komunigi.needs.tests.factories import NeedFactory, PriorityRoundFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_ballots_of_one_supermarket_leave_exactly_one() -> None:
    needs = [NeedFactory(), NeedFactory()]
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set(needs)
    bees = OrganisationFactory()
    representative = MembershipFactory(organisation=bees, role=Role.REPRESENTATIVE).user
    substitute = MembershipFactory(organisation=bees, role=Role.SUBSTITUTE).user
    rankings = {representative: [[needs[0].pk]], substitute: [[needs[1].pk]]}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def cast(person: object) -> None:
        try:
            barrier.wait()
            rounds.cast_ballot(priority_round, bees, actor=person, ranking=rankings[person])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(p,)) for p in rankings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []  # both were accepted: the later one replaced the earlier
    [ballot] = Ballot.objects.all()
    assert ballot.ranking in list(rankings.values())
