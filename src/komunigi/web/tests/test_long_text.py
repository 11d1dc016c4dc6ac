"""Text longer than a field keeps is refused with the limit named, and nothing typed is lost:
a browser's `maxlength` would instead cut what is pasted, without a word."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from komunigi.community.tests.factories import MembershipFactory
from komunigi.needs.models import Comment
from komunigi.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def test_a_comment_longer_than_kept_is_refused_naming_the_limit(client: Client) -> None:
    need = NeedFactory()
    client.force_login(MembershipFactory().user)
    typed = ("Le rappel des créneaux. " * 9_000).strip()  # 215 999 characters

    with translation.override("fr"):
        response = client.post(reverse("need_comment", args=[need.pk]), {"body": typed})

    assert response.status_code == 400
    assert not Comment.objects.exists()
    page = response.content.decode()
    # Django's own message, its figures written the French way.
    assert "au plus 10\xa0000 caractères (actuellement 215\xa0999)" in page
    assert typed in page  # everything typed is still in the field
    assert 'maxlength="10000"' not in page


def test_figures_in_an_error_are_written_in_the_readers_language(client: Client) -> None:
    membership = MembershipFactory(organisation__kind="provider")
    need = NeedFactory()
    client.force_login(membership.user)
    with translation.override("fr"):
        response = client.post(
            reverse("quote_create", args=[need.pk]),
            {"provider": membership.organisation.pk, "amount": "0", "estimated_days": "1"},
        )
    assert "supérieure ou égale à 0,01." in response.content.decode()


def test_text_fields_keep_their_maxlength(client: Client) -> None:
    """A one-line field still says its limit to the browser: nothing long is pasted there."""
    client.force_login(MembershipFactory().user)
    page = client.get(reverse("need_create")).content.decode()
    assert 'name="title"' in page
    assert "maxlength=" in page
    assert "<textarea" in page
    assert "maxlength" not in page.split("<textarea", 1)[1].split(">", 1)[0]
