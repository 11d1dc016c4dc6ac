"""Mailing lists: threads and posts that live on the site and in people's mail clients."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komunigi.community.models import Organisation, User
from komunigi.needs.models import Need


class ReadAccess(models.TextChoices):
    PUBLIC = "public", _("Anyone (public archive)")
    MEMBERS = "members", _("Members of the community")


class MailingList(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    local_part = models.SlugField(
        _("address"),
        max_length=50,
        unique=True,
        help_text=_("The part before the @ of the list's address, such as “community”."),
    )
    description = models.TextField(_("description"), blank=True)
    read_access = models.CharField(
        _("who may read"), max_length=10, choices=ReadAccess.choices, default=ReadAccess.MEMBERS
    )
    reply_to_author = models.BooleanField(
        _("replies go to the author"),
        default=False,
        help_text=_("Otherwise a reply by e-mail goes to the list, in the thread."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mailing_list", args=[self.slug])

    @property
    def address(self) -> str:
        return f"{self.local_part}@{settings.KOMUNIGI_MAIL_DOMAIN}"

    @property
    def list_id(self) -> str:
        """RFC 2919: a name that stays when the list's address changes."""
        return f"{self.local_part}.{settings.KOMUNIGI_MAIL_DOMAIN}"


class Delivery(models.TextChoices):
    EVERY = "every", _("Every message")
    DIGEST = "digest", _("Daily digest")
    WEB = "web", _("Web only")


class Subscription(models.Model):
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="list_subscriptions")
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.EVERY
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Hard bounces of the list's mail to this person; at BOUNCE_LIMIT delivery stops.
    bounces = models.PositiveSmallIntegerField(_("bounces"), default=0)
    stopped_at = models.DateTimeField(_("delivery stopped at"), null=True, blank=True)

    BOUNCE_LIMIT = 3

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "user"], name="subscribe_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.mailing_list}"


class ThreadQuerySet(models.QuerySet["Thread"]):
    def readable_by(self, user: object) -> "ThreadQuerySet":
        from komunigi.discussions.permissions import readable_lists

        return self.filter(mailing_list__in=readable_lists(user))


class Thread(models.Model):
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="threads", verbose_name=_("list")
    )
    subject = models.CharField(_("subject"), max_length=200)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="threads", verbose_name=_("author")
    )
    needs = models.ManyToManyField(
        Need, blank=True, related_name="threads", verbose_name=_("needs")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    answer = models.ForeignKey(
        "Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted answer"),
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_activity_at", "-pk"]
        indexes = [models.Index(fields=["mailing_list", "-last_activity_at"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("thread", args=[self.pk])


class PostSource(models.TextChoices):
    WEB = "web", _("the web")
    EMAIL = "email", _("e-mail")


class Post(models.Model):
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", verbose_name=_("thread")
    )
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="posts", verbose_name=_("author")
    )
    # A sender without an account whose message a facilitator approved: their name as written.
    author_name = models.CharField(_("author's name"), max_length=200, blank=True)
    # Who the author spoke for when they wrote, shown beside their name ("Claire (BEES coop)").
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("message"), help_text=_("Markdown."))
    # Rendered and sanitised once, when written: pages show many posts, and rendering each on
    # every view made the practice base eleven times the benchmark's floor.
    body_html = models.TextField(_("message as HTML"), editable=False, default="")
    source = models.CharField(
        _("written on"), max_length=10, choices=PostSource.choices, default=PostSource.WEB
    )
    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    # The Message-ID a post that came by e-mail arrived with. Its own ``message_id`` is that
    # one, unless the message was sent to several lists: each list's post then has one of ours.
    received_message_id = models.CharField(
        _("Message-ID received"), max_length=250, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # A post that came by e-mail keeps the message as it arrived (quotes and signature
    # included), for facilitators.
    original = models.BinaryField(_("original message"), blank=True, default=b"")

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.thread}: {self.pk}"

    def get_absolute_url(self) -> str:
        return self.thread.get_absolute_url() + f"#post-{self.pk}"

    @property
    def author_label(self) -> str:
        name = self.author.full_name if self.author else (self.author_name or str(_("someone")))
        return f"{name} ({self.organisation.name})" if self.organisation else name


def attachment_path(instance: "PostAttachment", filename: str) -> str:
    return f"lists/{timezone.now():%Y/%m}/{filename}"


class PostAttachment(models.Model):
    """An image or a PDF file sent with a post, on the web or by e-mail (the needs' limits)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    file = models.FileField(_("file"), upload_to=attachment_path)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("post_attachment", args=[self.pk])


class HeldReason(models.TextChoices):
    NOT_A_MEMBER = "not_a_member", _("The sender is not a member of the community")
    BAD_TOKEN = "bad_token", _("The reply address was altered, is unknown or has expired")
    NO_THREAD = "no_thread", _("The thread it answers no longer exists")
    TOO_MANY = "too_many", _("The sender wrote too many messages within an hour")


class HeldStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a facilitator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class HeldMessage(models.Model):
    """A message that came by e-mail and waits for a facilitator: nothing is lost."""

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="held", verbose_name=_("list")
    )
    recipient = models.CharField(_("sent to"), max_length=254)
    sender = models.CharField(_("sender"), max_length=254)
    sender_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    text = models.TextField(_("text"), blank=True)
    raw = models.BinaryField(_("message"))
    reason = models.CharField(_("why it is held"), max_length=20, choices=HeldReason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=HeldStatus.choices, default=HeldStatus.PENDING
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("held message")
        verbose_name_plural = _("held messages")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class AllowedSender(models.Model):
    """A sender without an account whose messages to a list no longer wait for moderation."""

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="allowed_senders"
    )
    email = models.EmailField(_("e-mail address"))
    allowed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allowed sender")
        verbose_name_plural = _("allowed senders")
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "email"], name="allow_sender_once")
        ]

    def __str__(self) -> str:
        return self.email
