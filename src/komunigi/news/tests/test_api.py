"""The newsletter archive through the API: the issues /news/ shows, as it shows them."""

from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from komunigi.community.models import User
from komunigi.community.services import create_api_token
from komunigi.news import services
from komunigi.news.models import Issue, IssueStatus
from komunigi.news.tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def published(**fields: object) -> Issue:
    return IssueFactory(**{"status": IssueStatus.SENT, "published_at": timezone.now(), **fields})


def with_token(user: User) -> Client:
    _token, raw = create_api_token(user, name="script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def callers(representative: User, facilitator: User, outsider: User) -> dict[str, Client]:
    """A member organisation's representative, the facilitators who write the newsletter (and
    see its drafts on their own pages), a person of no organisation, and anybody."""
    return {
        "member": with_token(representative),
        "facilitator": with_token(facilitator),
        "facilitator by session": logged_in(facilitator),
        "outsider": logged_in(outsider),
        "anonymous": Client(),
    }


def test_the_archive_is_the_issues_whose_sending_started_for_everybody(
    callers: dict[str, Client], facilitator: User, django_capture_on_commit_callbacks
) -> None:
    published(slug="mars", title_fr="Rencontre de mars")
    sending = IssueFactory(slug="juin", title_fr="Lettre de juin")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_issue_now(sending, actor=facilitator)  # to nobody: sent at once
    sending.refresh_from_db()
    assert sending.status == IssueStatus.SENT
    IssueFactory(slug="brouillon", title_fr="Brouillon secret")
    IssueFactory(
        slug="prevue",
        status=IssueStatus.SCHEDULED,
        scheduled_at=timezone.now() + timedelta(days=1),
        title_fr="Prévue",
    )
    for name, client in callers.items():
        slugs = [item["slug"] for item in client.get("/api/v1/newsletter/issues").json()["items"]]
        assert (name, slugs) == (name, ["juin", "mars"])
        for hidden in ("brouillon", "prevue"):
            status = client.get(f"/api/v1/newsletter/issues/{hidden}").status_code
            assert (name, hidden, status) == (name, hidden, 404)
        shown = client.get("/api/v1/newsletter/issues/juin").json()
        assert shown["sent_at"] == DjangoJSONEncoder().default(sending.sent_at)
    assert Client().get("/news/brouillon/").status_code == 404  # as on the site


def test_an_issue_gives_its_text_in_the_caller_s_language_as_its_page(client: Client) -> None:
    issue = published(
        slug="mars",
        title_fr="Rencontre de mars",
        body_fr="Le **19 mars** <script>alert(1)</script>\n\n## Ordre du jour",
        title_en="March meeting",
        body_en="On **19 March**",
    )
    french = client.get("/api/v1/newsletter/issues/mars", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french == {
        "slug": "mars",
        "title": "Rencontre de mars",
        "language": "fr",
        "published_at": DjangoJSONEncoder().default(issue.published_at),
        "sent_at": None,
        "url": "http://testserver/news/mars/",
        "body": "Le **19 mars** <script>alert(1)</script>\n\n## Ordre du jour",
        "body_html": "<p>Le <strong>19 mars</strong> </p>\n<h2>Ordre du jour</h2>",
        "languages": ["fr", "en"],
    }
    page = client.get("/news/mars/").content.decode()
    assert french["body_html"] in page
    english = client.get("/api/v1/newsletter/issues/mars", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["title"], english["language"], english["body_html"]) == (
        "March meeting",
        "en",
        "<p>On <strong>19 March</strong></p>",
    )
    dutch = client.get("/api/v1/newsletter/issues/mars", HTTP_ACCEPT_LANGUAGE="nl").json()
    assert (dutch["title"], dutch["language"]) == ("Rencontre de mars", "fr")  # not in Dutch


def test_the_archive_is_paginated_newest_first_with_titles_in_the_caller_s_language(
    client: Client,
) -> None:
    now = timezone.now()
    for number in range(3):
        published(
            slug=f"n{number}",
            title_fr=f"Lettre {number}",
            title_en=f"Letter {number}" if number else "",
            body_en="x" if number else "",
            published_at=now - timedelta(days=3 - number),
        )
    first = client.get("/api/v1/newsletter/issues?page_size=2", HTTP_ACCEPT_LANGUAGE="en").json()
    assert first["count"] == 3
    assert [(i["title"], i["language"]) for i in first["items"]] == [
        ("Letter 2", "en"),
        ("Letter 1", "en"),
    ]
    last = client.get("/api/v1/newsletter/issues?page=2&page_size=2", HTTP_ACCEPT_LANGUAGE="en")
    assert [(i["title"], i["language"]) for i in last.json()["items"]] == [("Lettre 0", "fr")]


@pytest.mark.parametrize("count", [1, 3])
def test_the_archive_runs_a_bounded_number_of_queries(
    client: Client, django_assert_num_queries, count: int
) -> None:
    for number in range(count):
        published(slug=f"n{number}")
    IssueFactory()  # a draft
    with django_assert_num_queries(2):  # count, page
        assert client.get("/api/v1/newsletter/issues").json()["count"] == count
