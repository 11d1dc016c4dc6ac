"""A page that fails in production e-mails the administrators (KOMUNIGI_ADMINS) through the
outbox."""

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from pytest_django import Settings

from komunigi.env import env_addresses
from komunigi.notifications.models import OutboxMessage


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the page broke")


# This module is the URLconf of the tests below: one page, which fails.
urlpatterns = [path("fails", fail)]

ADMINS = [("Ada Lovelace", "ada@example.org"), ("", "ops@example.org")]
SUBJECT = "[Komunigi] ERROR (EXTERNAL IP): Internal Server Error: /fails"


@pytest.fixture
def failing_site(settings: Settings) -> Client:
    settings.ROOT_URLCONF = __name__
    settings.ADMINS = ADMINS
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db(transaction=True)  # no test transaction around the request, as live
def test_failing_page_emails_the_admins_through_the_outbox(failing_site: Client) -> None:
    response = failing_site.get("/fails")

    assert response.status_code == 500
    reports = list(OutboxMessage.objects.filter(kind="error_report").order_by("to"))
    assert [(report.to, report.subject) for report in reports] == [
        ("ada@example.org", SUBJECT),
        ("ops@example.org", SUBJECT),
    ]
    assert all(report.sent_at is not None for report in reports)
    assert reports[0].body_text.startswith("Internal Server Error: /fails\n")
    assert 'raise RuntimeError("the page broke")' in reports[0].body_text
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["ada@example.org"], SUBJECT),
        (["ops@example.org"], SUBJECT),
    ]


@pytest.mark.django_db
def test_failing_page_is_reported_without_the_outbox_inside_a_transaction(
    failing_site: Client,
) -> None:
    """A rollback would take the outbox rows with it: Django's way, straight to the server."""
    with transaction.atomic():
        response = failing_site.get("/fails")

    assert response.status_code == 500
    assert not OutboxMessage.objects.exists()
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["ada@example.org", "ops@example.org"], SUBJECT)
    ]


@pytest.mark.django_db(transaction=True)
def test_failing_page_emails_nobody_in_debug_or_without_admins(
    failing_site: Client, settings: Settings
) -> None:
    settings.DEBUG = True  # the debug page shows the report
    failing_site.get("/fails")
    settings.DEBUG, settings.ADMINS = False, []
    failing_site.get("/fails")

    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_request_for_another_host_emails_nobody(failing_site: Client) -> None:
    """Bots probe with other sites' names in the Host header: not an error of ours."""
    response = failing_site.get("/fails", headers={"host": "elsewhere.example"})

    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_admins_are_read_with_or_without_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMUNIGI_ADMINS", 'Ada Lovelace <ada@example.org>, "Ops, night" <o@x.org>,')
    assert env_addresses("KOMUNIGI_ADMINS") == [
        ("Ada Lovelace", "ada@example.org"),
        ("Ops, night", "o@x.org"),
    ]
    monkeypatch.setenv("KOMUNIGI_ADMINS", "")
    assert env_addresses("KOMUNIGI_ADMINS") == []


@pytest.mark.parametrize("value", ["ada", "ada@example.org ops@example.org", "Ada <>"])
def test_admins_that_are_not_addresses_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("KOMUNIGI_ADMINS", value)
    with pytest.raises(ImproperlyConfigured) as error:
        env_addresses("KOMUNIGI_ADMINS")
    assert str(error.value) == (
        f"KOMUNIGI_ADMINS must be e-mail addresses separated by commas, not {value!r}"
    )
