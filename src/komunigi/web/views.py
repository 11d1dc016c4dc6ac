from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from komunigi.community.models import JoinRequest, JoinRequestStatus, Organisation
from komunigi.community.permissions import can_handle_join_requests
from komunigi.discussions import dashboard as discussions_dashboard
from komunigi.funding import dashboard as funding_dashboard
from komunigi.funding.estimates import estimate
from komunigi.funding.figures import curve_from, share_curve
from komunigi.http import AuthenticatedHttpRequest
from komunigi.meetings import dashboard as meetings_dashboard
from komunigi.meetings.models import Invitation, MeetingStatus
from komunigi.needs import dashboard as needs_dashboard
from komunigi.needs import permissions as needs_permissions
from komunigi.needs.roadmap import roadmap


def home(request: HttpRequest) -> HttpResponse:
    counts = {
        kind: Organisation.objects.members().filter(kind=kind).count()
        for kind in ("supermarket", "provider")
    }
    return render(request, "web/home.html", {"counts": counts})


def roadmap_page(request: HttpRequest) -> HttpResponse:
    """The latest round's order, then the other needs; with the best valid quote, what each
    interested supermarket would pay if a campaign opened with the defaults, and, until a
    campaign takes the need up, how that share would fall with up to five more (from the
    page's own rows: no query)."""
    latest, page = roadmap(request.GET.get("page"))
    rows = [
        (item, estimate(item.best_quote, item.interested) if item.best_quote else None)
        for item in page
    ]
    curves = {
        item.need.pk: share_curve(
            curve_from(found.to_raise, len(item.interested)),
            len(item.interested),
            figure_id=f"curve-{item.need.pk}",
        )
        for item, found in rows
        if found is not None and item.before_campaign
    }
    return render(
        request,
        "needs/roadmap.html",
        {"latest_round": latest, "rows": rows, "page": page, "curves": curves},
    )


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "memberships": user.memberships.select_related("organisation"),
        "campaigns_awaiting": funding_dashboard.campaigns_awaiting(user),
        "balances": funding_dashboard.balances(user),
        "votes_awaiting": meetings_dashboard.votes_awaiting(user),
        "invitations_to_answer": meetings_dashboard.invitations_to_answer(user),
        "needs_awaiting_interest": needs_dashboard.needs_awaiting_interest(user),
        "rounds_awaiting_ballot": needs_dashboard.rounds_awaiting_ballot(user),
        "estimates_awaiting": list(needs_dashboard.estimates_awaiting(user)),
        "lists_to_offer": discussions_dashboard.lists_to_offer(user),
        "stopped_deliveries": discussions_dashboard.stopped_deliveries(user),
        "held_count": discussions_dashboard.held_count(user),
        "invitations": list(
            Invitation.objects.filter(
                user=user, meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.IN_SESSION]
            )
            .select_related("meeting")
            .order_by("meeting__starts_at")
        ),
    }
    if can_handle_join_requests(user):
        pending = JoinRequest.objects.filter(status=JoinRequestStatus.PENDING)
        context["pending_join_requests"] = pending.order_by("created_at")[:5]
        context["pending_join_requests_count"] = pending.count()
    if needs_permissions.can_follow_stuck_needs(user):
        context["stuck_needs"] = list(needs_dashboard.stuck_needs())
    return render(request, "web/dashboard.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered as the person's preference when logged in."""
    # Django finds the page to come back to by resolving `next` in the active language; this
    # view has no language prefix, so activate the one of the page the switch was used on.
    next_path = urlsplit(request.POST.get("next", "")).path
    page_language = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    with translation.override(page_language):
        response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page too old (or from elsewhere): explain, in the page's language."""
    return render(request, "web/csrf_failure.html", status=403)
