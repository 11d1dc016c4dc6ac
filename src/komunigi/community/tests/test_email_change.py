"""A person moves their account to another address from "My account": with their password,
and only once they follow the link sent to the new address; the old address is told."""

import re

import pytest
from django.test import Client

from komunigi.audit.models import AuditEvent
from komunigi.community.tests.factories import UserFactory
from komunigi.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link_sent_to(address: str) -> str:
    message = OutboxMessage.objects.get(to=address, kind="email-change-confirm")
    return re.search(r"http://127\.0\.0\.1:8000(/\S+/)", message.body_text).group(1)


def test_the_address_changes_once_the_link_sent_to_it_is_followed() -> None:
    anna = UserFactory(email="anna@bees.example", full_name="Anna", language="en")
    client = logged_in(anna)
    asked = client.post(
        "/en/account/email/", {"email": "Anna@Coop.example", "password": "a-good-password"}
    )
    assert asked.status_code == 302
    anna.refresh_from_db()
    assert anna.email == "anna@bees.example"  # nothing changes before the link is followed
    link = link_sent_to("Anna@coop.example")

    # A link scanner's GET changes nothing; the person's POST does.
    assert "Your account will use Anna@coop.example" in Client().get(link).content.decode()
    anna.refresh_from_db()
    assert anna.email == "anna@bees.example"
    done = Client().post(link)
    assert done.status_code == 302
    anna.refresh_from_db()
    assert anna.email == "Anna@coop.example"
    told = OutboxMessage.objects.get(to="anna@bees.example", kind="email-changed")
    assert "Anna@coop.example" in told.body_text
    assert AuditEvent.objects.filter(action="community.user.email_changed").exists()

    # The link worked once: the address it replaces is gone.
    again = Client().post(link)
    assert again.status_code == 400
    assert "not valid any more" in again.content.decode()


def test_a_wrong_password_or_a_taken_address_changes_nothing_and_keeps_what_was_typed() -> None:
    anna = UserFactory(email="anna@bees.example", language="en")
    UserFactory(email="bob@bees.example")
    client = logged_in(anna)
    wrong = client.post("/en/account/email/", {"email": "new@coop.example", "password": "nope"})
    assert wrong.status_code == 400
    assert "This is not your password." in wrong.content.decode()
    assert 'value="new@coop.example"' in wrong.content.decode()
    taken = client.post(
        "/en/account/email/", {"email": "BOB@bees.example", "password": "a-good-password"}
    )
    assert taken.status_code == 400
    assert "Another account uses this address already." in taken.content.decode()
    assert not OutboxMessage.objects.filter(kind="email-change-confirm").exists()


@pytest.mark.parametrize("change", ["x", "flip"])
def test_a_forged_link_is_refused(change: str) -> None:
    anna = UserFactory(email="anna@bees.example", language="en")
    logged_in(anna).post(
        "/en/account/email/", {"email": "new@coop.example", "password": "a-good-password"}
    )
    link = link_sent_to("new@coop.example")
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = token + "x" if change == "x" else token[:-1] + ("A" if token[-1] != "A" else "B")
    answer = Client().post(link.replace(token, forged))
    assert answer.status_code == 400
    anna.refresh_from_db()
    assert anna.email == "anna@bees.example"


def test_the_change_page_is_for_people_logged_in() -> None:
    assert Client().get("/en/account/email/").status_code == 302
