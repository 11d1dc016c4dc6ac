"""Who may see and change which modules an organisation runs, and turn a plan into a need."""

from typing import Any

from komunigi.community.models import Organisation, OrganisationStatus, User, is_facilitator


def can_manage_modules(user: Any, organisation: Organisation) -> bool:
    """The organisation's representatives (and substitutes), or a facilitator."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_facilitator(user):
        return True
    return (
        organisation.status == OrganisationStatus.MEMBER
        and User.objects.speaking_for([organisation]).filter(pk=user.pk).exists()
    )


def can_see_modules(user: Any, organisation: Organisation, hidden: bool) -> bool:
    """Public unless the organisation hides it; its own people and facilitators see it."""
    if not hidden or is_facilitator(user):
        return True
    return bool(user.is_authenticated and organisation.memberships.filter(user_id=user.pk).exists())


def can_propose_migration(user: Any) -> bool:
    """It records supermarkets as interested on their behalf: facilitators only."""
    return bool(user.is_authenticated and user.is_active and is_facilitator(user))


def can_see_all_lists(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)) and is_facilitator(
        user
    )


def can_manage_repositories(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and is_facilitator(user))


def lists_hidden_from(user: Any) -> set[int]:
    """The organisations whose lists of modules ``user`` may not see: those that hide them,
    except the user's own; none for facilitators."""
    from komunigi.commons.models import ModuleList

    if can_see_all_lists(user):
        return set()
    hidden = set(ModuleList.objects.filter(hidden=True).values_list("organisation", flat=True))
    if hidden and getattr(user, "is_authenticated", False):
        hidden -= set(user.memberships.values_list("organisation_id", flat=True))
    return hidden
