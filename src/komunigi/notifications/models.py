"""The outbox: every e-mail is a row before it is a message on the wire."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self, now: object) -> "OutboxMessageQuerySet":
        """Unsent messages whose next attempt time has come."""
        return self.filter(sent_at=None, next_attempt_at__lte=now)


class OutboxMessage(models.Model):
    kind = models.CharField(_("kind"), max_length=60)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    # One-time links (invitations, password resets) must not outlive their sending in the
    # database or its backups: the bodies of such messages are blanked once sent.
    sensitive = models.BooleanField(_("holds a one-time link"), default=False)
    # An iCalendar object (a meeting invitation or its cancellation), attached as invite.ics;
    # its METHOD is repeated in the attachment's Content-Type, where mail clients look for it.
    calendar = models.TextField(_("calendar attachment"), blank=True)
    calendar_method = models.CharField(_("calendar method"), max_length=10, blank=True)
    # Fixed when the message is queued: a retry after a dropped connection is recognisably
    # the same message, and replies can refer to it.
    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    in_reply_to = models.CharField(_("in reply to"), max_length=250, blank=True)
    references = models.TextField(_("references"), blank=True)
    reply_to = models.CharField(_("reply to"), max_length=250, blank=True)
    # The sender shown to the recipient: "Claire (BEES coop) via Komunigi"; the address stays
    # the instance's own (``from_address``, or DEFAULT_FROM_EMAIL's) so that DMARC passes.
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    from_address = models.EmailField(_("sender's address"), blank=True)
    # Further headers: List-Id, List-Unsubscribe, List-Unsubscribe-Post, Precedence …
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The sender claims a message by setting claimed_at with a conditional update, so two
    # workers never send the same message; sent_at is set once the SMTP server accepted it.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}"


class OutboxAttachment(models.Model):
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
