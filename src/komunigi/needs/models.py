"""Needs, the interest supermarkets show for them, comments, quotes, estimates and rounds."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from komunigi.community.models import (
    ODOO_SERIES,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
)
from komunigi.dates import instance_today
from komunigi.money import MONEY
from komunigi.needs import lifecycle


class NeedStatus(models.TextChoices):
    DRAFT = lifecycle.DRAFT, _("Draft")
    OPEN = lifecycle.OPEN, _("Open")
    QUOTED = lifecycle.QUOTED, _("Quoted")
    SCHEDULED = lifecycle.SCHEDULED, _("Scheduled for a decision")
    APPROVED = lifecycle.APPROVED, _("Approved")
    REJECTED = lifecycle.REJECTED, _("Rejected")
    POSTPONED = lifecycle.POSTPONED, _("Postponed")
    FUNDING = lifecycle.FUNDING, _("Being funded")
    FUNDED = lifecycle.FUNDED, _("Funded")
    FAILED = lifecycle.FAILED, _("Funding failed")
    IN_PROGRESS = lifecycle.IN_PROGRESS, _("In progress")
    DELIVERED = lifecycle.DELIVERED, _("Delivered")
    CLOSED = lifecycle.CLOSED, _("Closed")
    WITHDRAWN = lifecycle.WITHDRAWN, _("Withdrawn")


class Tag(models.Model):
    """An Odoo area or any free word that groups needs (until the commons catalogue)."""

    name = models.CharField(_("name"), max_length=50)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class NeedQuerySet(models.QuerySet["Need"]):
    def visible_to(self, user: Any) -> "NeedQuerySet":
        """Drafts are seen by the people of their (member) organisation only: the same rule
        as ``permissions.can_see_need``, for lists."""
        if not (user.is_authenticated and user.is_active):
            return self.exclude(status=NeedStatus.DRAFT)
        own = Membership.objects.filter(
            user=user, organisation__status=OrganisationStatus.MEMBER
        ).values("organisation")
        return self.filter(~Q(status=NeedStatus.DRAFT) | Q(organisation__in=own))

    def active(self) -> "NeedQuerySet":
        return self.filter(status__in=lifecycle.ACTIVE)

    def with_interest_count(self) -> "NeedQuerySet":
        """Each need with ``interest_count``, the member supermarkets that need it: counted
        for the rows a page shows (a subquery per row), not by grouping the whole table."""
        interests = (
            Interest.objects.filter(
                need=OuterRef("pk"),
                organisation__kind=OrganisationKind.SUPERMARKET,
                organisation__status=OrganisationStatus.MEMBER,
            )
            .order_by()
            .values("need")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(interest_count=Coalesce(Subquery(interests), 0))


class Need(models.Model):
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(
        _("problem"), max_length=20_000, help_text=_("What goes wrong today? Markdown.")
    )
    expected_outcome = models.TextField(
        _("expected outcome"),
        max_length=20_000,
        help_text=_("What should work once it is done? Markdown."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("proposed by"),
    )
    author = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("author"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="needs", verbose_name=_("tags"))
    odoo_series = models.CharField(_("Odoo series"), max_length=8, choices=ODOO_SERIES, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    estimate_requested_at = models.DateTimeField(_("estimate requested at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "status_changed_at"]),
            # The lists' order: most recently changed first.
            models.Index(fields=["-status_changed_at", "-id"], name="need_recently_changed"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("need", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"#{self.pk}"


class Priority(models.TextChoices):
    MUST = "must", _("Must have")
    SHOULD = "should", _("Should have")
    COULD = "could", _("Could have")


class Interest(models.Model):
    """A supermarket saying "we need this too", with how much."""

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="interests", verbose_name=_("need")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="interests",
        verbose_name=_("supermarket"),
        limit_choices_to={"kind": OrganisationKind.SUPERMARKET},
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "organisation"],
                name="one_interest_per_supermarket_and_need",
                violation_error_message=_("This supermarket already said it needs this."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.need} ({self.get_priority_display()})"


# The interest that counts: that of member supermarkets (not of former members, nor of
# providers). For annotations on needs, and for single organisations.
MEMBER_SUPERMARKET_INTEREST = Q(
    interests__organisation__kind=OrganisationKind.SUPERMARKET,
    interests__organisation__status=OrganisationStatus.MEMBER,
)


def counts_as_supermarket(organisation: Organisation) -> bool:
    return (
        organisation.kind == OrganisationKind.SUPERMARKET
        and organisation.status == OrganisationStatus.MEMBER
    )


class Comment(models.Model):
    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="comments", verbose_name=_("need")
    )
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("comment"), max_length=10_000, help_text=_("Markdown."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.need}"


def attachment_path(attachment: "Attachment", filename: str) -> str:
    return f"needs/{attachment.need_id}/{filename}"


class Attachment(models.Model):
    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("need")
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("need_attachment", kwargs={"pk": self.need_id, "attachment": self.pk})

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class QuoteStatus(models.TextChoices):
    # A context each: a quote's status agrees with "quote" in languages with genders.
    PROPOSED = "proposed", pgettext_lazy("quote status", "Proposed")
    WITHDRAWN = "withdrawn", pgettext_lazy("quote status", "Withdrawn")
    ACCEPTED = "accepted", pgettext_lazy("quote status", "Accepted")
    EXPIRED = "expired", pgettext_lazy("quote status", "Expired")


class QuoteQuerySet(models.QuerySet["Quote"]):
    def valid(self, today: datetime.date | None = None) -> "QuoteQuerySet":
        """Proposed quotes whose validity date has not passed (even before the daily expiry)."""
        today = today or instance_today()
        return self.filter(
            status__in=[QuoteStatus.PROPOSED, QuoteStatus.ACCEPTED], valid_until__gte=today
        )


class Quote(models.Model):
    """A provider's price for a need. Amounts are in the instance's currency."""

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("need")
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("provider"),
        limit_choices_to={"kind": OrganisationKind.PROVIDER},
    )
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    provider_contribution = models.DecimalField(
        _("provider's own contribution"),
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("What the provider pays itself, deducted from what the supermarkets pay."),
    )
    scope = models.TextField(_("scope"), max_length=20_000, help_text=_("Markdown."))
    estimated_days = models.DecimalField(
        _("estimated days of work"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.PROPOSED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["amount", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="quote_amount_positive"),
            models.CheckConstraint(
                condition=Q(provider_contribution__gte=0)
                & Q(provider_contribution__lte=models.F("amount")),
                name="quote_contribution_within_amount",
                violation_error_message=_("The provider's contribution cannot exceed the amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.amount} ({self.need})"

    @property
    def net_amount(self) -> Decimal:
        """What the supermarkets share: the amount minus the provider's contribution."""
        return self.amount - self.provider_contribution

    def effective_status(self, today: datetime.date | None = None) -> str:
        today = today or instance_today()
        if self.status == QuoteStatus.PROPOSED and self.valid_until < today:
            return QuoteStatus.EXPIRED
        return self.status


class EstimateStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Waiting for the estimate")
    DONE = "done", _("Estimate given")
    CANCELLED = "cancelled", _("Cancelled")


class EstimateAssignment(models.Model):
    """A facilitator asks a provider to estimate a need, within a budget of hours paid by the
    community fund (the money side comes with co-financing)."""

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="estimates", verbose_name=_("need")
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="estimates",
        verbose_name=_("provider"),
        limit_choices_to={"kind": OrganisationKind.PROVIDER},
    )
    hours_budget = models.DecimalField(
        _("budget of hours"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    hours_spent = models.DecimalField(
        _("hours spent"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EstimateStatus.choices,
        default=EstimateStatus.ASSIGNED,
    )
    assigned_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("estimate assignment")
        verbose_name_plural = _("estimate assignments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.provider} → {self.need} ({self.hours_budget} h)"


class RoundStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("round status", "Open for ranking")
    CLOSED = "closed", pgettext_lazy("round status", "Closed")


class PriorityRound(models.Model):
    """Supermarkets rank candidate needs; the Schulze method orders them."""

    title = models.CharField(_("title"), max_length=200)
    candidates = models.ManyToManyField(
        Need, related_name="priority_rounds", verbose_name=_("candidate needs")
    )
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    opened_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The Schulze result once closed: order (groups of need ids), pairwise, strongest paths.
    result = models.JSONField(_("result"), null=True, blank=True)
    # The member supermarkets when the round opened: who could rank, whoever joined later.
    electorate = models.PositiveIntegerField(_("member supermarkets at the opening"), default=0)
    # Set when the supermarkets that had not ranked were reminded (claimed by a conditional
    # update, so two workers never remind twice).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("priority round")
        verbose_name_plural = _("priority rounds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("priority_round", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def accepts_ballots(self, now: datetime.datetime | None = None) -> bool:
        return self.is_open and (now or timezone.now()) <= self.deadline


class Ballot(models.Model):
    """One supermarket's ranking in a round; replaced, not added to, when cast again."""

    round = models.ForeignKey(
        PriorityRound, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("round")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="ballots",
        verbose_name=_("supermarket"),
    )
    # Groups of need ids, most wanted first; needs left out rank together below the others.
    ranking = models.JSONField(_("ranking"))
    cast_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("cast by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="one_ballot_per_supermarket_and_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.round}"


class NeedFollow(models.Model):
    """A person who wants to hear of a need's comments, quotes and status changes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followed_needs")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed need")
        verbose_name_plural = _("followed needs")
        constraints = [models.UniqueConstraint(fields=["user", "need"], name="follow_need_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.need}"


class TagFollow(models.Model):
    """A person who wants to hear of each new need with this tag (an Odoo area)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followed_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed tag")
        verbose_name_plural = _("followed tags")
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="follow_tag_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.tag}"
