"""Priority rounds: opened by a facilitator, ranked by supermarkets, counted with Schulze."""

import datetime
from collections import Counter
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, User
from komunigi.errors import DomainError, require
from komunigi.needs import emails, lifecycle, permissions, roadmap_version, schulze
from komunigi.needs.models import Ballot, Need, PriorityRound, RoundStatus

MIN_CANDIDATES = 2
# The code of cast_ballot's refusal of the ranking itself (the others are about the round's
# state), for the API to answer 422 rather than 409.
BAD_RANKING = "bad_ranking"


# Supermarkets that have not ranked are reminded this long before the deadline.
REMIND_BEFORE = datetime.timedelta(days=2)


def open_round(
    *, actor: User, title: str, candidates: list[Need], deadline: datetime.datetime
) -> PriorityRound:
    """A round over open or quoted needs, ranked until ``deadline``.

    Side effect: with a worker that can wait (the database task backend), the round closes
    itself at its deadline; otherwise a facilitator or `komunigi close_due_rounds` closes it.
    """
    require(permissions.can_run_rounds(actor))
    if len(candidates) < MIN_CANDIDATES:
        raise DomainError(_("A round needs at least two candidate needs."))
    not_rankable = [n.title for n in candidates if n.status not in lifecycle.RANKABLE]
    if not_rankable:
        raise DomainError(
            _("Only open or quoted needs can be ranked, not: %(titles)s.")
            % {"titles": ", ".join(not_rankable)}
        )
    if deadline <= timezone.now():
        raise DomainError(_("The deadline must be in the future."))
    with transaction.atomic():
        priority_round = PriorityRound.objects.create(
            title=title.strip(),
            deadline=deadline,
            opened_by=actor,
            electorate=Organisation.objects.member_supermarkets().count(),
        )
        priority_round.candidates.set(candidates)
        log_action(
            actor,
            "needs.round.opened",
            priority_round,
            {"candidates": [n.pk for n in candidates], "deadline": deadline.isoformat()},
        )
        emails.notify_round_opened(priority_round)
        transaction.on_commit(lambda: _schedule_close(priority_round))
    return priority_round


def _schedule_close(priority_round: PriorityRound) -> None:
    from komunigi.needs.tasks import close_round_at_deadline, remind_round_before_deadline

    if close_round_at_deadline.get_backend().supports_defer:
        close_round_at_deadline.using(run_after=priority_round.deadline).enqueue(priority_round.pk)
        remind_round_before_deadline.using(
            run_after=max(timezone.now(), priority_round.deadline - REMIND_BEFORE)
        ).enqueue(priority_round.pk)


def send_round_reminders(now: datetime.datetime | None = None) -> int:
    """Remind, once per round, the supermarkets that have not ranked an open round closing
    within ``REMIND_BEFORE``. Returns how many rounds were reminded."""
    now = now or timezone.now()
    due = PriorityRound.objects.filter(
        status=RoundStatus.OPEN,
        reminded_at=None,
        deadline__gt=now,
        deadline__lte=now + REMIND_BEFORE,
    )
    return sum(remind_round(priority_round, now=now) for priority_round in due)


def remind_round(priority_round: PriorityRound, *, now: datetime.datetime) -> bool:
    with transaction.atomic():
        claimed = PriorityRound.objects.filter(
            pk=priority_round.pk, status=RoundStatus.OPEN, reminded_at=None
        ).update(reminded_at=now)
        if not claimed:
            return False
        ranked = priority_round.ballots.values("organisation")
        for supermarket in Organisation.objects.member_supermarkets().exclude(pk__in=ranked):
            emails.notify_round_closing(priority_round, supermarket)
    return True


def ranking_from_ranks(ranks: dict[int, int | None]) -> list[list[int]]:
    """``{need id: rank number or None}`` → groups of need ids, best first.

    Equal numbers are ties; needs without a number are left out (ranked below the others).
    """
    by_rank: dict[int, list[int]] = {}
    for need_id, rank in ranks.items():
        if rank is not None:
            by_rank.setdefault(rank, []).append(need_id)
    return [sorted(by_rank[rank]) for rank in sorted(by_rank)]


