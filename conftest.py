"""Fixtures shared by every app's tests and by the browser tests."""

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.testing import SmtpServer, free_port


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language. Django's test client runs requests in the
    test's thread, and the language a request activates would otherwise stay for the next
    test (its reverse() calls would give /en/… addresses)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def facilitator(db: None) -> User:
    return UserFactory(
        email="facilitator@example.org", full_name="Fanny Facilitator", is_facilitator=True
    )


@pytest.fixture
def representative(db: None) -> User:
    """The representative of BEES coop."""
    organisation = OrganisationFactory(name="BEES coop", slug="bees-coop")
    membership = MembershipFactory(
        organisation=organisation,
        role=Role.REPRESENTATIVE,
        user=UserFactory(email="rep@bees.example", full_name="Rita Representative"),
    )
    return membership.user


@pytest.fixture
def outsider(db: None) -> User:
    """Logged in, but in no organisation and without any site-wide role."""
    return UserFactory(email="outsider@example.org", full_name="Oscar Outsider")


@pytest.fixture
def smtp_server(settings: pytest.FixtureRequest) -> Iterator[SmtpServer]:
    """Start a local SMTP server and point Django's SMTP backend at it."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    controller.stop()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: a campaign's cached split is keyed by its id,
    and ids come back from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
