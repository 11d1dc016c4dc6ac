from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from komunigi.throttle import services
from komunigi.throttle.models import Hit

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def test_allow_counts_attempts_up_to_the_limit_per_key() -> None:
    assert [services.allow("s", "a", limit=2, window=HOUR) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert services.allow("s", "b", limit=2, window=HOUR) is True
    assert services.allow("other scope", "a", limit=2, window=HOUR) is True
    assert Hit.objects.count() == 4  # refused attempts are not stored


def test_attempts_older_than_the_window_no_longer_count() -> None:
    services.record("s", "a", now=timezone.now() - timedelta(minutes=61))
    assert services.is_blocked("s", "a", limit=1, window=HOUR) is False


def test_old_counts_are_forgotten() -> None:
    services.record("s", "a", now=timezone.now() - timedelta(days=2))
    services.record("s", "b")
    assert list(Hit.objects.values_list("key", flat=True)) == ["b"]


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("not an address", "not an address"),
    ],
)
def test_client_key_groups_ipv6_addresses_by_their_64_network(address: str, key: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    assert services.client_key(request) == key


def test_forwarded_address_is_used_only_behind_a_trusted_proxy(settings) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )
    assert services.client_ip(request) == "10.0.0.1"
    settings.KOMUNIGI_TRUST_X_FORWARDED_FOR = True
    assert services.client_ip(request) == "198.51.100.7"
