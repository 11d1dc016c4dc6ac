"""Personal API tokens expire on the day chosen at creation, may only read, and stop working
when their owner's password changes or their account is closed."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import ApiToken
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def me(raw: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def test_a_token_works_until_its_day_and_not_after() -> None:
    anna = UserFactory()
    token, raw = create_api_token(anna, name="report")
    assert token.expires_at - timezone.now() > datetime.timedelta(days=364)  # a year by default
    assert me(raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert me(raw) == 401


def test_a_read_only_token_reads_and_changes_nothing() -> None:
    anna = UserFactory()
    _token, raw = create_api_token(anna, name="dashboard", read_only=True)
    assert me(raw) == 200
    refused = Client().post(
        "/api/v1/decisions/1/ballot",
        {"choice": "yes"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This API token only reads."}


def test_a_new_password_revokes_every_token() -> None:
    anna = UserFactory(email="anna@example.org")
    _token, raw = create_api_token(anna, name="report")
    client = Client()
    client.force_login(anna)
    changed = client.post(
        "/en/account/password/",
        {
            "old_password": "a-good-password",
            "new_password1": "another good passphrase",
            "new_password2": "another good passphrase",
        },
    )
    assert changed.status_code == 302
    assert me(raw) == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_a_password_reset_or_a_closed_account_revokes_every_token() -> None:
    anna = UserFactory()
    _token, raw = create_api_token(anna, name="report")
    anna.set_password("reset through the e-mailed link")
    anna.save()
    assert me(raw) == 401
    bob = UserFactory()
    _token, raw = create_api_token(bob, name="report")
    bob.is_active = False
    bob.save()
    bob.is_active = True  # reopened: the token stays revoked
    bob.save()
    assert me(raw) == 401


def test_other_changes_keep_the_tokens() -> None:
    anna = UserFactory()
    _token, raw = create_api_token(anna, name="report")
    anna.full_name = "Anna B."
    anna.save()
    assert me(raw) == 200


def test_my_account_creates_a_token_with_its_day_and_scope_and_lists_them() -> None:
    anna = UserFactory()
    client = Client()
    client.force_login(anna)
    day = timezone.localdate() + datetime.timedelta(days=30)
    created = client.post(
        "/en/account/tokens/", {"name": "cron", "valid_until": day.isoformat(), "read_only": "on"}
    )
    assert created.status_code == 201
    token = ApiToken.objects.get()
    assert token.read_only
    assert timezone.localtime(token.expires_at).date() == day + datetime.timedelta(days=1)
    page = client.get("/en/account/").content.decode()
    assert "read only" in page
    too_far = client.post(
        "/en/account/tokens/",
        {"name": "forever", "valid_until": (day + datetime.timedelta(days=800)).isoformat()},
    )
    assert too_far.status_code == 400
    assert "Two years from today at most." in too_far.content.decode()
    assert ApiToken.objects.count() == 1
