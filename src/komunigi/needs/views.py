from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from komunigi.audit.services import events_for
from komunigi.community.models import Organisation, is_facilitator
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest, uploaded_file_response
from komunigi.needs import lifecycle, permissions, rounds, services
from komunigi.needs.forms import (
    AttachmentForm,
    BallotForm,
    CommentForm,
    EstimateAssignmentForm,
    EstimateHoursForm,
    InterestForm,
    NeedForm,
    QuoteForm,
    RoundForm,
    StatusForm,
    allowed_statuses,
)
from komunigi.needs.models import (
    Attachment,
    Ballot,
    EstimateAssignment,
    Need,
    NeedStatus,
    Priority,
    PriorityRound,
    Quote,
    Tag,
    counts_as_supermarket,
)
from komunigi.pagination import paginate
from komunigi.web import charts
from komunigi.web.figures import Figure

NEEDS_PER_PAGE = 30
ROUNDS_PER_PAGE = 20


def get_need_for_user(request: HttpRequest, pk: int) -> Need:
    """The need, or 404 when it does not exist or is a draft of somebody else's organisation."""
    need = get_object_or_404(Need.objects.select_related("organisation", "author"), pk=pk)
    if not permissions.can_see_need(request.user, need):
        raise Http404
    return need


def need_list(request: HttpRequest) -> HttpResponse:
    needs = (
        Need.objects.visible_to(request.user)
        .select_related("organisation")
        .prefetch_related("tags")
        .with_interest_count()
        .order_by("-status_changed_at", "-pk")
    )
    status = request.GET.get("status", "")
    if status in NeedStatus.values:
        needs = needs.filter(status=status)
    tag = request.GET.get("tag", "")
    if tag:
        needs = needs.filter(tags__slug=tag)
    organisation = request.GET.get("organisation", "")
    if organisation:
        needs = needs.filter(organisation__slug=organisation)
    page = paginate(request, needs, NEEDS_PER_PAGE)
    return render(
        request,
        "needs/need_list.html",
        {
            "page": page,
            "statuses": NeedStatus.choices,
            # Only tags of needs this person may see: a draft's tags are its own business.
            "tags": Tag.objects.filter(needs__in=Need.objects.visible_to(request.user)).distinct(),
            "filters": {"status": status, "tag": tag, "organisation": organisation},
            "followed_tag": _followed_tag(request, tag),
            "can_propose": permissions.can_propose_need(request.user),
        },
    )


def _followed_tag(request: HttpRequest, slug: str) -> dict[str, Any] | None:
    """The filtered tag, and whether the person follows it (for the follow button)."""
    if not slug or not request.user.is_authenticated:
        return None
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        return None
    return {"tag": tag, "following": tag.follows.filter(user=request.user).exists()}


