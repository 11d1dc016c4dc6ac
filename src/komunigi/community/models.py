"""Organisations, the people in them, their roles, join requests and personal API tokens."""

import functools
import zoneinfo
from typing import Any

from django.conf import settings
from django.conf.global_settings import LANGUAGES as ALL_LANGUAGES
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

ODOO_SERIES = [(f"{n}.0", f"{n}.0") for n in range(8, 20)]
LANGUAGE_NAMES = dict(ALL_LANGUAGES)


def normalize_email(email: str) -> str:
    """E-mail addresses are compared without case: one person, one account."""
    return email.strip().lower()


@functools.cache
def known_time_zones() -> frozenset[str]:
    """Read once per process: listing the time zones walks the whole tz database."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def validate_language_codes(value: Any) -> None:
    if not isinstance(value, list) or any(code not in LANGUAGE_NAMES for code in value):
        raise ValidationError(_("Choose languages from the list."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalize_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)  # None gives an unusable password: invitation pending
        user.save(using=self._db)
        return user

    def speaking_for(self, organisations: Any) -> "models.QuerySet[User]":
        """The active people who speak, vote and commit money for ``organisations``: their
        representatives and substitutes."""
        return self.filter(
            is_active=True,
            memberships__organisation__in=organisations,
            memberships__role__in=VOTING_ROLES,
        ).distinct()

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("is_facilitator", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. People log in with their e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    is_facilitator = models.BooleanField(
        _("facilitator"),
        default=False,
        help_text=_(
            "Facilitators run meetings, handle join requests and keep the ledger; "
            "they can use the administration."
        ),
    )
    is_staff = models.BooleanField(_("site administrator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    SUPERMARKET = "supermarket", _("Cooperative supermarket")
    PROVIDER = "provider", _("Provider")
    PARTNER = "partner", _("Partner")
    STAKEHOLDER = "stakeholder", _("Stakeholder")


class OrganisationStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    MEMBER = "member", _("Member")
    FORMER = "former", _("Former member")


def is_facilitator(user: Any) -> bool:
    """Facilitation is a site-wide role; an inactive account has no role at all."""
    return bool(user.is_authenticated and user.is_active and user.is_facilitator)


def visible_statuses(user: Any) -> list[str]:
    """Applicants are shown to facilitators only; members and former members to everybody."""
    if is_facilitator(user):
        return list(OrganisationStatus.values)
    return [OrganisationStatus.MEMBER, OrganisationStatus.FORMER]


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def members(self) -> "OrganisationQuerySet":
        return self.filter(status=OrganisationStatus.MEMBER)

    def member_supermarkets(self) -> "OrganisationQuerySet":
        """The supermarkets that are members: they vote, pledge and share costs."""
        return self.members().filter(kind=OrganisationKind.SUPERMARKET)

    def visible_to(self, user: Any) -> "OrganisationQuerySet":
        return self.filter(status__in=visible_statuses(user))


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.APPLICANT,
    )
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("Language codes, for example fr, nl."),
    )
    description = models.TextField(_("description"), blank=True)
    member_households = models.PositiveIntegerField(
        _("member households"),
        null=True,
        blank=True,
        help_text=_("Used later to weigh cost splits and membership fee tiers."),
    )
    odoo_series = models.CharField(
        _("Odoo series in use"), max_length=8, choices=ODOO_SERIES, blank=True
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_name_unique",
                violation_error_message=_("An organisation with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation", kwargs={"slug": self.slug})

    @property
    def language_names(self) -> list[str]:
        return [gettext(LANGUAGE_NAMES[code]) for code in self.languages if code in LANGUAGE_NAMES]


class Role(models.TextChoices):
    REPRESENTATIVE = "representative", _("Representative")
    SUBSTITUTE = "substitute", _("Substitute")
    MEMBER = "member", _("Member")


# Who speaks, votes and commits money for a supermarket.
VOTING_ROLES = (Role.REPRESENTATIVE, Role.SUBSTITUTE)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def by_role(self) -> "MembershipQuerySet":
        """Representative first, then substitute, then members by name."""
        rank = models.Case(
            models.When(role=Role.REPRESENTATIVE, then=0),
            models.When(role=Role.SUBSTITUTE, then=1),
            default=2,
        )
        return self.order_by(rank, "user__full_name")


class Membership(models.Model):
    """A person's place in an organisation; the representative speaks and votes for it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="one_membership_per_person_and_organisation",
                violation_error_message=_("This person is already in this organisation."),
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role="representative"),
                name="one_representative_per_organisation",
                violation_error_message=_("This organisation already has a representative."),
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role="substitute"),
                name="one_substitute_per_organisation",
                violation_error_message=_("This organisation already has a substitute."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class JoinRequest(models.Model):
    """A visitor's request for their organisation to join the community."""

    organisation_name = models.CharField(_("organisation name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    country = CountryField(_("country"))
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    message = models.TextField(_("message"), max_length=5000, blank=True)
    consent = models.BooleanField(_("consent to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    submitted_from = models.GenericIPAddressField(_("submitted from"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=JoinRequestStatus.choices,
        default=JoinRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decline_message = models.TextField(_("message sent with the decline"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("organisation created"),
    )

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("contact_email"),
                condition=Q(status="pending"),
                name="one_pending_join_request_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.contact_name})"

    def get_absolute_url(self) -> str:
        return reverse("join_request", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status == JoinRequestStatus.PENDING


class ApiToken(models.Model):
    """A personal token for scripts. Only its hash is kept: it is shown once, at creation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("beginning"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("valid until"))
    read_only = models.BooleanField(
        _("read only"), default=False, help_text=_("It reads through the API, and changes nothing.")
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def has_expired(self) -> bool:
        return self.revoked_at is None and self.expires_at <= timezone.now()
