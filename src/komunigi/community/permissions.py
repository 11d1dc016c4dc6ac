"""Who may do what in the community directory: plain predicates, tested one by one."""

from typing import Any

from komunigi.community.models import (
    ApiToken,
    Organisation,
    OrganisationStatus,
    Role,
    User,
    is_facilitator,
    visible_statuses,
)

__all__ = ["is_facilitator"]


def can_handle_join_requests(user: Any) -> bool:
    return is_facilitator(user)


def can_see_organisation(user: Any, organisation: Organisation) -> bool:
    return organisation.status in visible_statuses(user)


def can_manage_people(user: Any, organisation: Organisation) -> bool:
    """The organisation's representative, or a facilitator, adds and removes its people."""
    if is_facilitator(user):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and organisation.status == OrganisationStatus.MEMBER
        and organisation.memberships.filter(user=user, role=Role.REPRESENTATIVE).exists()
    )


def can_revoke_api_token(user: Any, token: ApiToken) -> bool:
    return bool(user.is_authenticated and token.user_id == user.pk)


def can_manage_account(user: Any, account: User) -> bool:
    """In the admin: superusers manage everybody; facilitators only people without powers.

    Site administrators, facilitators and superusers can only be changed by a superuser, so
    no facilitator can take over an account that holds more power than an ordinary one.
    """
    if user.is_superuser:
        return True
    privileged = account.is_superuser or account.is_staff or account.is_facilitator
    return is_facilitator(user) and not privileged
