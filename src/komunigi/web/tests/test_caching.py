"""What a reverse proxy may keep: a visitor's page that sets no cookie, for a minute."""

import pytest
from django.test import Client

from komunigi.community.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/needs/", "/ecosystem/", "/roadmap/", "/co-financing/"])
def test_a_visitors_page_sets_no_cookie_and_may_be_kept_a_minute(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    assert response.cookies == {}  # no form token, no session
    assert response["Cache-Control"] == "public, max-age=60"
    # A logged-in person gets another page (their menu): one copy per cookie, none for them.
    assert "Cookie" in response["Vary"]


def test_a_visitor_switches_language_by_plain_links() -> None:
    page = Client().get("/needs/?status=open").content.decode()
    assert '<a href="/en/needs/?status=open" hreflang="en"' in page
    assert 'action="/i18n/setlang/"' not in page


def test_a_page_with_a_form_or_for_a_person_is_not_kept(representative: User) -> None:
    join = Client().get("/join/")
    assert "csrftoken" in join.cookies
    assert "public" not in join.get("Cache-Control", "")
    client = Client()
    client.force_login(representative)
    mine = client.get("/needs/")
    assert "public" not in mine.get("Cache-Control", "")
    assert 'action="/i18n/setlang/"' in mine.content.decode()  # remembered as theirs


def test_health_is_never_kept() -> None:
    assert "no-cache" in Client().get("/healthz")["Cache-Control"]