def cast_ballot(
    priority_round: PriorityRound,
    supermarket: Organisation,
    *,
    actor: User,
    ranking: list[list[int]],
) -> tuple[Ballot, bool]:
    """Record ``supermarket``'s ranking; returns the ballot and whether it replaced one.

    Refused once the deadline has passed or the round is closed, and for a ranking that
    names a need twice or one that is not a candidate.
    """
    require(permissions.supermarkets_voting_through(actor).filter(pk=supermarket.pk).exists())
    with transaction.atomic():
        priority_round = PriorityRound.objects.select_for_update().get(pk=priority_round.pk)
        if not priority_round.is_open:
            raise DomainError(_("This round is closed: ballots are no longer accepted."))
        if not priority_round.accepts_ballots():
            raise DomainError(_("The deadline has passed: ballots are no longer accepted."))
        candidates = [str(pk) for pk in priority_round.candidates.values_list("pk", flat=True)]
        try:
            schulze.tally(candidates, [schulze.Ballot(_as_names(ranking))])
        except schulze.BallotError as error:
            raise DomainError(ballot_error_message(error), code=BAD_RANKING) from None
        try:
            with transaction.atomic():
                ballot, created = Ballot.objects.update_or_create(
                    round=priority_round,
                    organisation=supermarket,
                    defaults={"ranking": ranking, "cast_by": actor},
                )
        except IntegrityError:
            raise DomainError(
                _("Another ballot for %(name)s arrived at the same moment: reload the page.")
                % {"name": supermarket.name}
            ) from None
        # Who cast which supermarket's ballot is recorded; what it ranked is not.
        log_action(
            actor,
            "needs.ballot.cast" if created else "needs.ballot.replaced",
            priority_round,
            {"organisation": supermarket.slug},
        )
    return ballot, not created


def _as_names(ranking: list[list[int]]) -> list[list[str]]:
    return [[str(need_id) for need_id in group] for group in ranking]


def ballot_error_message(error: schulze.BallotError) -> str:
    """The counting module's refusal, in the reader's language."""
    messages = {
        "no_candidates": _("There are no candidates."),
        "duplicate_candidate": _("The candidate %(candidate)s is listed twice."),
        "unknown_candidate": _("A ballot ranks %(candidate)s, which is not a candidate."),
        "repeated_candidate": _("A ballot ranks %(candidate)s more than once."),
        "bad_count": _("A ballot's count must be 1 or more, not %(count)s."),
    }
    return messages[error.code] % error.params if error.params else messages[error.code]


def close_round(priority_round: PriorityRound, *, actor: User | None) -> PriorityRound:
    """Count the ballots with the Schulze method and publish the result."""
    require(actor is None or permissions.can_run_rounds(actor))
    with transaction.atomic():
        priority_round = PriorityRound.objects.select_for_update().get(pk=priority_round.pk)
        if not priority_round.is_open:
            raise DomainError(_("This round is already closed."))
        candidates = [str(pk) for pk in priority_round.candidates.values_list("pk", flat=True)]
        ballots = [
            schulze.Ballot(_as_names(b["ranking"]), b["count"])
            for b in anonymised_ballots(priority_round)
        ]
        result = schulze.tally(candidates, ballots)
        priority_round.result = {
            "order": [sorted(int(pk) for pk in group) for group in result.order],
            "pairwise": result.pairwise,
            "strongest_paths": result.strongest_paths,
        }
        priority_round.status = RoundStatus.CLOSED
        priority_round.closed_at = timezone.now()
        priority_round.save(update_fields=["result", "status", "closed_at"])
        roadmap_version.changed()
        log_action(
            actor,
            "needs.round.closed",
            priority_round,
            {"ballots": sum(b.count for b in ballots), "order": priority_round.result["order"]},
        )
    return priority_round


def close_due_rounds(now: datetime.datetime | None = None) -> int:
    """Close every open round whose deadline has passed; returns how many."""
    now = now or timezone.now()
    closed = 0
    for priority_round in PriorityRound.objects.filter(status=RoundStatus.OPEN, deadline__lt=now):
        try:
            close_round(priority_round, actor=None)
        except DomainError:
            continue  # closed meanwhile by a facilitator
        closed += 1
    return closed


def anonymised_ballots(priority_round: PriorityRound) -> list[dict[str, Any]]:
    """The round's rankings without who cast them: identical ones counted together, sorted."""
    counts = Counter(
        _freeze(ranking)
        for ranking in Ballot.objects.filter(round=priority_round).values_list("ranking", flat=True)
    )
    return [
        {"ranking": [list(group) for group in ranking], "count": count}
        for ranking, count in sorted(counts.items())
    ]


def _freeze(ranking: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(sorted(group)) for group in ranking)


def latest_closed_round() -> PriorityRound | None:
    return PriorityRound.objects.filter(status=RoundStatus.CLOSED).order_by("-closed_at").first()
