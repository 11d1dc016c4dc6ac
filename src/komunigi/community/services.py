"""Every write of the community directory that touches more than one row.

Each service runs in one transaction, writes its audit event in it and puts its e-mails in the
outbox in it, so a change and its trace and messages are committed together or not at all.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community import emails, permissions
from komunigi.community.models import (
    ApiToken,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Organisation,
    OrganisationStatus,
    Role,
    User,
    normalize_email,
)
from komunigi.errors import DomainError, require
from komunigi.throttle import services as throttle

API_TOKEN_PREFIX = "kmg_"  # noqa: S105 - a marker that lets scanners spot leaked tokens


@dataclass(frozen=True)
class JoinRequestOutcome:
    join_request: JoinRequest
    already_pending: bool


def submit_join_request(
    *,
    organisation_name: str,
    kind: str,
    country: str,
    contact_name: str,
    contact_email: str,
    message: str,
    consent: bool,
    language: str,
    submitted_from: str | None,
    client: str,
) -> JoinRequestOutcome:
    """Record a visitor's join request; acknowledge it and tell the facilitators.

    ``client`` identifies the sender for the rate limit (its network address). A second request
    while one from the same address is pending is not recorded: the outcome says so. Raises
    DomainError without consent or when the client sent too many requests in the last hour.
    """
    if not consent:
        raise DomainError(_("We can only answer if you agree to be contacted."))
    if not throttle.allow(
        "join-request",
        client,
        limit=settings.KOMUNIGI_JOIN_REQUESTS_PER_IP_PER_HOUR,
        window=timedelta(hours=1),
    ):
        raise DomainError(
            _(
                "We received many requests from your network in the last hour. "
                "Please try again later or write to us."
            )
        )
    contact_email = normalize_email(contact_email)
    try:
        with transaction.atomic():
            pending = _pending_join_request(contact_email)
            if pending is not None:
                return JoinRequestOutcome(pending, already_pending=True)
            join_request = JoinRequest.objects.create(
                organisation_name=organisation_name.strip(),
                kind=kind,
                country=country,
                contact_name=contact_name.strip(),
                contact_email=contact_email,
                message=message.strip(),
                consent=consent,
                language=language,
                submitted_from=submitted_from,
            )
            log_action(None, "community.join_request.received", join_request)
            emails.send_join_acknowledgment(join_request)
            emails.send_join_request_to_facilitators(join_request)
    except IntegrityError:
        # The same person sent the form twice at the same moment: the other one was recorded.
        pending = _pending_join_request(contact_email)
        if pending is None:
            raise
        return JoinRequestOutcome(pending, already_pending=True)
    return JoinRequestOutcome(join_request, already_pending=False)


def _pending_join_request(contact_email: str) -> JoinRequest | None:
    return JoinRequest.objects.filter(
        contact_email__iexact=contact_email, status=JoinRequestStatus.PENDING
    ).first()


def accept_join_request(join_request: JoinRequest, *, actor: User) -> Organisation:
    """Create the organisation as a member, its contact as its representative, and invite them.

    Side effects: the organisation, a person (unless the address already has an account), a
    representative membership, two audit events and the invitation e-mail with a one-time link.
    """
    require(permissions.can_handle_join_requests(actor))
    with transaction.atomic():
        join_request = _lock_pending(join_request)
        name = join_request.organisation_name
        if Organisation.objects.filter(name__iexact=name).exists():
            raise DomainError(
                _("An organisation named “%(name)s” already exists.") % {"name": name}
            )
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    name=name,
                    slug=unique_organisation_slug(name),
                    kind=join_request.kind,
                    country=join_request.country,
                    status=OrganisationStatus.MEMBER,
                    languages=[join_request.language],
                    joined_on=timezone.localdate(),
                )
        except IntegrityError:
            # Another facilitator created the same organisation at the same moment.
            raise DomainError(
                _("An organisation named “%(name)s” already exists.") % {"name": name}
            ) from None
        user = User.objects.filter(email=normalize_email(join_request.contact_email)).first()
        if user is None:
            user = User.objects.create_user(
                join_request.contact_email,
                full_name=join_request.contact_name,
                language=join_request.language,
            )
        Membership.objects.create(user=user, organisation=organisation, role=Role.REPRESENTATIVE)
        join_request.organisation = organisation
        _decide(join_request, JoinRequestStatus.ACCEPTED, actor=actor, fields=["organisation"])
        log_action(
            actor,
            "community.organisation.created",
            organisation,
            {"representative": user.email, "join_request": join_request.pk},
        )
        emails.send_invitation(user, organisation)
    return organisation


def decline_join_request(join_request: JoinRequest, *, actor: User, message: str) -> None:
    """Decline with a message that is e-mailed to the contact."""
    require(permissions.can_handle_join_requests(actor))
    message = message.strip()
    if not message:
        raise DomainError(_("Write a message that explains the decline to the contact."))
    with transaction.atomic():
        join_request = _lock_pending(join_request)
        join_request.decline_message = message
        _decide(join_request, JoinRequestStatus.DECLINED, actor=actor, fields=["decline_message"])
        emails.send_join_declined(join_request)


def _lock_pending(join_request: JoinRequest) -> JoinRequest:
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status == JoinRequestStatus.ACCEPTED:
        raise DomainError(_("This request was already accepted."))
    if locked.status == JoinRequestStatus.DECLINED:
        raise DomainError(_("This request was already declined."))
    return locked


def _decide(join_request: JoinRequest, status: str, *, actor: User, fields: list[str]) -> None:
    """The one place a join request leaves "pending": saved, and its audit event written."""
    join_request.status = status
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at", *fields])
    log_action(actor, f"community.join_request.{status}", join_request)


def invite_person(
    organisation: Organisation, *, actor: User, email: str, full_name: str, role: str
) -> Membership:
    """Add a person to ``organisation`` as member or substitute and e-mail them a link.

    A new address gets an account without password and a one-time link to set one; a known
    one is told where to log in. Refused when the person is already in, or when the
    organisation already has its substitute.
    """
    require(permissions.can_manage_people(actor, organisation))
    if role not in (Role.MEMBER, Role.SUBSTITUTE):
        raise DomainError(_("People are added as members or as the substitute."))
    email = normalize_email(email)
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, full_name=full_name.strip(), language=actor.language
            )
        elif Membership.objects.filter(user=user, organisation=organisation).exists():
            raise DomainError(
                _("%(email)s is already in %(name)s.") % {"email": email, "name": organisation}
            )
        _check_role_free(organisation, role)
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        log_action(
            actor,
            "community.membership.created",
            organisation,
            {"person": email, "role": role},
        )
        emails.send_membership_invitation(membership, invited_by=actor)
    return membership


def change_role(membership: Membership, *, actor: User, role: str) -> None:
    """Make a person member, substitute, or the representative (the representative until now
    becomes a member: one representative per organisation, handed over in one step)."""
    require(permissions.can_manage_people(actor, membership.organisation))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == role:
            return
        organisation = membership.organisation
        if membership.role == Role.REPRESENTATIVE:
            raise DomainError(
                _("Hand the representative's role to somebody else first: it is never empty.")
            )
        if role == Role.REPRESENTATIVE:
            Membership.objects.filter(organisation=organisation, role=Role.REPRESENTATIVE).update(
                role=Role.MEMBER
            )
        else:
            _check_role_free(organisation, role)
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        log_action(
            actor,
            "community.membership.role_changed",
            organisation,
            {"person": membership.user.email, "from": previous, "to": role},
        )


def remove_membership(membership: Membership, *, actor: User) -> None:
    require(permissions.can_manage_people(actor, membership.organisation))
    if membership.role == Role.REPRESENTATIVE:
        raise DomainError(
            _("Hand the representative's role to somebody else first: it is never empty.")
        )
    with transaction.atomic():
        log_action(
            actor,
            "community.membership.deleted",
            membership.organisation,
            {"person": membership.user.email, "role": membership.role},
        )
        membership.delete()


def _check_role_free(organisation: Organisation, role: str) -> None:
    if role == Role.SUBSTITUTE and organisation.memberships.filter(role=Role.SUBSTITUTE).exists():
        raise DomainError(_("This organisation already has a substitute."))


def update_profile(user: User, *, full_name: str, language: str, time_zone: str) -> list[str]:
    """Change a person's own name, language and time zone; returns the fields changed."""
    changes = {"full_name": full_name, "language": language, "time_zone": time_zone}
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    if not changed:
        return []
    with transaction.atomic():
        for field in changed:
            setattr(user, field, changes[field])
        user.save(update_fields=changed)
        log_action(user, "community.user.profile_changed", user, {"fields": changed})
    return changed


