from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komunigi.community.models import Organisation, OrganisationKind, User
from komunigi.errors import DomainError
from komunigi.formfields import narrowed, primary_key
from komunigi.http import AuthenticatedHttpRequest
from komunigi.meetings import attendance, decisions, feeds, permissions, services
from komunigi.meetings.charts import decision_figures
from komunigi.meetings.forms import (
    AttendanceForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    OpenDecisionForm,
    ReplyForm,
    RuleForm,
    VoteForm,
)
from komunigi.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionBallot,
    DecisionRule,
    DecisionStatus,
    Invitation,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    is_member,
)
from komunigi.pagination import paginate

MEETINGS_PER_PAGE = 20
PRESENT_PER_PAGE = 50
REPLIES_PER_PAGE = 50


def get_meeting_for_user(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting, pk=pk)
    if not permissions.can_see_meeting(request.user, meeting):
        raise Http404  # members-only meetings are not announced to visitors
    return meeting


def _facilitator_only(request: HttpRequest) -> None:
    if not permissions.can_run_meetings(request.user):
        raise PermissionDenied


def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = Meeting.objects.visible_to(request.user)
    upcoming = meetings.filter(
        status__in=[MeetingStatus.PLANNED, MeetingStatus.IN_SESSION]
    ).order_by("starts_at", "pk")
    past = meetings.filter(status__in=[MeetingStatus.CLOSED, MeetingStatus.CANCELLED]).order_by(
        "-starts_at", "-pk"
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": paginate(request, upcoming, MEETINGS_PER_PAGE, param="upcoming"),
            "past": paginate(request, past, MEETINGS_PER_PAGE),
            "can_run": permissions.can_run_meetings(request.user),
        },
    )


@login_required
def meeting_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _facilitator_only(request)
    form = MeetingForm(request.POST or None, facilitator=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = services.create_meeting(actor=request.user, **form.meeting_fields())
        messages.success(request, _("The meeting is planned. Prepare its agenda, then invite."))
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form})


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting, facilitator=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(
                Meeting.objects.get(pk=meeting.pk), actor=request.user, **form.meeting_fields()
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The meeting is updated; invitees got the new version."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_meeting(request, get_meeting_for_user(request, pk))


def _render_meeting(
    request: HttpRequest, meeting: Meeting, status: int = 200, **bound: Any
) -> HttpResponse:
    return render(request, "meetings/meeting_detail.html", _context(request, meeting, **bound),
                  status=status)  # fmt: skip


def meeting_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the meeting page that changes during the session (polled by htmx)."""
    meeting = get_meeting_for_user(request, pk)
    return render(request, "meetings/_live_state.html", _context(request, meeting, live=True))


def _context(
    request: HttpRequest, meeting: Meeting, live: bool = False, **bound: Any
) -> dict[str, Any]:
    """The meeting page's facts, bounded whatever the size of the community: counts of
    ballots rather than the ballots, a page of those present and of the replies, selects
    narrowed by a name in a large community. ``live``: only what the polled part shows."""
    user = request.user
    can_run = permissions.can_run_meetings(user)
    voting_for = permissions.supermarkets_user_votes_for(user, meeting)
    items = list(
        meeting.items.select_related("need", "maintenance_plan", "decision").annotate(
            ballot_count=Count("decision__ballots")
        )
    )
    decision_ids = [item.decision.pk for item in items if item.is_decision]
    # The ballots this person's supermarkets cast (to show their choice), not everybody's.
    ballots: dict[int, dict[int, Any]] = {pk: {} for pk in decision_ids}
    for ballot in DecisionBallot.objects.filter(
        decision__in=decision_ids, organisation__in=[o.pk for o in voting_for]
    ):
        ballots[ballot.decision_id][ballot.organisation_id] = ballot
    invitation = (
        meeting.invitations.select_related("organisation", "proxy_to").filter(user=user).first()
        if user.is_authenticated
        else None
    )
    present = set(meeting.attendances.values_list("organisation_id", flat=True))
    quorum = attendance.quorum_state(meeting)
    attendances = paginate(
        request,
        meeting.attendances.select_related("organisation", "person", "proxy_holder").order_by(
            "organisation__name"
        ),
        PRESENT_PER_PAGE,
        param="present",
    )
    context = {
        "meeting": meeting,
        "items": items,
        "ballots": ballots,
        "attendances": attendances,
        "voting": {
            item.decision.pk: decisions.voting_state(item.decision, voting_for, present)
            for item in items
            if item.is_decision and item.decision.status == DecisionStatus.OPEN
        },
        # The charts of the decisions counted, from the facts above: no query of their own.
        "results": {
            item.decision.pk: decision_figures(
                item.decision, members=quorum["members"], quorum=meeting.quorum
            )
            for item in items
            if item.is_decision
        },
        **quorum,
        "can_run": can_run,
        "voting_for": voting_for,
        "invitation": invitation,
        "reply_form": ReplyForm(own=invitation.organisation, find=request.GET.get("proxy_find", ""))
        if invitation and not live
        else None,
        "item_form": ItemForm(find=request.GET.get("need_find", ""))
        if can_run and not live
        else None,
        "open_form": OpenDecisionForm(meeting=meeting),
        "rules": DecisionRule.choices,
    }
    if can_run and not live:  # the polled part shows no form
        room, narrow_room = narrowed(
            Organisation.objects.filter(kind=OrganisationKind.SUPERMARKET, pk__in=present).order_by(
                "name"
            ),
            request.GET.get("room", ""),
        )
        context.update(
            {
                "attendance_form": AttendanceForm(
                    meeting=meeting,
                    find=request.GET.get("find", ""),
                    holder=request.GET.get("holder", ""),
                )
                if meeting.is_open
                else None,
                "room_supermarkets": room,
                "narrow_room": narrow_room,
                "replies": paginate(
                    request,
                    meeting.invitations.select_related("user", "organisation", "proxy_to").order_by(
                        "organisation__name", "user__full_name"
                    ),
                    REPLIES_PER_PAGE,
                    param="replies",
                ),
            }
        )
    context.update(bound)
    return context


def _act(
    request: HttpRequest, meeting: Meeting, action: Callable[[], Any], success: str
) -> HttpResponse:
    """Run a facilitator's action; its refusal comes back as a message on the same page."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(meeting)


@login_required
@require_POST
def meeting_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.send_invitations(meeting, actor=request.user),
        _("The invitations are on their way, with the meeting for calendars."),
    )


