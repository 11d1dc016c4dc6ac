"""The migration planner: a source and a target series, what is missing, in which order."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komunigi.commons import manifests, permissions, plans
from komunigi.community.models import Organisation
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest
from komunigi.needs import permissions as need_permissions
from komunigi.pagination import paginate

STEPS_PER_PAGE = 100
READY_SHOWN = 100


def _chosen(request: HttpRequest, data: dict) -> tuple[str, str, list[str]]:
    """The source and target series asked for, the latest two known by default."""
    known = plans.known_series()
    source, target = data.get("source", ""), data.get("target", "")
    if not manifests.SERIES.match(source):
        source = known[-2] if len(known) > 1 else ""
    if not manifests.SERIES.match(target):
        target = known[-1] if known else ""
    return source, target, known


def planner(request: HttpRequest) -> HttpResponse:
    source, target, known = _chosen(request, request.GET)
    the_plan = plans.plan(source, target, viewer=request.user) if source and target else None
    proposing: list[Organisation] = []
    if permissions.can_propose_migration(request.user):
        proposing = list(need_permissions.organisations_proposing_for(request.user))
    return render(
        request,
        "commons/migration.html",
        {
            "plan": the_plan,
            # The order in pages of 100 steps; the CSV and the API give it whole.
            "page": paginate(request, the_plan.missing if the_plan else [], STEPS_PER_PAGE),
            "ready_shown": the_plan.ready[:READY_SHOWN] if the_plan else [],
            "source": source,
            "target": target,
            "known": known,
            "same": source == target,
            "proposing": proposing,
        },
    )


def plan_csv(request: HttpRequest) -> HttpResponse:
    source, target, _known = _chosen(request, request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="komunigi-migration-{source}-{target}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["step", "technical_name", "on_target", "supermarkets", "runs_it", "depended_on_by",
         "in_a_cycle"]
    )  # fmt: skip
    if source and target:
        the_plan = plans.plan(source, target, viewer=request.user)
        for planned in the_plan.missing + the_plan.ready:
            writer.writerow(
                [
                    planned.step or "",
                    planned.module.technical_name,
                    "no" if planned.step else "yes",
                    planned.supermarkets,
                    ", ".join(o.name for o in planned.runners),
                    " ".join(planned.dependents),
                    "yes" if planned.in_cycle else "no",
                ]
            )
    return response


@login_required
@require_POST
def propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_propose_migration(request.user):
        raise PermissionDenied
    source, target, _known = _chosen(request, request.POST)
    chosen = request.POST.get("organisation", "")
    organisation = (
        need_permissions.organisations_proposing_for(request.user).filter(pk=chosen).first()
        if chosen.isdigit()
        else None
    )
    back = redirect(f"{reverse('migration_planner')}?source={source}&target={target}")
    if organisation is None:
        messages.error(request, _("Choose the organisation that proposes the need."))
        return back
    # As the public sees it: a supermarket that hides its list is not named for it.
    the_plan = plans.plan(source, target)
    try:
        need = plans.propose_migration(the_plan, actor=request.user, organisation=organisation)
    except DomainError as error:
        messages.error(request, error.message)
        return back
    messages.success(
        request, _("The migration need is proposed, with the supermarkets that run its modules.")
    )
    return redirect(need)
