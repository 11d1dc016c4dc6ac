"""The same form sent twice at the same moment, over real concurrent database connections."""

import threading

import pytest
from django.db import connection

from komunigi.community import services
from komunigi.community.models import JoinRequest

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_identical_join_requests_record_one(settings) -> None:
    settings.KOMUNIGI_JOIN_REQUESTS_PER_IP_PER_HOUR = 100
    barrier = threading.Barrier(4)
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            barrier.wait()
            outcome = services.submit_join_request(
                organisation_name="Twin coop",
                kind="supermarket",
                country="BE",
                contact_name="Twin",
                contact_email="twin@example.org",
                message="",
                consent=True,
                language="fr",
                submitted_from=None,
                client="192.0.2.1",
            )
            outcomes.append(outcome.already_pending)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) == [False, True, True, True]
    assert JoinRequest.objects.count() == 1
