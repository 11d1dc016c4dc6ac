import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.errors import DomainError
from komunigi.needs import rounds
from komunigi.needs.models import Ballot, Need, PriorityRound
from komunigi.needs.tests.factories import NeedFactory, PriorityRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def candidates() -> list[Need]:
    return [NeedFactory(title=t, status="open") for t in ("Labels", "Deposits", "Shifts")]


@pytest.fixture
def open_round(candidates: list[Need]) -> PriorityRound:
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set(candidates)
    return priority_round


def supermarket_with_representative(slug: str) -> tuple:
    organisation = OrganisationFactory(slug=slug)
    user = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE).user
    return organisation, user


def test_ranks_become_groups_best_first_with_ties_and_blanks_left_out() -> None:
    assert rounds.ranking_from_ranks({7: 2, 3: 1, 9: 2, 4: None}) == [[3], [7, 9]]


def test_opening_a_round_checks_candidates_and_deadline(
    facilitator: User, candidates: list[Need]
) -> None:
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match="at least two"):
        rounds.open_round(
            actor=facilitator, title="R", candidates=candidates[:1], deadline=tomorrow
        )
    delivered = NeedFactory(title="Done already", status="delivered")
    with pytest.raises(DomainError) as raised:
        rounds.open_round(
            actor=facilitator, title="R", candidates=[*candidates, delivered], deadline=tomorrow
        )
    assert raised.value.message == "Only open or quoted needs can be ranked, not: Done already."
    with pytest.raises(DomainError, match="future"):
        rounds.open_round(
            actor=facilitator, title="R", candidates=candidates, deadline=timezone.now()
        )
    priority_round = rounds.open_round(
        actor=facilitator, title=" Autumn ", candidates=candidates, deadline=tomorrow
    )
    assert (priority_round.title, priority_round.candidates.count()) == ("Autumn", 3)


def test_a_second_ballot_replaces_the_first(
    open_round: PriorityRound, candidates: list[Need]
) -> None:
    bees, claire = supermarket_with_representative("bees")
    labels, deposits, shifts = (n.pk for n in candidates)
    _, replaced = rounds.cast_ballot(open_round, bees, actor=claire, ranking=[[labels]])
    assert replaced is False
    _, replaced = rounds.cast_ballot(
        open_round, bees, actor=claire, ranking=[[shifts], [labels, deposits]]
    )
    assert replaced is True
    assert Ballot.objects.get().ranking == [[shifts], [labels, deposits]]


def test_late_ballots_are_refused(open_round: PriorityRound, candidates: list[Need]) -> None:
    bees, claire = supermarket_with_representative("bees")
    PriorityRound.objects.filter(pk=open_round.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(DomainError) as raised:
        rounds.cast_ballot(open_round, bees, actor=claire, ranking=[[candidates[0].pk]])
    assert raised.value.message == "The deadline has passed: ballots are no longer accepted."
    assert Ballot.objects.count() == 0


def test_ballots_after_closing_are_refused(
    open_round: PriorityRound, candidates: list[Need], facilitator: User
) -> None:
    bees, claire = supermarket_with_representative("bees")
    rounds.close_round(open_round, actor=facilitator)
    with pytest.raises(DomainError) as raised:
        rounds.cast_ballot(open_round, bees, actor=claire, ranking=[[candidates[0].pk]])
    assert raised.value.message == "This round is closed: ballots are no longer accepted."


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ("twice", "A ballot ranks {a} more than once."),
        ("stranger", "A ballot ranks {x}, which is not a candidate."),
    ],
)
def test_a_ranking_naming_a_need_twice_or_a_stranger_is_refused(
    open_round: PriorityRound, candidates: list[Need], ranking: str, message: str
) -> None:
    bees, claire = supermarket_with_representative("bees")
    a = candidates[0].pk
    stranger = NeedFactory().pk
    groups = [[a], [a]] if ranking == "twice" else [[stranger]]
    with pytest.raises(DomainError) as raised:
        rounds.cast_ballot(open_round, bees, actor=claire, ranking=groups)
    assert raised.value.message == message.format(a=a, x=stranger)


def test_closing_counts_with_schulze_and_publishes_anonymised_ballots(
    open_round: PriorityRound, candidates: list[Need], facilitator: User
) -> None:
    labels, deposits, shifts = (n.pk for n in candidates)
    for slug, ranking in [
        ("a", [[shifts], [labels]]),
        ("b", [[shifts], [labels]]),
        ("c", [[labels], [deposits], [shifts]]),
    ]:
        organisation, user = supermarket_with_representative(slug)
        rounds.cast_ballot(open_round, organisation, actor=user, ranking=ranking)

    closed = rounds.close_round(open_round, actor=facilitator)

    assert closed.status == "closed"
    assert closed.result["order"] == [[shifts], [labels], [deposits]]
    assert closed.result["pairwise"][str(shifts)][str(labels)] == 2
    assert rounds.anonymised_ballots(closed) == [
        {"ranking": [[labels], [deposits], [shifts]], "count": 1},
        {"ranking": [[shifts], [labels]], "count": 2},
    ]
    with pytest.raises(DomainError, match="already closed"):
        rounds.close_round(closed, actor=facilitator)


def test_due_rounds_close_themselves_others_wait(candidates: list[Need]) -> None:
    due = PriorityRoundFactory(deadline=timezone.now() - datetime.timedelta(minutes=5))
    due.candidates.set(candidates)
    later = PriorityRoundFactory()
    later.candidates.set(candidates)
    assert rounds.close_due_rounds() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("closed", "open")
    assert due.result["order"] == [sorted(n.pk for n in candidates)]  # no ballot: all tied


def test_the_deadline_task_closes_only_a_round_whose_deadline_has_passed(
    open_round: PriorityRound,
) -> None:
    from komunigi.needs.tasks import close_round_at_deadline

    assert close_round_at_deadline.call(open_round.pk) is False  # deadline moved later
    PriorityRound.objects.filter(pk=open_round.pk).update(
        deadline=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert close_round_at_deadline.call(open_round.pk) is True
    assert close_round_at_deadline.call(open_round.pk) is False  # closed already
    open_round.refresh_from_db()
    assert open_round.status == "closed"
