"""The outbox: every e-mail is a row before it is a message on the wire."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komunigi.notifications.events import Mode


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
    # the same message, and replies can refer to it. A list post keeps its one Message-ID for
    # every recipient, as mailing lists do, so that everyone's replies thread together.
    message_id = models.CharField(_("Message-ID"), max_length=250)
    in_reply_to = models.CharField(_("in reply to"), max_length=250, blank=True)
    references = models.TextField(_("references"), blank=True)
    reply_to = models.CharField(_("reply to"), max_length=250, blank=True)
    # The sender shown to the recipient: "Claire (BEES coop) via Komunigi"; the address stays
    # the instance's own (``from_address``, or DEFAULT_FROM_EMAIL's) so that DMARC passes.
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    from_address = models.EmailField(_("sender's address"), blank=True)
    # The SMTP envelope's sender, where bounces go (a list's VERP address); the From header's
    # address otherwise.
    return_path = models.CharField(_("return path"), max_length=254, blank=True)
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
        constraints = [
            models.UniqueConstraint(fields=["message_id", "to"], name="one_message_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}"


class OutboxAttachment(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class NotificationSettings(models.Model):
    """A person's digest hour and global pause; a person without a row has the defaults."""

    DEFAULT_DIGEST_HOUR = 7

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"),
        default=DEFAULT_DIGEST_HOUR,
        validators=[MaxValueValidator(23)],
        help_text=_("The daily digest is sent at this hour, in your time zone."),
    )
    paused = models.BooleanField(
        _("pause every notification"),
        default=False,
        help_text=_(
            "Nothing is e-mailed to you but meeting invitations and account e-mails, and "
            "your digest waits until you resume."
        ),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class Preference(models.Model):
    """How a person wants one kind of event; a kind without a row has its default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.mode}"


class Digest(models.Model):
    """One person's digest of one day (on their clock): at most one, whatever the workers do."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    day = models.DateField(_("day"))
    message = models.OneToOneField(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="digest"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.user}, {self.day}"


class DigestItemQuerySet(models.QuerySet["DigestItem"]):
    def pending(self) -> "DigestItemQuerySet":
        return self.filter(digest=None)


class DigestItem(models.Model):
    """An event kept for a person's next digest, written in their language when it happened."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_items"
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=250)
    url = models.URLField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, null=True, blank=True, related_name="items"
    )

    objects = DigestItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "digest"])]

    def __str__(self) -> str:
        return self.title
