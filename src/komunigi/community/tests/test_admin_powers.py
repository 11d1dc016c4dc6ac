"""In the admin, a facilitator manages ordinary accounts but can neither make anyone a
facilitator nor move an account to another e-mail address (and then reset its password
there); a site administrator can, and granting facilitator rights is audited by name."""

import pytest
from django.test import Client

from komunigi.audit.models import AuditEvent
from komunigi.community.models import User
from komunigi.community.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_form(account: User, **changes: object) -> dict[str, object]:
    """What the admin's change form posts for ``account``, with ``changes``."""
    data: dict[str, object] = {
        "email": account.email,
        "full_name": account.full_name,
        "language": account.language,
        "time_zone": account.time_zone,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": account.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": account.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post(user: User, account: User, **changes: object):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.post(
        f"/admin/community/user/{account.pk}/change/", change_form(account, **changes)
    )


def test_a_facilitator_changes_neither_powers_nor_addresses(facilitator: User) -> None:
    account = UserFactory(email="anna@example.org", full_name="Anna")
    answer = post(
        facilitator, account, email="attacker@example.org", is_facilitator="on", full_name="Ann"
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    account.refresh_from_db()
    assert account.full_name == "Ann"  # what a facilitator may change, changed
    assert account.email == "anna@example.org"
    assert account.is_facilitator is False
    assert not AuditEvent.objects.filter(action="community.user.facilitator_granted").exists()


def test_a_site_administrator_grants_facilitator_rights_and_it_is_audited() -> None:
    root = UserFactory(is_superuser=True, is_staff=True, full_name="Root")
    account = UserFactory(email="anna@example.org", full_name="Anna")
    answer = post(root, account, is_facilitator="on", email="anna@coop.example")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    account.refresh_from_db()
    assert account.is_facilitator is True
    assert account.email == "anna@coop.example"
    granted = AuditEvent.objects.get(action="community.user.facilitator_granted")
    assert (granted.actor_label, granted.target_label) == ("Root", str(account))


def test_facilitators_reach_what_a_person_receives_from_the_people_list(
    facilitator: User,
) -> None:
    anna = UserFactory(email="anna@example.org", full_name="Anna")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(facilitator)
    people = client.get("/en/admin/community/user/", {"q": "anna"}).content.decode()
    link = f"/en/facilitation/people/{anna.pk}/notifications/"
    assert f'<a href="{link}">What Anna receives</a>' in people
    choices = client.get(link)
    assert choices.status_code == 200
    assert "<h1>What Anna receives</h1>" in choices.content.decode()

    # A site administrator who is no facilitator cannot open that page: no link to it.
    root = UserFactory(is_superuser=True, is_staff=True, full_name="Root")
    client.force_login(root)
    people = client.get("/en/admin/community/user/", {"q": "anna"}).content.decode()
    assert "anna@example.org" in people
    assert "/facilitation/people/" not in people


def test_only_a_site_administrator_sets_another_persons_password_in_the_admin(
    facilitator: User,
) -> None:
    account = UserFactory()
    form = {"password1": "Une-prise-de-contrôle-2031", "password2": "Une-prise-de-contrôle-2031"}
    url = f"/admin/community/user/{account.pk}/password/"
    client = Client()
    client.force_login(facilitator)

    assert client.get(url).status_code == 403
    assert client.post(url, form).status_code == 403
    account.refresh_from_db()
    assert not account.check_password(form["password1"])

    administrator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(administrator)
    assert client.post(url, form).status_code == 302
    account.refresh_from_db()
    assert account.check_password(form["password1"])


def test_the_admin_logs_in_through_the_sites_throttled_login(client: Client) -> None:
    """The admin's own login page would let anyone try passwords without end."""
    administrator = UserFactory(is_staff=True, is_superuser=True)
    answer = client.get("/admin/login/?next=/admin/community/user/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/?next=/admin/community/user/")
    for _attempt in range(5):
        client.post("/admin/login/", {"username": administrator.email, "password": "wrong"})
    assert "_auth_user_id" not in client.session
    guesses = [
        client.post("/accounts/login/", {"username": administrator.email, "password": "wrong"})
        for _attempt in range(5)
    ]
    assert guesses[-1].status_code == 429


def test_a_person_without_the_admin_is_refused_not_sent_round_in_circles(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/login/").status_code == 403