def request_password_reset(email: str) -> None:
    """Mail a set-password link to the active account with this address, if there is one.

    People who never set a password (their invitation expired) get one too. Called from a
    task: the page answers the same, in the same time, whether the address exists or not.
    """
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        return
    with transaction.atomic():
        log_action(None, "community.user.password_reset_requested", user)
        emails.send_password_reset(user)


def unique_organisation_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def hash_api_token(raw: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough, no slow password hash needed.
    return hashlib.sha256(raw.encode()).hexdigest()


API_TOKEN_LIFETIME = timedelta(days=365)  # unless its owner chooses otherwise


def create_api_token(
    user: User,
    *,
    name: str,
    expires_at: datetime.datetime | None = None,
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it with the only copy of its secret."""
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip(),
            prefix=raw[:12],
            token_hash=hash_api_token(raw),
            expires_at=expires_at or timezone.now() + API_TOKEN_LIFETIME,
            read_only=read_only,
        )
        log_action(user, "community.api_token.created", token)
    return token, raw


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    require(permissions.can_revoke_api_token(actor, token))
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if revoked:
            log_action(actor, "community.api_token.revoked", token)


def revoke_api_tokens_of(user: User, *, because: str) -> None:
    """Every token of ``user`` stops working: their password changed, or their account was
    closed (``because`` says which, in the audit trail)."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at=None))
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    for token in tokens:
        log_action(None, "community.api_token.revoked", token, {"because": because})


def api_token_for(raw: str) -> ApiToken | None:
    """The token, neither revoked nor expired, of an active person; None otherwise."""
    if not raw.startswith(API_TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.filter(token_hash=hash_api_token(raw), revoked_at=None, expires_at__gt=now)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # Record use at most once a minute: scripts polling the API should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_for_api_token(raw: str) -> Any:
    """The active person a valid token belongs to, or None."""
    token = api_token_for(raw)
    return token.user if token is not None else None
