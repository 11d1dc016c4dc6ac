"""Meetings, their agenda, who comes (and with whose proxy), decisions and their ballots."""

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from komunigi.community.models import (
    Organisation,
    OrganisationStatus,
    User,
    validate_time_zone,
)
from komunigi.meetings import tally
from komunigi.needs.models import Need

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # the type of a lazily translated label


class MeetingKind(models.TextChoices):
    USERS = "users", _("Users' meeting")
    CORE = "core", _("Core group meeting")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting status", "Planned")
    IN_SESSION = "in_session", pgettext_lazy("meeting status", "In session")
    CLOSED = "closed", pgettext_lazy("meeting status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class Visibility(models.TextChoices):
    PUBLIC = "public", pgettext_lazy("meeting visibility", "Public")
    MEMBERS = "members", pgettext_lazy("meeting visibility", "Members only")


class MinutesStatus(models.TextChoices):
    NONE = "none", _("Not written yet")
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Approved and published")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: Any) -> "MeetingQuerySet":
        """Members-only meetings are for the people of member organisations and facilitators;
        everybody sees public ones."""
        if is_member(user):
            return self.all()
        return self.filter(visibility=Visibility.PUBLIC)


def is_member(user: Any) -> bool:
    """Somebody of the community: in a member organisation, or a facilitator."""
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        user.is_facilitator
        or user.memberships.filter(organisation__status=OrganisationStatus.MEMBER).exists()
    )


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    duration = models.PositiveIntegerField(
        _("duration in minutes"),
        default=90,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    quorum = models.DecimalField(
        _("quorum"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Share of the member supermarkets that must be represented, e.g. 0.50."),
    )
    online_voting = models.BooleanField(
        _("absent supermarkets may vote online"),
        default=False,
        help_text=_("Until each decision's deadline."),
    )
    reminder_days = models.PositiveIntegerField(
        _("reminder, days before"), default=2, validators=[MaxValueValidator(30)]
    )
    # iCalendar: one UID for ever, a SEQUENCE that grows with every change sent.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    invitations_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The member supermarkets when the meeting started: its quorum's base, whoever joins later.
    quorum_base = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown."))
    minutes_status = models.CharField(
        _("minutes"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_approved_at = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes approved at"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting", kwargs={"pk": self.pk})

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration)

    @property
    def is_open(self) -> bool:
        return self.status in (MeetingStatus.PLANNED, MeetingStatus.IN_SESSION)


class ItemKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    DISCUSSION = "discussion", _("Discussion")
    NEED_DECISION = "need_decision", _("Decision on a need")
    PLAN_DECISION = "plan_decision", _("Decision on a maintenance plan")
    DECISION = "decision", _("Other decision")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("need"),
    )
    # A maintenance plan put to the meeting (a renewal, say): rejected, it ends with nothing
    # moved; approved, its page says so.
    maintenance_plan = models.ForeignKey(
        "funding.MaintenancePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("maintenance plan"),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Markdown."))

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_decision(self) -> bool:
        return self.kind in (ItemKind.NEED_DECISION, ItemKind.PLAN_DECISION, ItemKind.DECISION)


class DecisionRule(models.TextChoices):
    MAJORITY = tally.MAJORITY, _("Simple majority of the votes cast")
    TWO_THIRDS = tally.TWO_THIRDS, _("Two thirds of the votes cast")
    CONSENT = tally.CONSENT, _("Consent: no objection")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("decision status", "Not opened yet")
    OPEN = "open", pgettext_lazy("decision status", "Voting")
    CLOSED = "closed", pgettext_lazy("decision status", "Closed")


class Outcome(models.TextChoices):
    APPROVED = tally.APPROVED, pgettext_lazy("decision outcome", "Approved")
    REJECTED = tally.REJECTED, pgettext_lazy("decision outcome", "Rejected")
    BLOCKED = tally.BLOCKED, pgettext_lazy("decision outcome", "Blocked by an objection")
    NO_QUORUM = tally.NO_QUORUM, pgettext_lazy("decision outcome", "No decision: no quorum")
    NO_VOTES = tally.NO_VOTES, pgettext_lazy("decision outcome", "No decision: no vote")
    POSTPONED = "postponed", pgettext_lazy("decision outcome", "Postponed")


class Choice(models.TextChoices):
    YES = tally.YES, pgettext_lazy("vote", "Yes")
    NO = tally.NO, pgettext_lazy("vote", "No")
    ABSTAIN = tally.ABSTAIN, pgettext_lazy("vote", "Abstain")
    AGREE = tally.AGREE, pgettext_lazy("vote", "Agree")
    STAND_ASIDE = tally.STAND_ASIDE, pgettext_lazy("vote", "Stand aside")
    OBJECT = tally.OBJECT, pgettext_lazy("vote", "Object")


class Decision(models.Model):
    item = models.OneToOneField(
        AgendaItem, on_delete=models.CASCADE, related_name="decision", verbose_name=_("item")
    )
    rule = models.CharField(
        _("rule"), max_length=12, choices=DecisionRule.choices, default=DecisionRule.MAJORITY
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    online_until = models.DateTimeField(
        _("online votes until"), null=True, blank=True, help_text=_("For absent supermarkets.")
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    objectors = models.JSONField(_("objecting supermarkets"), default=list, blank=True)
    represented = models.PositiveIntegerField(_("supermarkets represented"), null=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.item.title

    @property
    def choices(self) -> list[tuple[str, "StrOrPromise"]]:
        return [(c, Choice(c).label) for c in tally.CHOICES[self.rule]]

    @property
    def counted(self) -> list[str]:
        """Each choice with its number of votes, in the rule's order (not the JSON dict's)."""
        return [
            _("%(label)s: %(count)s") % {"label": label, "count": self.counts.get(choice, 0)}
            for choice, label in self.choices
        ]


class DecisionBallot(models.Model):
    """One supermarket's ballot on one decision, changeable until the decision closes."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("decision")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="decision_ballots",
        verbose_name=_("supermarket"),
    )
    choice = models.CharField(_("choice"), max_length=12, choices=Choice.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    cast_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("cast by")
    )
    recorded_for_the_room = models.BooleanField(_("recorded by the facilitator"), default=False)
    online = models.BooleanField(_("cast online while absent"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("decision ballot")
        verbose_name_plural = _("decision ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "organisation"], name="one_ballot_per_supermarket_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.choice}"


class Reply(models.TextChoices):
    ATTENDING = "attending", _("I will attend")
    NOT_ATTENDING = "not_attending", _("I will not attend")
    PROXY = "proxy", _("I give our proxy to another supermarket")


class Invitation(models.Model):
    """A person invited to a meeting, and their answer."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for"),
    )
    reply = models.CharField(_("reply"), max_length=15, choices=Reply.choices, blank=True)
    proxy_to = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proxy given to"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.meeting}"


class Attendance(models.Model):
    """A supermarket (or a provider, partner …) represented at a meeting, and by whom.

    ``proxy_holder`` is set when the supermarket is represented by another supermarket's
    representative; a representative carries at most one other supermarket's proxy.
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("represented by"),
    )
    proxy_holder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by proxy of"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="one_attendance_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["meeting", "proxy_holder"],
                name="one_proxy_per_holder",
                violation_error_message=_("A representative carries at most one proxy."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} at {self.meeting}"


class CalendarFeed(models.Model):
    """A person's private calendar address: its secret is kept hashed, and can be replaced."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("person")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"
