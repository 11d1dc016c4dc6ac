"""Django's report of a failed request (a 500), for the site's administrators (ADMINS).

Django's own handler hands the report to the mail server at once, from the failing request:
when the server is down or slow, the report is lost. Ours puts one outbox row per
administrator instead, which the worker sends and retries like every other e-mail.

Settings name this module in LOGGING, which Django reads before the apps are loaded: the outbox
(and its models) is imported only when a report is sent.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import log

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # the stubs' type of the report's texts

KIND = "error_report"


class AdminEmailHandler(log.AdminEmailHandler):
    """Reports through the outbox; straight to the mail server, as Django's handler does, when
    the outbox cannot take them."""

    def send_mail(
        self, subject: "StrOrPromise", message: "StrOrPromise", *args: Any, **kwargs: Any
    ) -> None:
        if not settings.ADMINS:
            return
        # Inside a transaction (an error logged halfway through a service), the rollback that
        # usually follows would take the outbox rows with it.
        if not connection.in_atomic_block:
            try:
                queue_error_report(str(subject), str(message))
                return
            except DatabaseError:
                pass  # the database may be what failed: the mail server may still answer
        super().send_mail(subject, message, *args, **kwargs)


def queue_error_report(subject: str, body: str) -> None:
    """One outbox row per administrator, in one transaction; sent once it commits.

    The text is Django's technical report, in English: no template, no translation.
    """
    from komunigi.notifications.emails import SUBJECT_MAX_LENGTH
    from komunigi.notifications.outbox import queue_email

    subject = f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"[:SUBJECT_MAX_LENGTH]
    with transaction.atomic():
        for _name, address in settings.ADMINS:
            queue_email(
                kind=KIND, to=address, subject=subject, body_text=body, body_html="", language="en"
            )
