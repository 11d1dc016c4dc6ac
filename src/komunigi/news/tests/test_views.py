"""The pages: the public archive and feed, the facilitators' pages, who may see what."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from komunigi.community.models import User
from komunigi.news.models import Issue, IssueStatus, Subscriber, Suppression
from komunigi.news.services import is_suppressed
from komunigi.news.tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def published(**fields: object) -> Issue:
    return IssueFactory(status=IssueStatus.SENT, published_at=timezone.now(), **fields)


def test_archive_lists_published_issues_only_in_the_readers_language(client: Client) -> None:
    published(slug="mars", title_fr="Rencontre de mars", title_en="March meeting", body_en="x")
    published(slug="juin", title_fr="Lettre de juin")
    IssueFactory(slug="brouillon", title_fr="Brouillon secret")
    french = client.get("/news/").content.decode()
    assert "Rencontre de mars" in french
    assert "Brouillon secret" not in french
    english = client.get("/en/news/").content.decode()
    assert "March meeting" in english
    assert "Lettre de juin" in english  # no English text: the French title
    assert client.get("/news/brouillon/").status_code == 404


def test_issue_page_shows_the_markdown_text_sanitised(client: Client) -> None:
    published(
        slug="mars",
        body_fr="Le **19 mars** <script>alert(1)</script> [ici](https://bees-coop.be)",
    )
    page = client.get("/en/news/mars/").content.decode()
    assert "<strong>19 mars</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="https://bees-coop.be"' in page
    assert "This issue was not written in your language: here it is in French." in page


def test_atom_feed_lists_published_issues(client: Client) -> None:
    published(slug="mars", title_fr="Rencontre de mars", title_en="March meeting", body_en="x")
    IssueFactory(title_fr="Brouillon secret")
    response = client.get("/en/news/feed/")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = response.content.decode()
    assert "<title>March meeting</title>" in feed
    assert 'href="http://testserver/en/news/mars/"' in feed
    assert "Brouillon secret" not in feed


def test_home_page_shows_the_latest_news(client: Client) -> None:
    for number in range(4):
        published(slug=f"n{number}", title_fr=f"Nouvelle {number}")
    page = client.get("/").content.decode()
    assert "Nouvelle 3" in page
    assert "Nouvelle 0" not in page  # the three newest


@pytest.mark.parametrize("count", [1, 3])
def test_archive_runs_a_bounded_number_of_queries(
    client: Client, django_assert_num_queries, count: int
) -> None:
    for number in range(count):
        published(slug=f"n{number}")
    with django_assert_num_queries(2):  # count, page
        client.get("/news/")


FACILITATION_PAGES = [
    "/facilitation/newsletter/",
    "/facilitation/newsletter/new/",
    "/facilitation/newsletter/subscribers/",
    "/facilitation/newsletter/subscribers/export.csv",
]


@pytest.mark.parametrize("url", FACILITATION_PAGES)
def test_facilitation_pages_are_for_facilitators(
    client: Client, facilitator: User, representative: User, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert logged_in(representative).get(url).status_code == 403
    assert logged_in(facilitator).get(url).status_code == 200


def test_members_cannot_send_nor_erase(representative: User) -> None:
    issue = IssueFactory()
    subscriber = SubscriberFactory()
    client = logged_in(representative)
    for url in ["send", "test", "schedule", "unschedule"]:
        assert client.post(f"/facilitation/newsletter/{issue.pk}/{url}/").status_code == 403
    erase = f"/facilitation/newsletter/subscribers/{subscriber.pk}/erase/"
    assert client.post(erase).status_code == 403
    assert client.get(f"/facilitation/newsletter/{issue.pk}/preview/fr/").status_code == 403
    assert Issue.objects.get().status == IssueStatus.DRAFT
    assert Subscriber.objects.count() == 1


def test_facilitator_writes_an_issue_and_bad_input_loses_nothing(facilitator: User) -> None:
    client = logged_in(facilitator)
    response = client.post(
        "/en/facilitation/newsletter/new/",
        {"title_fr": "", "body_fr": "Texte **français**", "title_de": "Nur ein Titel"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the issue a French title." in page
    assert "Give both a title and a text in German, or neither." in page
    assert "Texte **français**" in page
    assert 'value="Nur ein Titel"' in page
    assert not Issue.objects.exists()

    response = client.post(
        "/en/facilitation/newsletter/new/",
        {"title_fr": "Rencontre : mars", "body_fr": "Texte", "title_de": "T", "body_de": "B"},
    )
    issue = Issue.objects.get()
    assert response["Location"] == f"/en/facilitation/newsletter/{issue.pk}/"
    assert (issue.slug, issue.status, issue.title_de, issue.created_by) == (
        "rencontre-mars",
        IssueStatus.DRAFT,
        "T",
        facilitator,
    )
    assert issue.languages == ["fr", "de"]


def test_slug_never_takes_a_reserved_address(facilitator: User) -> None:
    client = logged_in(facilitator)
    client.post("/facilitation/newsletter/new/", {"title_fr": "Feed", "body_fr": "x"})
    client.post("/facilitation/newsletter/new/", {"title_fr": "Feed", "body_fr": "x"})
    assert sorted(Issue.objects.values_list("slug", flat=True)) == ["feed-2", "feed-3"]


def test_preview_is_the_email_itself(facilitator: User) -> None:
    issue = IssueFactory(title_fr="Lettre", body_fr="**Gras**", title_en="Letter", body_en="*It*")
    response = logged_in(facilitator).get(f"/facilitation/newsletter/{issue.pk}/preview/en/")
    page = response.content.decode()
    assert "<em>It</em>" in page
    assert "Unsubscribe in one click" in page
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "script-src 'none'" in policy


def test_scheduling_with_a_past_time_shows_the_error(facilitator: User) -> None:
    issue = IssueFactory()
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = logged_in(facilitator).post(
        f"/en/facilitation/newsletter/{issue.pk}/schedule/", {"scheduled_at": past}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a time in the future, or send the issue now." in page
    assert f'value="{past}"' in page
    assert Issue.objects.get().status == IssueStatus.DRAFT


def test_send_button_sends_to_every_confirmed_subscriber(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(facilitator).post(f"/facilitation/newsletter/{issue.pk}/send/")
    assert response["Location"] == f"/facilitation/newsletter/{issue.pk}/"
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert issue.deliveries.count() == 3


def test_subscribers_page_counts_by_language_and_status_and_searches(facilitator: User) -> None:
    SubscriberFactory(email="anna@leser.example", language="de")
    SubscriberFactory(email="bert@lezers.example", language="nl")
    SubscriberFactory(email="carla@lezers.example", language="nl", status="pending")
    client = logged_in(facilitator)
    response = client.get("/en/facilitation/newsletter/subscribers/?q=LEZERS")
    rows = {
        name: (confirmed, pending) for name, confirmed, pending in response.context["by_language"]
    }
    assert rows["Dutch"] == (1, 1)
    assert rows["German"] == (1, 0)
    assert response.context["totals"] == (2, 1)
    assert [s.email for s in response.context["page"]] == [
        "bert@lezers.example",
        "carla@lezers.example",
    ]
    pending = client.get("/en/facilitation/newsletter/subscribers/?status=pending&language=nl")
    assert [s.email for s in pending.context["page"]] == ["carla@lezers.example"]


def test_subscribers_export_is_csv_of_what_the_search_shows(facilitator: User) -> None:
    SubscriberFactory(email="anna@leser.example", language="de")
    SubscriberFactory(email="=cmd@evil.example")
    response = logged_in(facilitator).get(
        "/facilitation/newsletter/subscribers/export.csv?language=fr"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["email", "language", "status", "source", "requested_at", "consent_at"]
    assert [row[:4] for row in rows[1:]] == [["'=cmd@evil.example", "fr", "confirmed", "web"]]


def test_facilitator_erases_a_subscriber_for_good(facilitator: User) -> None:
    subscriber = SubscriberFactory(email="gone@example.org")
    response = logged_in(facilitator).post(
        f"/facilitation/newsletter/subscribers/{subscriber.pk}/erase/", {"query": "q=gone"}
    )
    assert response["Location"] == "/facilitation/newsletter/subscribers/?q=gone"
    assert not Subscriber.objects.exists()
    assert is_suppressed("gone@example.org")
    assert Suppression.objects.get().reason == "erased"


@pytest.mark.parametrize("count", [1, 3])
def test_facilitation_lists_run_a_bounded_number_of_queries(
    facilitator: User, django_assert_num_queries, count: int
) -> None:
    IssueFactory.create_batch(count)
    SubscriberFactory.create_batch(count)
    client = logged_in(facilitator)
    with django_assert_num_queries(5):  # session, user; count, page; confirmed subscribers
        client.get("/facilitation/newsletter/")
    with django_assert_num_queries(5):  # session, user; counts by language; count, page
        client.get("/facilitation/newsletter/subscribers/")