@login_required
def need_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = permissions.organisations_proposing_for(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = NeedForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        need = services.create_need(
            author=request.user,
            organisation=form.cleaned_data["organisation"],
            title=form.cleaned_data["title"],
            problem=form.cleaned_data["problem"],
            expected_outcome=form.cleaned_data["expected_outcome"],
            tags=form.cleaned_data["tags_text"],
            odoo_series=form.cleaned_data["odoo_series"],
            publish="publish" in request.POST,
        )
        if need.status == lifecycle.DRAFT:
            messages.success(request, _("Your draft is saved: only your organisation sees it."))
        else:
            messages.success(request, _("Your need is published."))
        return redirect(need)
    return render(request, "needs/need_form.html", {"form": form})


@login_required
def need_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    if not permissions.can_edit_need(request.user, need):
        raise PermissionDenied
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        services.update_need(
            need,
            actor=request.user,
            title=form.cleaned_data["title"],
            problem=form.cleaned_data["problem"],
            expected_outcome=form.cleaned_data["expected_outcome"],
            tags=form.cleaned_data["tags_text"],
            odoo_series=form.cleaned_data["odoo_series"],
        )
        messages.success(request, _("The need is updated."))
        return redirect(need)
    return render(request, "needs/need_form.html", {"form": form, "need": need})


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_need(request, get_need_for_user(request, pk))


def _render_need(
    request: HttpRequest, need: Need, status: int = 200, **bound_forms: Any
) -> HttpResponse:
    """The need page; a form sent with errors comes back bound, with what was typed."""
    user = request.user
    supermarkets = permissions.supermarkets_speaking_through(user)
    providers = permissions.providers_quoting_through(user)
    statuses = allowed_statuses(need, lambda s: permissions.can_change_status(user, need, s))
    interests = list(need.interests.select_related("organisation").order_by("organisation__name"))
    own_interests = {i.organisation_id: i for i in interests}
    quotes = list(need.quotes.select_related("provider").order_by("status", "amount"))
    context = {
        "need": need,
        "interests": interests,
        "supermarket_count": sum(1 for i in interests if counts_as_supermarket(i.organisation)),
        "own_interests": [own_interests[s.pk] for s in supermarkets if s.pk in own_interests],
        "quotes": quotes,
        "estimates": list(need.estimates.select_related("provider")),
        "comments": list(need.comments.select_related("author")),
        "attachments": list(need.attachments.all()),
        # The digital commons' modules it touches or produced (the commons app links them).
        "modules": list(need.module_links.select_related("module")),
        "history": _history(need),
        "can_edit": permissions.can_edit_need(user, need),
        "can_follow": permissions.can_follow(user, need),
        "following": user.is_authenticated and need.follows.filter(user=user).exists(),
        "can_comment": permissions.can_comment(user, need),
        "can_request_estimate": permissions.can_request_estimate(user, need)
        and need.estimate_requested_at is None,
        "can_assign_estimate": permissions.can_assign_estimate(user)
        and need.status in (lifecycle.OPEN, lifecycle.QUOTED),
        "provider_ids": set(providers.values_list("pk", flat=True)),
        "is_facilitator": is_facilitator(user),
        "co_financing_statuses": lifecycle.CO_FINANCING,
        "status_form": StatusForm(allowed=statuses) if statuses else None,
        "held_by": _held_by(need),
        "interest_form": InterestForm(
            supermarkets=supermarkets, initial=_interest_initial(supermarkets, own_interests)
        )
        if need.status in lifecycle.ACTIVE and supermarkets.exists()
        else None,
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "quote_form": QuoteForm(providers=providers)
        if providers.exists() and need.status in (lifecycle.OPEN, lifecycle.QUOTED)
        else None,
        "estimate_form": EstimateAssignmentForm(),
        "hours_form": EstimateHoursForm(),
    }
    context.update(bound_forms)
    return render(request, "needs/need_detail.html", context, status=status)


def _held_by(need: Need) -> Any:
    """The meeting whose decision, or the campaign whose pledges, the need waits for."""
    if need.status == lifecycle.SCHEDULED:
        item = need.agenda_items.select_related("meeting").order_by("-pk").first()
        return item.meeting if item else None
    if need.status == lifecycle.FUNDING:
        return need.campaigns.filter(status="collecting").first()
    return None


def _interest_initial(supermarkets: Any, own: dict[int, Any]) -> dict[str, Any]:
    """The form starts from what the person's first supermarket already said, if anything."""
    first = supermarkets.first()
    interest = own.get(first.pk) if first else None
    if interest is None:
        return {"organisation": first, "priority": Priority.SHOULD}
    return {"organisation": first, "priority": interest.priority, "comment": interest.comment}


def _history(need: Need) -> list[dict[str, Any]]:
    """The need's status changes, oldest first: who, when, from, to, why."""
    automatic = {
        services.WHY_VALID_QUOTE: _("A valid quote was given."),
        services.WHY_NO_VALID_QUOTE: _("No valid quote left."),
    }
    return [
        {
            "at": event.created_at,
            "by": event.actor_label,
            "from": NeedStatus(event.data["from"]).label,
            "to": NeedStatus(event.data["to"]).label,
            "reason": event.data.get("reason") or automatic.get(event.data.get("why", ""), ""),
        }
        for event in reversed(list(events_for(need).filter(action="needs.need.status_changed")))
    ]


def _redirect_with(request: HttpRequest, need: Need, message: str, anchor: str = "") -> Any:
    messages.success(request, message)
    return redirect(need.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def need_follow(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    if request.POST.get("follow") == "0":
        services.unfollow_need(need, user=request.user)
        return _redirect_with(request, need, _("You no longer follow this need."), "follow")
    services.follow_need(need, user=request.user)
    return _redirect_with(
        request, need, _("You follow this need: you will be told what happens to it."), "follow"
    )


@login_required
@require_POST
def tag_follow(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    if request.POST.get("follow") == "0":
        services.unfollow_tag(tag, user=request.user)
        messages.success(request, _("You no longer follow the tag “%(tag)s”.") % {"tag": tag})
    else:
        services.follow_tag(tag, user=request.user)
        messages.success(
            request,
            _("You follow the tag “%(tag)s”: each new need with it will be notified to you.")
            % {"tag": tag},
        )
    return redirect(reverse("needs") + f"?tag={tag.slug}")


@login_required
@require_POST
def need_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    # Any status is read: the service says whether this person may make this move, and why not.
    form = StatusForm(request.POST, allowed=NeedStatus.values)
    try:
        if not form.is_valid():
            raise DomainError(_("Choose the new status from the list."))
        need = services.change_status(
            need,
            form.cleaned_data["status"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        # Shown again with the statuses this person may choose, and what they wrote.
        offered = allowed_statuses(
            need, lambda s: permissions.can_change_status(request.user, need, s)
        )
        if not offered:
            messages.error(request, error.message)
            return _render_need(request, need, status=409, status_form=None)
        shown = StatusForm(request.POST, allowed=offered)
        shown.is_valid()
        shown.add_error(None, error.message)
        return _render_need(request, need, status=409, status_form=shown)
    return _redirect_with(
        request, need, _("The need is now “%(status)s”.") % {"status": need.get_status_display()}
    )


@login_required
@require_POST
def need_interest(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    supermarkets = permissions.supermarkets_speaking_through(request.user)
    form = InterestForm(request.POST, supermarkets=supermarkets)
    if "withdraw" in request.POST:
        supermarket = get_object_or_404(supermarkets, pk=request.POST.get("organisation"))
        try:
            services.withdraw_interest(need, supermarket, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(need.get_absolute_url() + "#interest")
        return _redirect_with(
            request,
            need,
            _("%(name)s no longer says it needs this.") % {"name": supermarket.name},
            "interest",
        )
    if not form.is_valid():
        return _render_need(request, need, status=400, interest_form=form)
    supermarket = form.cleaned_data["organisation"]
    if not permissions.can_express_interest(request.user, need, supermarket):
        raise PermissionDenied
    try:
        services.express_interest(
            need,
            supermarket,
            actor=request.user,
            priority=form.cleaned_data["priority"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_need(request, need, status=409, interest_form=form)
    return _redirect_with(
        request, need, _("%(name)s needs this too: noted.") % {"name": supermarket.name}, "interest"
    )


@login_required
@require_POST
def need_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    if not permissions.can_comment(request.user, need):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_need(request, need, status=400, comment_form=form)
    comment = services.add_comment(need, author=request.user, body=form.cleaned_data["body"])
    return _redirect_with(request, need, _("Your comment is posted."), f"comment-{comment.pk}")


@login_required
@require_POST
def need_attachment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    if not permissions.can_edit_need(request.user, need):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_need(request, need, status=400, attachment_form=form)
    try:
        services.add_attachment(
            need,
            actor=request.user,
            upload=form.cleaned_data["file"],
            content_type=form.content_type,
            extension=form.extension,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_need(request, need, status=409, attachment_form=form)
    return _redirect_with(request, need, _("The file is attached."), "attachments")


def need_attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    need = get_need_for_user(request, pk)
    item = get_object_or_404(Attachment, pk=attachment, need=need)
    return uploaded_file_response(
        item.file, content_type=item.content_type, filename=item.file.name.rsplit("/", 1)[-1]
    )


@login_required
@require_POST
def need_attachment_delete(
    request: AuthenticatedHttpRequest, pk: int, attachment: int
) -> HttpResponse:
    need = get_need_for_user(request, pk)
    if not permissions.can_edit_need(request.user, need):
        raise PermissionDenied
    item = get_object_or_404(Attachment, pk=attachment, need=need)
    services.delete_attachment(item, actor=request.user)
    return _redirect_with(request, need, _("The file is removed."), "attachments")


@login_required
@require_POST
def quote_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    providers = permissions.providers_quoting_through(request.user)
    form = QuoteForm(request.POST, providers=providers)
    if not form.is_valid():
        return _render_need(request, need, status=400, quote_form=form)
    provider = form.cleaned_data["provider"]
    if not permissions.can_quote(request.user, need, provider):
        raise PermissionDenied
    try:
        services.add_quote(
            need,
            provider,
            author=request.user,
            amount=form.cleaned_data["amount"],
            provider_contribution=form.cleaned_data["provider_contribution"],
            scope=form.cleaned_data["scope"],
            estimated_days=form.cleaned_data["estimated_days"],
            valid_until=form.cleaned_data["valid_until"],
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_need(request, need, status=409, quote_form=form)
    return _redirect_with(request, need, _("The quote is added."), "quotes")


@login_required
@require_POST
def quote_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(Quote.objects.select_related("need"), pk=pk)
    need = get_need_for_user(request, quote.need_id)
    if not permissions.can_withdraw_quote(request.user, quote):
        raise PermissionDenied
    try:
        services.withdraw_quote(quote, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(need.get_absolute_url() + "#quotes")
    return _redirect_with(request, need, _("The quote is withdrawn."), "quotes")


@login_required
@require_POST
def estimate_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    if not permissions.can_request_estimate(request.user, need):
        raise PermissionDenied
    services.request_estimate(need, actor=request.user)
    return _redirect_with(
        request, need, _("An estimate is requested: a facilitator will ask a provider."), "quotes"
    )


@login_required
@require_POST
def estimate_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    if not permissions.can_assign_estimate(request.user):
        raise PermissionDenied
    form = EstimateAssignmentForm(request.POST)
    if not form.is_valid():
        return _render_need(request, need, status=400, estimate_form=form)
    try:
        services.assign_estimate(
            need,
            form.cleaned_data["provider"],
            actor=request.user,
            hours_budget=form.cleaned_data["hours_budget"],
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_need(request, need, status=409, estimate_form=form)
    return _redirect_with(request, need, _("The estimate is assigned."), "quotes")


@login_required
@require_POST
def estimate_hours(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(EstimateAssignment.objects.select_related("need"), pk=pk)
    need = get_need_for_user(request, assignment.need_id)
    if not permissions.is_in(request.user, assignment.provider_id):
        raise PermissionDenied
    form = EstimateHoursForm(request.POST)
    if form.is_valid():
        try:
            services.record_estimate_hours(
                assignment, actor=request.user, hours_spent=form.cleaned_data["hours_spent"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _render_need(
            request, need, status=400, hours_form=form, hours_form_for=assignment.pk
        )
    return _redirect_with(request, need, _("The hours spent are recorded."), "quotes")


def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "needs/round_list.html",
        {
            "rounds": paginate(
                request,
                PriorityRound.objects.annotate(ballot_count=Count("ballots")).order_by(
                    "-created_at", "-pk"
                ),
                ROUNDS_PER_PAGE,
            ),
            "can_open": permissions.can_run_rounds(request.user),
        },
    )


@login_required
def round_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_run_rounds(request.user):
        raise PermissionDenied
    form = RoundForm(request.POST or None, find=request.GET.get("find", ""))
    if request.method == "POST" and form.is_valid():
        try:
            priority_round = rounds.open_round(
                actor=request.user,
                title=form.cleaned_data["title"],
                candidates=list(form.cleaned_data["candidates"]),
                deadline=form.cleaned_data["deadline"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The round is open: supermarkets can rank the needs."))
            return redirect(priority_round)
    return render(request, "needs/round_form.html", {"form": form})


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_round(request, get_object_or_404(PriorityRound, pk=pk))


def _render_round(
    request: HttpRequest,
    priority_round: PriorityRound,
    ballot_form: BallotForm | None = None,
    status: int = 200,
) -> HttpResponse:
    candidates = list(priority_round.candidates.select_related("organisation").order_by("pk"))
    supermarkets = permissions.supermarkets_voting_through(request.user)
    own_ballots = {
        b.organisation_id: b
        for b in Ballot.objects.filter(round=priority_round, organisation__in=supermarkets)
    }
    if ballot_form is None and priority_round.accepts_ballots() and supermarkets.exists():
        first = supermarkets.first()
        ballot_form = BallotForm(
            candidates=candidates,
            supermarkets=supermarkets,
            initial=_initial_ranks(own_ballots.get(first.pk) if first else None, first),
        )
    by_id = {need.pk: need for need in candidates}
    context = {
        "round": priority_round,
        "candidates": candidates,
        "by_id": by_id,
        "ballot_count": priority_round.ballots.count(),
        "supermarket_count": priority_round.electorate,
        "ballot_form": ballot_form,
        "own_ballots": [own_ballots[s.pk] for s in supermarkets if s.pk in own_ballots],
        "can_close": permissions.can_run_rounds(request.user) and priority_round.is_open,
    }
    if not priority_round.is_open and priority_round.result:
        context["result"] = _result_context(priority_round, by_id)
    return render(request, "needs/round_detail.html", context, status=status)


def _initial_ranks(ballot: Ballot | None, supermarket: Organisation | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"organisation": supermarket}
    if ballot is not None:
        for place, group in enumerate(ballot.ranking, start=1):
            for need_id in group:
                initial[f"rank_{need_id}"] = place
    return initial


def _result_context(priority_round: PriorityRound, by_id: dict[int, Need]) -> dict[str, Any]:
    """The published result, from the ids it names (not from today's candidates)."""
    result = priority_round.result or {}
    ids = [need_id for group in result["order"] for need_id in group]
    missing = [need_id for need_id in ids if need_id not in by_id]
    by_id = {**by_id, **Need.objects.in_bulk(missing)}
    ballots = rounds.anonymised_ballots(priority_round)
    total = sum(ballot["count"] for ballot in ballots)
    matrix = [[result["pairwise"][str(a)].get(str(b)) for b in ids] for a in ids]
    summary = ngettext(
        "How many of the %(count)s ballot prefer the need of each row to the need of each "
        "column, the needs in the order of the result: the darker a cell, the more ballots. "
        "The outlined cells set each place against the next one.",
        "How many of the %(count)s ballots prefer the need of each row to the need of each "
        "column, the needs in the order of the result: the darker a cell, the more ballots. "
        "The outlined cells set each place against the next one.",
        total,
    ) % {"count": total}
    first = result["order"][0] if result["order"] else []
    if len(first) == 1 < len(ids) and all(  # a Condorcet winner: its row wins every duel
        (matrix[0][j] or 0) > (matrix[j][0] or 0) for j in range(1, len(ids))
    ):
        summary += " " + _(
            "%(need)s, first, is preferred to each other need by more ballots than prefer "
            "the other."
        ) % {"need": by_id[first[0]].title}
    grid = Figure(
        "pairwise",
        _("How many ballots prefer each need to each other"),
        summary,
        charts.grid(
            [
                (by_id[i].reference, f"{by_id[i].reference} {Truncator(by_id[i].title).chars(40)}")
                for i in ids
            ],
            matrix,
            total=total,
            path=charts.place_steps([len(group) for group in result["order"]]),
        ),
        unit="count",
        row_heading=_("Need"),
        marks={"path": _("Each place against the next one")},
    )
    return {
        "order": [[by_id[need_id] for need_id in group] for group in result["order"]],
        "grid": grid,
        "ballots": ballots,
    }


@login_required
@require_POST
def round_ballot(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    priority_round = get_object_or_404(PriorityRound, pk=pk)
    supermarkets = permissions.supermarkets_voting_through(request.user)
    if not supermarkets.exists():
        raise PermissionDenied
    candidates = list(priority_round.candidates.order_by("pk"))
    form = BallotForm(request.POST, candidates=candidates, supermarkets=supermarkets)
    if not form.is_valid():
        return _render_round(request, priority_round, ballot_form=form, status=400)
    supermarket = form.cleaned_data["organisation"]
    if not permissions.can_rank(request.user, priority_round, supermarket):
        raise PermissionDenied
    try:
        _ballot, replaced = rounds.cast_ballot(
            priority_round,
            supermarket,
            actor=request.user,
            ranking=rounds.ranking_from_ranks(form.ranks()),
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_round(request, priority_round, ballot_form=form, status=409)
    if replaced:
        message = _("The ranking of %(name)s replaced its previous one.")
    else:
        message = _("The ranking of %(name)s is recorded.")
    messages.success(request, message % {"name": supermarket.name})
    return redirect(priority_round)


@login_required
@require_POST
def round_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    priority_round = get_object_or_404(PriorityRound, pk=pk)
    if not permissions.can_run_rounds(request.user):
        raise PermissionDenied
    try:
        rounds.close_round(priority_round, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The round is closed and its result published."))
    return redirect(priority_round)
