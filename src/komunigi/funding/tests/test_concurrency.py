"""Two pledges and a close at the same moment, over real concurrent connections (run on
PostgreSQL by CI, as on SQLite): one consistent result."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from komunigi.community.models import User
from komunigi.errors import DomainError
from komunigi.funding import ledger, services
from komunigi.funding.models import AccountKind, Campaign, CampaignStatus, LedgerLine
from komunigi.funding.tests.test_campaigns import open_campaign, supermarket

pytestmark = pytest.mark.django_db(transaction=True)


def test_pledges_racing_the_close_are_either_counted_or_refused(facilitator: User) -> None:
    campaign = open_campaign(facilitator, "300.00", minimum_supermarkets=1)
    early = supermarket("Early")
    services.pledge(campaign, early[0], actor=early[1])
    racers = [supermarket("BEES coop"), supermarket("BLOUM")]
    actions: list[Callable[[], object]] = [
        *(
            lambda o=organisation, p=person: services.pledge(campaign, o, actor=p)
            for organisation, person in racers
        ),
        lambda: services.close_campaign(campaign, actor=facilitator),
    ]
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.status == CampaignStatus.FUNDED
    assert all(isinstance(e, DomainError) and e.code == "closed" for e in errors), errors
    pledged = set(campaign.pledges.values_list("organisation__name", flat=True))
    assert len(pledged) == 3 - len(errors)  # a refused pledge left nothing behind
    owing = {
        line.account.organisation.name: line.amount
        for line in LedgerLine.objects.filter(
            account__kind=AccountKind.ORGANISATION
        ).select_related("account__organisation")
    }
    assert set(owing) == pledged  # every pledge that stands was counted, and only those
    assert sum(owing.values()) == -campaign.to_raise
    assert ledger.total_of_all_lines() == 0
