from datetime import datetime, timedelta

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from komunigi.community.api_auth import PUBLIC, PUBLIC_OPENAPI
from komunigi.markdown import render_markdown
from komunigi.needs import rounds, schulze
from komunigi.needs.models import (
    Need,
    NeedStatus,
    PriorityRound,
    Quote,
    RoundStatus,
)
from komunigi.pagination import ApiPages
from komunigi.throttle import services as throttle

router = Router(tags=["needs"])


class NeedSummaryOut(Schema):
    id: int
    title: str
    status: NeedStatus
    organisation: str = Field(description="Slug of the proposing organisation")
    tags: list[str] = Field(description="Tag slugs")
    odoo_series: str
    interested_supermarkets: int
    status_changed_at: datetime
    url: str

    @staticmethod
    def resolve_organisation(obj: Need) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_tags(obj: Need) -> list[str]:
        return [tag.slug for tag in obj.tags.all()]

    @staticmethod
    def resolve_interested_supermarkets(obj: Need) -> int:
        return obj.interest_count  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: Need, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class InterestOut(Schema):
    organisation: str
    priority: str
    comment: str


class QuoteOut(Schema):
    id: int
    provider: str
    amount: str = Field(description="Decimal, in the instance's currency")
    provider_contribution: str
    estimated_days: str
    valid_until: str
    status: str = Field(description="proposed, withdrawn, accepted or expired (as of today)")


class NeedOut(NeedSummaryOut):
    problem: str = Field(description="Markdown, as written")
    problem_html: str = Field(description="Rendered and sanitised")
    expected_outcome: str
    expected_outcome_html: str
    created_at: datetime
    interests: list[InterestOut]
    quotes: list[QuoteOut]

    @staticmethod
    def resolve_problem_html(obj: Need) -> str:
        return render_markdown(obj.problem)

    @staticmethod
    def resolve_expected_outcome_html(obj: Need) -> str:
        return render_markdown(obj.expected_outcome)

    @staticmethod
    def resolve_interests(obj: Need) -> list[dict]:
        return [
            {"organisation": i.organisation.slug, "priority": i.priority, "comment": i.comment}
            for i in obj.interests.all()
        ]

    @staticmethod
    def resolve_quotes(obj: Need) -> list[dict]:
        return [_quote(q) for q in obj.quotes.all()]


def _quote(quote: Quote) -> dict:
    return {
        "id": quote.pk,
        "provider": quote.provider.slug,
        "amount": str(quote.amount),
        "provider_contribution": str(quote.provider_contribution),
        "estimated_days": str(quote.estimated_days),
        "valid_until": quote.valid_until.isoformat(),
        "status": quote.effective_status(),
    }


class NeedFilters(Schema):
    status: NeedStatus | None = None
    tag: str | None = Field(None, description="Tag slug")
    organisation: str | None = Field(None, description="Slug of the proposing organisation")


def _needs(request: HttpRequest):
    return (
        Need.objects.visible_to(request.user)
        .select_related("organisation")
        .prefetch_related("tags")
        .with_interest_count()
        .order_by("-status_changed_at", "-pk")
    )


@router.get(
    "/needs",
    response=list[NeedSummaryOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List needs",
)
@paginate(ApiPages, page_size=50)
def list_needs(request: HttpRequest, filters: Query[NeedFilters]):
    """Needs, most recently changed first. Drafts are listed to their own organisation only."""
    needs = _needs(request)
    if filters.status:
        needs = needs.filter(status=filters.status)
    if filters.tag:
        needs = needs.filter(tags__slug=filters.tag)
    if filters.organisation:
        needs = needs.filter(organisation__slug=filters.organisation)
    return needs


@router.get(
    "/needs/{need_id}",
    response=NeedOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One need",
)
def get_need(request: HttpRequest, need_id: int) -> Need:
    return get_object_or_404(
        _needs(request).prefetch_related("interests__organisation", "quotes__provider"),
        pk=need_id,
    )


class RoundCandidateOut(Schema):
    id: int
    title: str


class RankedBallotOut(Schema):
    ranking: list[list[int]] = Field(description="Groups of need ids, most wanted first")
    count: int


class RoundResultOut(Schema):
    order: list[list[int]]
    pairwise: dict[str, dict[str, int]]
    strongest_paths: dict[str, dict[str, int]]


class RoundOut(Schema):
    id: int
    title: str
    status: RoundStatus
    deadline: datetime
    closed_at: datetime | None
    candidates: list[RoundCandidateOut]
    ballot_count: int
    ballots: list[RankedBallotOut] | None = Field(
        description="Anonymised, once the round is closed"
    )
    result: RoundResultOut | None


@router.get(
    "/priority-rounds/{round_id}",
    response=RoundOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One priority round",
    url_name="priority_round",
)
def get_priority_round(request: HttpRequest, round_id: int) -> dict:
    """A round; once closed, its anonymised ballots and Schulze result, to recount it."""
    priority_round = get_object_or_404(PriorityRound, pk=round_id)
    closed = not priority_round.is_open
    return {
        "id": priority_round.pk,
        "title": priority_round.title,
        "status": priority_round.status,
        "deadline": priority_round.deadline,
        "closed_at": priority_round.closed_at,
        "candidates": list(priority_round.candidates.order_by("pk").values("id", "title")),
        "ballot_count": priority_round.ballots.count(),
        "ballots": rounds.anonymised_ballots(priority_round) if closed else None,
        "result": priority_round.result if closed else None,
    }


# The count grows with the cube of the candidates: keep any one request cheap.
MAX_CANDIDATES = 100
MAX_BALLOTS = 5000
TALLIES_PER_CLIENT_PER_HOUR = 120


class TallyBallotIn(Schema):
    ranking: list[str | list[str]] = Field(
        max_length=MAX_CANDIDATES,
        description="Most preferred first; a nested list is a group ranked equal",
    )
    count: int = Field(1, description="How many voters cast this ballot (at least 1)")


class TallyIn(Schema):
    candidates: list[str] = Field(max_length=MAX_CANDIDATES)
    ballots: list[TallyBallotIn] = Field([], max_length=MAX_BALLOTS)


class TallyOut(Schema):
    order: list[list[str]] = Field(description="Groups from first to last, sorted inside")
    pairwise: dict[str, dict[str, int]]
    strongest_paths: dict[str, dict[str, int]]


class TallyError(Schema):
    detail: str


@router.post(
    "/tally/schulze",
    response={200: TallyOut, 422: TallyError, 429: TallyError},
    auth=None,
    summary="Count ballots with the Schulze method",
)
def tally_schulze(request: HttpRequest, payload: TallyIn) -> dict:
    """Recount a priority round, or any election: candidates missing from a ballot rank
    together below all those it lists. At most 100 candidates and 5000 ballots (use
    `count` for identical ones)."""
    if not throttle.allow(
        "schulze-tally",
        throttle.client_key(request),
        limit=TALLIES_PER_CLIENT_PER_HOUR,
        window=timedelta(hours=1),
    ):
        raise HttpError(429, _("Too many requests from your network: try again later."))
    ballots = [
        schulze.Ballot(
            [item if isinstance(item, list) else [item] for item in ballot.ranking], ballot.count
        )
        for ballot in payload.ballots
    ]
    try:
        result = schulze.tally(payload.candidates, ballots)
    except schulze.BallotError as error:
        raise HttpError(422, rounds.ballot_error_message(error)) from None
    return {
        "order": result.order,
        "pairwise": result.pairwise,
        "strongest_paths": result.strongest_paths,
    }
