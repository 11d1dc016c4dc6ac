"""Who may do what with meetings and decisions: plain predicates."""

from typing import Any

from komunigi.community.models import (
    VOTING_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    is_facilitator,
)
from komunigi.meetings.models import Attendance, Meeting, Visibility, is_member


def can_run_meetings(user: Any) -> bool:
    return is_facilitator(user)


def can_see_meeting(user: Any, meeting: Meeting) -> bool:
    return meeting.visibility == Visibility.PUBLIC or is_member(user)


def can_read_minutes(user: Any, meeting: Meeting) -> bool:
    """Facilitators read drafts; members of the community read approved minutes."""
    if can_run_meetings(user):
        return True
    return meeting.minutes_status == "published" and is_member(user)


def voting_supermarkets(user: Any) -> set[int]:
    """The member supermarkets whose vote ``user`` casts: as representative or substitute."""
    if not (user.is_authenticated and user.is_active):
        return set()
    return set(
        Membership.objects.filter(
            user=user,
            role__in=VOTING_ROLES,
            organisation__kind=OrganisationKind.SUPERMARKET,
            organisation__status=OrganisationStatus.MEMBER,
        ).values_list("organisation_id", flat=True)
    )


def supermarkets_user_votes_for(user: Any, meeting: Meeting) -> list[Organisation]:
    """Their own supermarkets — unless one gave its proxy here — plus the one whose proxy
    their supermarket carries."""
    own = voting_supermarkets(user)
    if not own:
        return []
    rows = Attendance.objects.filter(meeting=meeting)
    gave_away = set(
        rows.filter(organisation__in=own, proxy_holder__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    carried = set(rows.filter(proxy_holder__in=own).values_list("organisation_id", flat=True))
    return list(Organisation.objects.filter(pk__in=(own - gave_away) | carried).order_by("name"))
