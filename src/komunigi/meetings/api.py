from datetime import datetime

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from komunigi.community.api_auth import PERSONAL, PUBLIC, PUBLIC_OPENAPI
from komunigi.community.models import Organisation
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest
from komunigi.meetings import calendar, decisions, feeds, permissions
from komunigi.meetings.models import (
    Decision,
    DecisionBallot,
    DecisionStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Visibility,
    is_member,
)
from komunigi.pagination import ApiPages

router = Router(tags=["meetings"])


class MeetingSummaryOut(Schema):
    id: int
    kind: MeetingKind
    title: str
    starts_at: datetime
    duration: int = Field(description="Minutes")
    time_zone: str
    place: str
    video_url: str
    status: MeetingStatus
    visibility: Visibility
    url: str

    @staticmethod
    def resolve_url(obj: Meeting, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class BallotOut(Schema):
    organisation: str
    choice: str
    reason: str


class DecisionOut(Schema):
    id: int
    rule: str
    status: str
    outcome: str | None = Field(description="Once closed")
    counts: dict[str, int] | None
    objectors: list[str] | None
    supermarkets_represented: int | None
    ballots: list[BallotOut] | None = Field(description="Once closed")


class ItemOut(Schema):
    position: int
    kind: str
    title: str
    need: int | None
    decision: DecisionOut | None


class AttendanceOut(Schema):
    organisation: str
    person: str | None
    proxy_holder: str | None


class MeetingOut(MeetingSummaryOut):
    quorum: str = Field(description="Share of the member supermarkets to represent")
    online_voting: bool
    agenda: list[ItemOut]
    attendance: list[AttendanceOut]

    @staticmethod
    def resolve_quorum(obj: Meeting) -> str:
        return str(obj.quorum)

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[dict]:
        return [
            {
                "position": item.position,
                "kind": item.kind,
                "title": item.title,
                "need": item.need_id,
                "decision": _decision(item.decision) if item.is_decision else None,
            }
            for item in obj.items.select_related("decision").prefetch_related(
                Prefetch(
                    "decision__ballots",
                    DecisionBallot.objects.select_related("organisation").order_by(
                        "organisation__name"
                    ),
                )
            )
        ]

    @staticmethod
    def resolve_attendance(obj: Meeting) -> list[dict]:
        return [
            {
                "organisation": a.organisation.slug,
                "person": a.person.full_name if a.person else None,
                "proxy_holder": a.proxy_holder.slug if a.proxy_holder else None,
            }
            for a in obj.attendances.select_related("organisation", "person", "proxy_holder")
        ]


def _decision(decision: Decision) -> dict:
    closed = decision.status == DecisionStatus.CLOSED
    return {
        "id": decision.pk,
        "rule": decision.rule,
        "status": decision.status,
        "outcome": decision.outcome if closed else None,
        "counts": decision.counts if closed else None,
        "objectors": decision.objectors if closed else None,
        "supermarkets_represented": decision.represented if closed else None,
        "ballots": [
            {"organisation": b.organisation.slug, "choice": b.choice, "reason": b.reason}
            for b in decision.ballots.all()  # prefetched, by organisation name
        ]
        if closed
        else None,
    }


@router.get(
    "/meetings",
    response=list[MeetingSummaryOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List meetings",
)
@paginate(ApiPages, page_size=50)
def list_meetings(request: HttpRequest):
    """Meetings, latest first: public ones for everybody, all of them for members."""
    return Meeting.objects.visible_to(request.user)


def _ics(content: bytes | str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


@router.get(
    "/meetings/calendar.ics",
    auth=None,
    summary="Public meetings, as an iCalendar feed",
    url_name="meetings_calendar",
)
def public_calendar(request: HttpRequest) -> HttpResponse:
    meetings = Meeting.objects.filter(visibility=Visibility.PUBLIC).order_by("starts_at")
    return _ics(calendar.feed_calendar(meetings, url_for=request.build_absolute_uri))


@router.get(
    "/meetings/calendar/{token}.ics",
    auth=None,
    summary="A person's private iCalendar feed",
    url_name="private_calendar",
)
def private_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """Public meetings and the members-only ones this person is invited to."""
    user = feeds.user_for_feed_token(token)
    if user is None:
        raise HttpError(404, _("Unknown or replaced calendar address."))
    meetings = Meeting.objects.filter(visibility=Visibility.PUBLIC)
    if is_member(user):  # members-only meetings, for people still in the community
        meetings = meetings | Meeting.objects.filter(invitations__user=user)
    return _ics(
        calendar.feed_calendar(
            meetings.distinct().order_by("starts_at"), url_for=request.build_absolute_uri
        )
    )


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One meeting",
)
def get_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    """Its agenda, attendance, and decisions with their results once closed."""
    return get_object_or_404(Meeting.objects.visible_to(request.user), pk=meeting_id)


NO_NULL_CHARACTER = r"^[^\x00]*$"  # the database stores and compares no NUL character


class BallotIn(Schema):
    choice: str = Field(
        pattern=NO_NULL_CHARACTER,
        description="yes/no/abstain, or agree/stand_aside/object for consent",
    )
    reason: str = Field(
        "", max_length=2000, pattern=NO_NULL_CHARACTER, description="Why, for an objection"
    )
    organisation: str | None = Field(
        None,
        pattern=NO_NULL_CHARACTER,
        description="Slug of the supermarket voted for, when the caller votes for several",
    )


class BallotReceipt(Schema):
    organisation: str
    choice: str
    replaced: bool


class Problem(Schema):
    detail: str


@router.post(
    "/decisions/{decision_id}/ballot",
    response={200: BallotReceipt, 403: Problem, 409: Problem, 422: Problem},
    auth=PERSONAL,
    summary="Cast (or replace) a supermarket's ballot",
)
def cast_ballot(request: AuthenticatedHttpRequest, decision_id: int, payload: BallotIn) -> Status:
    """One supermarket, one ballot: a second call replaces the first while the decision is
    open. 403 for people without a vote, 409 once the decision is closed."""
    decision = get_object_or_404(Decision.objects.select_related("item__meeting"), pk=decision_id)
    meeting = decision.item.meeting
    if not permissions.can_see_meeting(request.user, meeting):
        raise HttpError(404, _("Not found."))
    supermarkets = permissions.supermarkets_user_votes_for(request.user, meeting)
    if payload.organisation:
        supermarkets = [o for o in supermarkets if o.slug == payload.organisation]
    if not supermarkets:
        return Status(403, {"detail": _("You cast no supermarket's ballot in this meeting.")})
    if len(supermarkets) > 1:
        return Status(
            422,
            {"detail": _("You vote on behalf of several supermarkets: say which (organisation).")},
        )
    supermarket: Organisation = supermarkets[0]
    try:
        _ballot, replaced = decisions.cast_ballot(
            decision, supermarket, actor=request.user, choice=payload.choice, reason=payload.reason
        )
    except DomainError as error:
        status = {decisions.CLOSED: 409, decisions.NOT_YOURS: 403}.get(error.code, 422)
        return Status(status, {"detail": error.message})
    return Status(
        200, {"organisation": supermarket.slug, "choice": payload.choice, "replaced": replaced}
    )
