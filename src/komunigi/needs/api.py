import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.pagination import paginate

from komunigi.community.api_auth import PERSONAL, PUBLIC, PUBLIC_OPENAPI
from komunigi.community.models import ODOO_SERIES, Organisation
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest
from komunigi.markdown import render_markdown
from komunigi.needs import permissions, rounds, schulze, services
from komunigi.needs.forms import InterestForm, NeedForm, check_tag_names
from komunigi.needs.models import (
    Ballot,
    Interest,
    Need,
    NeedStatus,
    Priority,
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
    return _need(request, need_id)


def _need(request: HttpRequest, need_id: int) -> Need:
    """The need as NeedOut shows it, or 404 when it does not exist or the caller may not see
    it (a draft of somebody else's organisation)."""
    return get_object_or_404(
        _needs(request).prefetch_related("interests__organisation", "quotes__provider"),
        pk=need_id,
    )


# No text holds a NUL character (the database refuses it). A required text holds something
# besides the white space the form strips (str.isspace's characters): the form says so in
# the caller's language, so the schema only documents that rule.
NO_NULL_CHARACTER = r"^[^\x00]*$"
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
SOME_TEXT: dict[str, Any] = {"pattern": rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"}
SERIES = "^(" + "|".join(re.escape(series) for series, _label in ODOO_SERIES) + ")?$"
TAG = r"^[^\x00,;]*$"


def _organisation() -> Any:
    return Field(
        None,
        pattern=NO_NULL_CHARACTER,
        description="Slug of the organisation acted for; needed when the caller acts for several",
    )


class Refusal(Schema):
    detail: str


class NeedIn(Schema):
    title: str = Field(max_length=200, json_schema_extra=SOME_TEXT)
    problem: str = Field(
        max_length=20_000,
        json_schema_extra=SOME_TEXT,
        description="What goes wrong today? Markdown.",
    )
    expected_outcome: str = Field(
        max_length=20_000,
        json_schema_extra=SOME_TEXT,
        description="What should work once it is done? Markdown.",
    )
    tags: list[Annotated[str, Field(max_length=services.MAX_TAG_LENGTH, pattern=TAG)]] = Field(
        [], max_length=services.MAX_TAGS, description="Odoo areas or modules, by name"
    )
    odoo_series: str = Field("", pattern=SERIES, description="8.0 … 19.0, or empty")
    organisation: str | None = _organisation()
    publish: bool = Field(
        False, description="Publish at once; otherwise a draft that only its organisation sees"
    )


@router.post(
    "/needs",
    response={201: NeedOut, 403: Refusal},
    auth=PERSONAL,
    summary="Propose a need",
)
def create_need(request: AuthenticatedHttpRequest, payload: NeedIn) -> Status:
    """As “Propose a need” on the site: in the name of an organisation the caller belongs
    to, published or kept as a draft. 403 for people in no member organisation; 422 with the
    form's messages."""
    organisations = permissions.organisations_proposing_for(request.user)
    organisation = _acting_for(
        organisations,
        payload.organisation,
        refusal=_("You propose needs only in the name of an organisation you belong to."),
    )
    form = NeedForm(
        {
            "title": payload.title,
            "organisation": organisation.pk,
            "problem": payload.problem,
            "expected_outcome": payload.expected_outcome,
            "odoo_series": payload.odoo_series,
        },
        organisations=organisations,
    )
    form.is_valid()  # the tags, sent as a list, are checked beside it with the form's rule
    try:
        tags = check_tag_names(payload.tags)
    except forms.ValidationError as error:
        form.add_error("tags_text", error)
    if form.errors:
        raise _invalid(form, renamed={"tags_text": "tags"})
    need = services.create_need(
        author=request.user,
        organisation=form.cleaned_data["organisation"],
        title=form.cleaned_data["title"],
        problem=form.cleaned_data["problem"],
        expected_outcome=form.cleaned_data["expected_outcome"],
        tags=tags,
        odoo_series=form.cleaned_data["odoo_series"],
        publish=payload.publish,
    )
    return Status(201, _need(request, need.pk))


class InterestIn(Schema):
    priority: Priority
    comment: str = Field("", max_length=2000, pattern=NO_NULL_CHARACTER)
    organisation: str | None = _organisation()


@router.post(
    "/needs/{need_id}/interest",
    response={200: InterestOut, 403: Refusal},
    auth=PERSONAL,
    summary="Say a supermarket needs this too (or change its priority)",
)
def express_interest(
    request: AuthenticatedHttpRequest, need_id: int, payload: InterestIn
) -> Status:
    """For a member supermarket the caller belongs to, while the need is active (409
    otherwise); a second call changes the priority and comment."""
    need = _need(request, need_id)
    supermarkets = permissions.supermarkets_speaking_through(request.user)
    supermarket = _acting_for(
        supermarkets,
        payload.organisation,
        refusal=_("Only the people of a member supermarket say it needs this."),
    )
    form = InterestForm(
        {"organisation": supermarket.pk, "priority": payload.priority, "comment": payload.comment},
        supermarkets=supermarkets,
    )
    if not form.is_valid():
        raise _invalid(form)
    # The service checks who speaks for the supermarket, as for the page, and refuses an
    # inactive need with its message (409) where the page's own check gives a bare 403.
    interest = services.express_interest(
        need,
        supermarket,
        actor=request.user,
        priority=form.cleaned_data["priority"],
        comment=form.cleaned_data["comment"],
    )
    return Status(200, _interest(interest))


class ActingFor(Schema):
    organisation: str | None = _organisation()


@router.delete(
    "/needs/{need_id}/interest",
    response={204: None, 403: Refusal},
    auth=PERSONAL,
    summary="Withdraw a supermarket's interest",
)
def withdraw_interest(
    request: AuthenticatedHttpRequest,
    need_id: int,
    acting: Query[ActingFor],
) -> Status:
    """The supermarket no longer says it needs this (nothing to do if it never said so);
    while the need is active (409 otherwise)."""
    need = _need(request, need_id)
    supermarket = _acting_for(
        permissions.supermarkets_speaking_through(request.user),
        acting.organisation,
        refusal=_("Only the people of a member supermarket say it needs this."),
        where=["query", "organisation"],
    )
    services.withdraw_interest(need, supermarket, actor=request.user)
    return Status(204, None)


def _interest(interest: Interest) -> dict[str, Any]:
    return {
        "organisation": interest.organisation.slug,
        "priority": interest.priority,
        "comment": interest.comment,
    }


def _acting_for(
    organisations: QuerySet[Organisation],
    slug: str | None,
    *,
    refusal: str,
    where: list[str] | None = None,
) -> Organisation:
    """The one organisation among ``organisations`` the caller acts for: the one named by
    ``slug``, or their only one. 403 with ``refusal`` when there is none, 422 when the caller
    acts for several and did not say which."""
    if slug:
        organisations = organisations.filter(slug=slug)
    found = list(organisations[:2])
    if not found:
        raise HttpError(403, refusal)
    if len(found) > 1:
        raise ValidationError(
            [
                {
                    "loc": where or ["body", "payload", "organisation"],
                    "msg": _("You act for several organisations: say which (organisation)."),
                    "type": "missing",
                }
            ]
        )
    return found[0]


def _invalid(form: forms.BaseForm, renamed: dict[str, str] | None = None) -> ValidationError:
    """The form's errors as ninja's own 422 gives them: which field of the payload, and the
    form's message, in the caller's language."""
    renamed = renamed or {}
    return ValidationError(
        [
            {
                "loc": ["body", "payload"]
                + ([] if field == NON_FIELD_ERRORS else [renamed.get(field, field)]),
                "msg": error["message"],
                "type": error["code"] or "invalid",
            }
            for field, errors in form.errors.get_json_data().items()
            for error in errors
        ]
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


class RoundSummaryOut(Schema):
    id: int
    title: str
    status: RoundStatus
    deadline: datetime
    closed_at: datetime | None
    candidate_count: int
    ballot_count: int
    url: str

    @staticmethod
    def resolve_url(obj: PriorityRound, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


def _count(rows: QuerySet, *, of: str) -> Coalesce:
    """How many ``rows`` point at the round, counted for the rows a page shows."""
    counted = rows.filter(**{of: OuterRef("pk")}).order_by().values(of)
    return Coalesce(Subquery(counted.annotate(count=Count("pk")).values("count")), 0)


@router.get(
    "/priority-rounds",
    response=list[RoundSummaryOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List priority rounds",
)
@paginate(ApiPages, page_size=50)
def list_priority_rounds(request: HttpRequest):
    """Every round, latest first, as the priorities page lists them."""
    return PriorityRound.objects.annotate(
        candidate_count=_count(PriorityRound.candidates.through.objects.all(), of="priorityround"),
        ballot_count=_count(Ballot.objects.all(), of="round"),
    ).order_by("-created_at", "-pk")


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


class RankingIn(Schema):
    ranking: list[Annotated[list[int], Field(min_length=1)]] = Field(
        min_length=1,
        description="Groups of need ids, most wanted first; a group ranks its needs equal, "
        "and candidates left out rank together below all the others",
    )
    organisation: str | None = _organisation()


class RankingReceipt(Schema):
    organisation: str
    ranking: list[list[int]]
    replaced: bool = Field(description="Whether it replaced the supermarket's earlier ranking")


@router.post(
    "/priority-rounds/{round_id}/ballot",
    response={200: RankingReceipt, 403: Refusal, 409: Refusal},
    auth=PERSONAL,
    summary="Rank the candidates for a supermarket (or change its ranking)",
)
def rank_candidates(request: AuthenticatedHttpRequest, round_id: int, payload: RankingIn) -> Status:
    """One ranking per supermarket, cast by its representative or substitute, replaced by a
    second call until the round closes (409 then); 422 for a need that is not a candidate or
    is ranked twice."""
    priority_round = get_object_or_404(PriorityRound, pk=round_id)
    supermarket = _acting_for(
        permissions.supermarkets_voting_through(request.user),
        payload.organisation,
        refusal=_("Only a member supermarket's representative or substitute ranks the needs."),
    )
    ranking = [sorted(group) for group in payload.ranking]  # as the page's rank numbers give it
    # The service checks who votes, as for the page, and says why a closed round refuses.
    try:
        _ballot, replaced = rounds.cast_ballot(
            priority_round, supermarket, actor=request.user, ranking=ranking
        )
    except DomainError as error:
        if error.code != rounds.BAD_RANKING:
            raise
        raise ValidationError(
            [{"loc": ["body", "payload", "ranking"], "msg": error.message, "type": error.code}]
        ) from None
    return Status(200, {"organisation": supermarket.slug, "ranking": ranking, "replaced": replaced})


# The count grows with the cube of the candidates: keep any one request cheap.
MAX_CANDIDATES = 100
MAX_BALLOTS = 5000
TALLIES_PER_CLIENT_PER_HOUR = 120


class TallyBallotIn(Schema):
    ranking: list[str | list[str]] = Field(
        max_length=MAX_CANDIDATES,
        description="Most preferred first; a nested list is a group ranked equal",
    )
    count: int = Field(
        1, description="How many voters cast this ballot", json_schema_extra={"minimum": 1}
    )


class TallyIn(Schema):
    # At least one, as the count says in the caller's words (rounds.ballot_error_message).
    candidates: list[str] = Field(
        max_length=MAX_CANDIDATES, json_schema_extra={"minItems": 1, "uniqueItems": True}
    )
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