@login_required
@require_POST
def meeting_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.start_meeting(meeting, actor=request.user),
        _("The meeting is in session."),
    )


@login_required
@require_POST
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.cancel_meeting(meeting, actor=request.user),
        _("The meeting is cancelled and the invitees told."),
    )


@login_required
@require_POST
def meeting_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.close_meeting(meeting, actor=request.user),
        _("The meeting is closed; its minutes are drafted."),
    )


@login_required
@require_POST
def meeting_prepare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.prepare_agenda(meeting, actor=request.user),
        _("The top of the roadmap with a valid quote is on the agenda."),
    )


@login_required
@require_POST
def meeting_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    invitation = get_object_or_404(Invitation, meeting=meeting, user=request.user)
    form = ReplyForm(request.POST, own=invitation.organisation)
    if not form.is_valid():
        return _render_meeting(request, meeting, status=400, reply_form=form)
    try:
        services.reply(
            invitation,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            proxy_to=form.cleaned_data["proxy_to"],
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_meeting(request, meeting, status=409, reply_form=form)
    messages.success(request, _("Your answer is recorded."))
    return redirect(meeting)


@login_required
@require_POST
def attendance_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    form = AttendanceForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _render_meeting(request, meeting, status=400, attendance_form=form)
    try:
        attendance.record_attendance(
            meeting,
            form.cleaned_data["organisation"],
            actor=request.user,
            person=form.cleaned_data["person"],
            proxy_holder=form.cleaned_data["proxy_holder"],
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_meeting(request, meeting, status=409, attendance_form=form)
    messages.success(request, _("The attendance is recorded."))
    return redirect(meeting.get_absolute_url() + "#attendance")


@login_required
@require_POST
def attendance_remove(
    request: AuthenticatedHttpRequest, pk: int, attendance_id: int
) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    item = get_object_or_404(Attendance, pk=attendance_id, meeting=meeting)
    return _act(
        request,
        meeting,
        lambda: attendance.remove_attendance(item, actor=request.user),
        _("The attendance is removed."),
    )


@login_required
@require_POST
def item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _render_meeting(request, meeting, status=400, item_form=form)
    try:
        services.add_item(
            meeting,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            need=form.cleaned_data["need"],
            maintenance_plan=form.cleaned_data["maintenance_plan"],
            notes=form.cleaned_data["notes"],
            rule=form.cleaned_data["rule"] or "majority",
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_meeting(request, meeting, status=409, item_form=form)
    messages.success(request, _("The item is on the agenda."))
    return redirect(meeting.get_absolute_url() + "#agenda")


@login_required
@require_POST
def item_remove(request: AuthenticatedHttpRequest, pk: int, item_id: int) -> HttpResponse:
    _facilitator_only(request)
    meeting = get_meeting_for_user(request, pk)
    agenda_item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    return _act(
        request,
        meeting,
        lambda: services.remove_item(agenda_item, actor=request.user),
        _("The item is off the agenda."),
    )


def _decision(request: HttpRequest, pk: int) -> tuple[Decision, Meeting]:
    decision = get_object_or_404(Decision.objects.select_related("item__meeting"), pk=pk)
    meeting = get_meeting_for_user(request, decision.item.meeting_id)
    return decision, meeting


@login_required
@require_POST
def decision_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    decision, meeting = _decision(request, pk)
    form = OpenDecisionForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _render_meeting(request, meeting, status=400, open_form=form)
    return _act(
        request,
        meeting,
        lambda: decisions.open_decision(
            decision, actor=request.user, online_until=form.cleaned_data["online_until"]
        ),
        _("The vote is open."),
    )


@login_required
@require_POST
def decision_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    decision, meeting = _decision(request, pk)
    postpone = "postpone" in request.POST
    return _act(
        request,
        meeting,
        lambda: decisions.close_decision(decision, actor=request.user, postpone=postpone),
        _("The decision is postponed.") if postpone else _("The votes are counted."),
    )


@login_required
@require_POST
def decision_rule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    decision, meeting = _decision(request, pk)
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This rule does not exist."))
        return redirect(meeting.get_absolute_url() + f"#item-{decision.item_id}")
    return _act(
        request,
        meeting,
        lambda: decisions.change_rule(decision, actor=request.user, rule=form.cleaned_data["rule"]),
        _("The rule is changed."),
    )


@login_required
@require_POST
def decision_vote(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision, meeting = _decision(request, pk)
    for_the_room = "for_the_room" in request.POST and permissions.can_run_meetings(request.user)
    if for_the_room:
        supermarkets = Organisation.objects.filter(
            pk__in=meeting.attendances.values("organisation")
        )
    else:
        supermarkets = Organisation.objects.filter(
            pk__in=[o.pk for o in permissions.supermarkets_user_votes_for(request.user, meeting)]
        )
        if not supermarkets.exists():
            raise PermissionDenied
    form = VoteForm(request.POST, choices=decision.choices, supermarkets=supermarkets)
    if not form.is_valid():
        return _render_meeting(
            request, meeting, status=400, vote_form=form, vote_error_for=decision.pk
        )
    supermarket = form.cleaned_data["organisation"]
    try:
        _ballot, replaced = decisions.cast_ballot(
            decision,
            supermarket,
            actor=request.user,
            choice=form.cleaned_data["choice"],
            reason=form.cleaned_data["reason"],
            for_the_room=for_the_room,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_meeting(
            request, meeting, status=409, vote_form=form, vote_error_for=decision.pk
        )
    message = (
        _("The vote of %(name)s replaced its previous one.")
        if replaced
        else _("The vote of %(name)s is recorded.")
    )
    messages.success(request, message % {"name": supermarket.name})
    return redirect(meeting.get_absolute_url() + f"#item-{decision.item_id}")


def minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    can_run = permissions.can_run_meetings(request.user)
    published = meeting.minutes_status == MinutesStatus.PUBLISHED
    if not permissions.can_read_minutes(request.user, meeting):
        raise Http404  # minutes are for members, once approved
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        actor = cast(User, request.user)  # a facilitator, so a person: nobody anonymous
        if "approve" in request.POST:
            chosen = primary_key(request.POST.get("approved_at"))
            at = _later_meetings(meeting).filter(pk=chosen).first() if chosen else None
            return _act(
                request,
                meeting,
                lambda: services.approve_minutes(meeting, actor=actor, at=at),
                _("The minutes are approved and published to members."),
            )
        if form.is_valid():
            try:
                services.save_minutes(meeting, actor=actor, text=form.cleaned_data["minutes"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The minutes are saved."))
                return redirect("meeting_minutes", pk=meeting.pk)
    counted = [
        item
        for item in meeting.items.select_related("decision")
        if item.is_decision and item.decision.status == DecisionStatus.CLOSED
    ]
    members = attendance.quorum_base(meeting)
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "form": form,
            "can_run": can_run,
            "published": published,
            "later_meetings": _later_meetings(meeting)[:5],
            "results": [
                (item, decision_figures(item.decision, members=members, quorum=meeting.quorum))
                for item in counted
            ],
        },
    )


def _later_meetings(meeting: Meeting):
    """The meetings that may approve these minutes: held after this one, not cancelled."""
    return (
        Meeting.objects.filter(starts_at__gt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
    )


def calendar_page(request: HttpRequest) -> HttpResponse:
    """The public calendar address for everybody; members also get their private one (a new
    secret on demand)."""
    new_token = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_member(request.user):
            raise PermissionDenied
        if "revoke" in request.POST:
            feeds.revoke_feed(request.user)
            messages.success(request, _("Your private calendar address no longer works."))
            return redirect("meetings_calendar")
        new_token = feeds.feed_token(request.user)
    response = render(
        request,
        "meetings/calendar.html",
        {
            "new_token": new_token,
            "is_member": is_member(request.user),
            "has_feed": request.user.is_authenticated and hasattr(request.user, "calendar_feed"),
        },
    )
    if new_token:
        response["Cache-Control"] = "no-store"
    return response
