"""The newsletter: its issues (one text per language), its subscribers, the addresses that
asked never to be written to again, and one delivery row per issue and address."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from komunigi.notifications.models import OutboxMessage

# French is the community's first language: every issue has it, and it is what a subscriber
# whose language an issue lacks reads.
FIRST_LANGUAGE = "fr"
OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != FIRST_LANGUAGE]


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class IssueQuerySet(models.QuerySet["Issue"]):
    def published(self) -> "IssueQuerySet":
        """The archive: issues whose sending has started, newest first."""
        return self.filter(published_at__isnull=False).order_by("-published_at", "-pk")


class Issue(models.Model):
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    # One title and Markdown text per language; French is required, the others optional.
    title_fr = models.CharField(_("title (French)"), max_length=200)
    body_fr = models.TextField(_("text (French)"))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    body_nl = models.TextField(_("text (Dutch)"), blank=True)
    title_de = models.CharField(_("title (German)"), max_length=200, blank=True)
    body_de = models.TextField(_("text (German)"), blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    body_es = models.TextField(_("text (Spanish)"), blank=True)
    scheduled_at = models.DateTimeField(_("to be sent at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sending finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_at__isnull=False),
                name="news_issue_scheduled_has_a_time",
            )
        ]

    def __str__(self) -> str:
        return self.title_fr

    def get_absolute_url(self) -> str:
        return reverse("news_issue", kwargs={"slug": self.slug})

    def get_manage_url(self) -> str:
        return reverse("news_manage_issue", kwargs={"pk": self.pk})

    def title_in(self, language: str) -> str:
        """The title in ``language``, or the French one when the issue has no such text.
        Reads no French body: lists load the titles only."""
        return str(getattr(self, f"title_{self.language_for(language)}"))

    def body_in(self, language: str) -> str:
        return self.text_in(language)[1]

    def text_in(self, language: str) -> tuple[str, str]:
        language = self.language_for(language)
        return getattr(self, f"title_{language}"), getattr(self, f"body_{language}")

    def language_for(self, language: str) -> str:
        """The language a reader of ``language`` gets: theirs if written, French otherwise."""
        if language in OTHER_LANGUAGES and bool(getattr(self, f"body_{language}")):
            return language
        return FIRST_LANGUAGE

    @property
    def languages(self) -> list[str]:
        return [FIRST_LANGUAGE] + [
            code for code in OTHER_LANGUAGES if self.language_for(code) == code
        ]

    @property
    def is_editable(self) -> bool:
        return self.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED)


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class SubscriptionSource(models.TextChoices):
    WEB_FORM = "web", _("Subscription form")
    ACCOUNT = "account", _("My account")
    IMPORT = "import", _("Import")


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def confirmed(self) -> "SubscriberQuerySet":
        return self.filter(status=SubscriberStatus.CONFIRMED)


class Subscriber(models.Model):
    email = models.EmailField(_("e-mail address"), unique=True)
    # The keyed hash of the address (see ``services.address_hash``): what deliveries and
    # suppressions are compared with.
    address_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=FIRST_LANGUAGE
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
    )
    source = models.CharField(_("source"), max_length=12, choices=SubscriptionSource.choices)
    # What the signed links name: a random key rather than the row's id, so that a link
    # says nothing of how many people subscribed.
    key = models.CharField(max_length=32, unique=True, editable=False)
    requested_at = models.DateTimeField(_("requested at"))
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    # When the person gave their consent: clicked the confirmation link, or subscribed
    # from their account.
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self) -> str:
        # Not the address: the audit trail keeps a label of its targets, and an erased
        # subscriber's address must not stay there.
        return gettext("subscriber #%(id)s") % {"id": self.pk}

    @property
    def is_confirmed(self) -> bool:
        return self.status == SubscriberStatus.CONFIRMED


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    ERASED = "erased", _("Erased by a facilitator")


class Suppression(models.Model):
    """An address that left the newsletter, kept only as a keyed hash: enough to refuse to
    add it again by mistake (an import), never enough to write to it."""

    address_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return gettext("suppressed address %(hash)s…") % {"hash": self.address_hash[:12]}


class Delivery(models.Model):
    """One issue queued for one address; created in the same transaction as its outbox row.
    The unique (issue, address) pair is what keeps an issue from reaching anyone twice,
    whatever restarts or concurrent workers do. The address is kept as its keyed hash, so
    an unsubscribed address leaves nothing readable behind."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    address_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=8)
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "address_hash"], name="news_delivery_once_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.address_hash[:12]}…"
