"""The newsletter's two e-mails: the confirmation of a subscription, and an issue."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from komunigi.markdown import render_markdown
from komunigi.news import tokens
from komunigi.news.models import Issue, Subscriber
from komunigi.notifications import outbox
from komunigi.notifications.emails import absolute_url, send_templated_email
from komunigi.notifications.models import OutboxMessage

ISSUE_KIND = "newsletter-issue"


def send_confirmation(subscriber: Subscriber, language: str) -> OutboxMessage:
    """The one e-mail an unconfirmed address ever gets: a link valid for seven days."""
    with translation.override(language):
        url = absolute_url(
            reverse(
                "news_confirm",
                kwargs={"token": tokens.confirmation_token(subscriber.key, language)},
            )
        )
    return send_templated_email(
        "newsletter-confirmation",
        to=subscriber.email,
        language=language,
        context={"url": url, "days": tokens.CONFIRMATION_VALIDITY.days},
        sensitive=True,  # the link is a consent: it must not stay readable in the outbox
    )


def unsubscribe_url(key: str, language: str) -> str:
    with translation.override(language):
        return absolute_url(
            reverse("news_unsubscribe", kwargs={"token": tokens.unsubscribe_token(key)})
        )


def issue_context(issue: Issue, language: str, unsubscribe: str, *, test: bool) -> dict[str, Any]:
    """What the issue's templates show, for the e-mail and for its preview alike."""
    language = issue.language_for(language)
    title, body = issue.text_in(language)
    with translation.override(language):
        archive_url = absolute_url(issue.get_absolute_url())
    return {
        "issue": issue,
        "title": title,
        "body_markdown": body,
        "body_html": render_markdown(body, top_heading=2),
        "archive_url": archive_url,
        "unsubscribe_url": unsubscribe,
        "test": test,
    }


def render_issue(issue: Issue, language: str, *, test: bool = False) -> dict[str, str]:
    """The issue as it is e-mailed in ``language`` (subject, text, HTML), for the preview;
    its unsubscribe link leads nowhere, as the test e-mail's does."""
    language = issue.language_for(language)
    with translation.override(language):
        context = {
            "community_name": settings.KOMUNIGI_COMMUNITY_NAME,
            "site_url": absolute_url(reverse("home")),
            **issue_context(issue, language, unsubscribe_url("", language), test=test),
        }
        return {
            "subject": render_to_string(f"emails/{ISSUE_KIND}-subject.txt", context).strip(),
            "text": render_to_string(f"emails/{ISSUE_KIND}-body.txt", context),
            "html": render_to_string(f"emails/{ISSUE_KIND}-body.html", context),
        }


def send_issue(
    issue: Issue, *, to: str, language: str, key: str, test: bool = False
) -> OutboxMessage:
    """Queue ``issue`` for ``to``, with the one-click unsubscribe headers (RFC 8058) and a
    visible unsubscribe link. ``key``: the subscriber's (an empty key, as in a test e-mail,
    makes a link that unsubscribes nobody)."""
    language = issue.language_for(language)
    url = unsubscribe_url(key, language)
    domain = outbox.default_sender_address().rpartition("@")[2] or "komunigi.localhost"
    headers = {
        **outbox.one_click_unsubscribe_headers(url),
        **outbox.BULK_HEADERS,
        "List-Id": f"<newsletter.{domain}>",
    }
    return send_templated_email(
        ISSUE_KIND,
        to=to,
        language=language,
        context=issue_context(issue, language, url, test=test),
        envelope=outbox.Envelope(headers=headers),
    )
