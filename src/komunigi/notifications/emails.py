"""Render an e-mail kind in the recipient's language and put it in the outbox.

Each kind has three templates: ``emails/<kind>-subject.txt``, ``emails/<kind>-body.txt`` and
``emails/<kind>-body.html`` (which extends ``emails/base.html``).
"""

import re
from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator

from komunigi.notifications.models import OutboxMessage
from komunigi.notifications.outbox import Envelope, queue_email

# A CharField always has a max_length; the stubs type any field's as optional.
SUBJECT_MAX_LENGTH = cast(int, OutboxMessage._meta.get_field("subject").max_length)


def absolute_url(path: str) -> str:
    return settings.KOMUNIGI_BASE_URL + path


def _one_line(text: str) -> str:
    # Only ASCII whitespace: French puts no-break spaces before colons, and they must stay.
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _with_site(context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "community_name": settings.KOMUNIGI_COMMUNITY_NAME,
        "site_url": absolute_url(reverse("home")),
        **context,
    }


def _subject(kind: str, context: Mapping[str, Any]) -> str:
    subject = _one_line(render_to_string(f"emails/{kind}-subject.txt", context))
    return Truncator(subject).chars(SUBJECT_MAX_LENGTH)


def render_subject(kind: str, *, language: str, context: Mapping[str, Any]) -> str:
    """The ``kind`` e-mail's subject in ``language``: also the line of a digest."""
    with translation.override(language):
        return _subject(kind, _with_site(context))


def send_templated_email(
    kind: str,
    *,
    to: str,
    language: str,
    context: dict[str, Any],
    sensitive: bool = False,
    calendar: str = "",
    calendar_method: str = "",
    envelope: Envelope | None = None,
) -> OutboxMessage:
    """Queue the ``kind`` e-mail to ``to``; links inside point to pages in ``language``.

    ``sensitive``: the e-mail holds a one-time link; its text is removed once it is sent.
    ``calendar``: an iCalendar text sent along as ``invite.ics``, with its ``calendar_method``.
    ``envelope``: threading, sender and list headers (see ``outbox.Envelope``).
    """
    with translation.override(language):
        context = _with_site(context)
        subject = _subject(kind, context)
        context["subject"] = subject
        # A kind without bodies of its own is a notice: its subject, and a link to the page.
        body_text = select_template([f"emails/{kind}-body.txt", "emails/notice-body.txt"]).render(
            context
        )
        # The shared footer (stop link, preferences) for notifications and list posts; an
        # e-mail that words its own (the newsletter) passes no ``preferences_url``.
        if "unsubscribe_url" in context and "preferences_url" in context:
            body_text = (
                body_text.rstrip("\n") + "\n\n" + render_to_string("emails/footer.txt", context)
            )
        body_html = select_template([f"emails/{kind}-body.html", "emails/notice-body.html"]).render(
            context
        )
    return queue_email(
        kind=kind,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        sensitive=sensitive,
        calendar=calendar,
        calendar_method=calendar_method,
        envelope=envelope,
    )
