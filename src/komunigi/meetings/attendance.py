"""Who is at a meeting, for which organisation, with whose proxy; and whether there is quorum."""

from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import (
    VOTING_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
)
from komunigi.errors import DomainError, require
from komunigi.meetings import tally
from komunigi.meetings.models import Attendance, Meeting, MeetingStatus
from komunigi.meetings.permissions import can_run_meetings


def is_voting_supermarket(organisation: Organisation) -> bool:
    return (
        organisation.kind == OrganisationKind.SUPERMARKET
        and organisation.status == OrganisationStatus.MEMBER
    )


def speaks_for(user: User, organisation: Organisation) -> bool:
    """A supermarket speaks through its representative or substitute; any other organisation
    (provider, partner …) through any of its people."""
    people = Membership.objects.filter(user=user, organisation=organisation)
    if organisation.kind == OrganisationKind.SUPERMARKET:
        people = people.filter(role__in=VOTING_ROLES)
    return people.exists()


def _lock_open_meeting(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.IN_SESSION):
        raise DomainError(_("This meeting is over."))
    return meeting


def record_attendance(
    meeting: Meeting,
    organisation: Organisation,
    *,
    actor: User,
    person: User | None = None,
    proxy_holder: Organisation | None = None,
) -> Attendance:
    """An organisation is represented: by one of its people (for a supermarket, its
    representative or substitute), or by another supermarket present in the room that
    carries no other proxy and gives none of its own."""
    require(can_run_meetings(actor))
    if person is not None and proxy_holder is not None:
        raise DomainError(_("Either a person in the room, or a proxy: not both."))
    if organisation.status != OrganisationStatus.MEMBER:
        raise DomainError(
            _("%(name)s is not a member of the community.") % {"name": organisation.name}
        )
    if person is not None and not speaks_for(person, organisation):
        raise DomainError(
            _("%(person)s does not speak for %(name)s.")
            % {"person": person.full_name, "name": organisation.name}
        )
    if proxy_holder is not None:
        if not (is_voting_supermarket(organisation) and is_voting_supermarket(proxy_holder)):
            raise DomainError(_("Proxies are given between member supermarkets."))
        if proxy_holder == organisation:
            raise DomainError(_("Choose another supermarket to carry the proxy."))
    with transaction.atomic():
        meeting = _lock_open_meeting(meeting)
        if proxy_holder is not None:
            holder = meeting.attendances.filter(organisation=proxy_holder).first()
            if holder is None or holder.proxy_holder_id is not None:
                raise DomainError(
                    _("%(name)s must be present itself to carry a proxy.")
                    % {"name": proxy_holder.name}
                )
            if meeting.attendances.filter(proxy_holder=organisation).exists():
                raise DomainError(
                    _("%(name)s carries a proxy itself: it cannot give its own.")
                    % {"name": organisation.name}
                )
        try:
            with transaction.atomic():
                attendance, _created = Attendance.objects.update_or_create(
                    meeting=meeting,
                    organisation=organisation,
                    defaults={"person": person, "proxy_holder": proxy_holder},
                )
        except IntegrityError:
            raise DomainError(
                _("%(name)s already carries another supermarket's proxy: one at most.")
                % {"name": proxy_holder.name if proxy_holder else ""}
            ) from None
        log_action(
            actor,
            "meetings.attendance.recorded",
            meeting,
            {
                "organisation": organisation.slug,
                "person": person.email if person else None,
                "proxy_holder": proxy_holder.slug if proxy_holder else None,
            },
        )
    return attendance


def remove_attendance(attendance: Attendance, *, actor: User) -> None:
    require(can_run_meetings(actor))
    with transaction.atomic():
        meeting = _lock_open_meeting(attendance.meeting)
        if Attendance.objects.filter(
            meeting=meeting, proxy_holder=attendance.organisation
        ).exists():
            raise DomainError(
                _("%(name)s carries a proxy: remove that one first.")
                % {"name": attendance.organisation.name}
            )
        log_action(
            actor,
            "meetings.attendance.removed",
            meeting,
            {"organisation": attendance.organisation.slug},
        )
        attendance.delete()


def member_supermarket_count() -> int:
    return Organisation.objects.member_supermarkets().count()


def quorum_base(meeting: Meeting) -> int:
    """The member supermarkets the quorum counts from: fixed when the meeting started, so a
    past meeting keeps its own whoever joined or left since; live while it is planned."""
    if meeting.quorum_base is not None:
        return meeting.quorum_base
    return member_supermarket_count()


def represented_supermarkets(meeting: Meeting) -> int:
    """Supermarkets in the room, in person or by proxy (only members are recorded present)."""
    return meeting.attendances.filter(organisation__kind=OrganisationKind.SUPERMARKET).count()


def quorum_reached(meeting: Meeting, represented: int | None = None) -> bool:
    if represented is None:
        represented = represented_supermarkets(meeting)
    return tally.quorum_reached(represented, quorum_base(meeting), Fraction(meeting.quorum))


def quorum_state(meeting: Meeting) -> dict[str, Any]:
    """What the room sees: supermarkets represented, of how many members, quorum or not."""
    represented, members = represented_supermarkets(meeting), quorum_base(meeting)
    reached = tally.quorum_reached(represented, members, Fraction(meeting.quorum))
    return {"represented": represented, "members": members, "quorum_reached": reached}
