"""A decision counted, drawn: its votes against the yes votes its rule needed, and the
supermarkets represented against the quorum, on the live state and in the minutes."""

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from komunigi.community.models import Organisation, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.meetings import decisions, services, tally
from komunigi.meetings.charts import quorum_needed, yes_needed
from komunigi.meetings.models import Decision, Meeting
from komunigi.meetings.tests.conftest import logged_in
from komunigi.meetings.tests.test_services import in_session, need_decision
from komunigi.web.tests.chart_support import (
    Chart,
    amount,
    assert_chart_shows_its_table,
    charts_in,
    text,
)

pytestmark = pytest.mark.django_db

SLUGS = ("bees", "bloum", "nid", "coopeco", "oufti")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def supermarkets(db: None) -> dict[str, tuple[Organisation, User]]:
    """Five member supermarkets, each with its representative: half of them is 2.5, so the
    quorum takes 3."""
    result = {}
    for slug in SLUGS:
        organisation = OrganisationFactory(slug=slug, name=slug.capitalize())
        membership = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
        result[slug] = (organisation, membership.user)
    return result


def voted(
    facilitator: User, supermarkets: dict, rule: str, votes: dict[str, str], present: list[str]
) -> tuple[Meeting, Decision]:
    meeting = in_session(facilitator, supermarkets, present=present)
    decision = need_decision(meeting, facilitator, rule=rule)
    decisions.open_decision(decision, actor=facilitator)
    for slug, choice in votes.items():
        organisation, person = supermarkets[slug]
        reason = "Not now" if choice == tally.OBJECT else ""
        decisions.cast_ballot(decision, organisation, actor=person, choice=choice, reason=reason)
    return meeting, decisions.close_decision(decision, actor=facilitator)


def charts_of(meeting: Meeting, user: User, page: str = "live/") -> dict[str, Chart]:
    html = logged_in(user).get(f"/en/meetings/{meeting.pk}/{page}").content.decode()
    found = charts_in(html)
    for chart in found:
        assert_chart_shows_its_table(chart, "en")
    return {chart.id.rsplit("-", 1)[1]: chart for chart in found}


def figures(chart: Chart) -> dict[str, Decimal]:
    """A meter's table: each part and mark by its key, with its value."""
    shown = {}
    for row in chart.element.iter("tr"):
        cell = row.find("td")
        assert cell is not None
        shown[row.get("data-series") or row.get("data-mark") or ""] = amount(text(cell), "en")
    return shown


def test_a_majority_decision_draws_its_votes_against_the_yes_needed_and_the_quorum(
    facilitator: User, supermarkets: dict
) -> None:
    votes = {"bees": "yes", "bloum": "yes", "nid": "no", "coopeco": "abstain"}
    meeting, decision = voted(facilitator, supermarkets, "majority", votes, list(votes))
    assert decision.outcome == "approved"
    shown = charts_of(meeting, supermarkets["bees"][1])
    assert list(shown) == ["votes", "quorum"]
    # 3 votes cast (abstentions are not): more than half of them is 2.
    assert figures(shown["votes"]) == {"yes": 2, "no": 1, "abstain": 1, "needed": 2}
    assert shown["votes"].title == f"Votes on “{decision.item.title}”"
    assert shown["votes"].summary == (
        "2 yes of 3 votes cast, where approval needs 2 yes; abstentions are not votes cast."
    )
    assert figures(shown["quorum"]) == {"represented": 4, "quorum": 3, "members": 5}
    assert shown["quorum"].summary == (
        "4 of 5 member supermarkets represented, where 3 make the quorum: it is reached."
    )


def test_the_minutes_draw_the_decisions_counted(facilitator: User, supermarkets: dict) -> None:
    votes = {"bees": "yes", "bloum": "no", "nid": "no"}
    meeting, _decision = voted(facilitator, supermarkets, "two_thirds", votes, list(votes))
    services.close_meeting(meeting, actor=facilitator)
    shown = charts_of(meeting, facilitator, page="minutes/")
    # Two thirds of 3 votes cast is 2: 1 yes is not enough.
    assert figures(shown["votes"]) == {"yes": 1, "no": 2, "abstain": 0, "needed": 2}
    assert figures(shown["quorum"]) == {"represented": 3, "quorum": 3, "members": 5}


def test_a_consent_decision_draws_its_objections_without_a_yes_to_reach(
    facilitator: User, supermarkets: dict
) -> None:
    votes = {"bees": "agree", "bloum": "stand_aside", "nid": "object"}
    meeting, decision = voted(facilitator, supermarkets, "consent", votes, list(votes))
    assert decision.outcome == "blocked"
    shown = charts_of(meeting, facilitator)
    assert figures(shown["votes"]) == {"agree": 1, "stand_aside": 1, "object": 1}
    assert shown["votes"].summary == (
        "1 supermarket objects, and one objection blocks the decision."
    )


def test_without_quorum_the_votes_reach_for_nothing_and_the_quorum_shows_why(
    facilitator: User, supermarkets: dict
) -> None:
    meeting, decision = voted(
        facilitator, supermarkets, "majority", {"bees": "yes", "bloum": "yes"}, ["bees", "bloum"]
    )
    assert decision.outcome == "no_quorum"
    shown = charts_of(meeting, supermarkets["nid"][1])
    assert figures(shown["votes"]) == {"yes": 2, "no": 0, "abstain": 0}
    assert shown["votes"].summary == ("2 votes, which decide nothing: the quorum was not reached.")
    assert figures(shown["quorum"]) == {"represented": 2, "quorum": 3, "members": 5}
    assert shown["quorum"].summary == (
        "2 of 5 member supermarkets represented, where 3 make the quorum: it is not reached."
    )


def test_a_postponed_question_draws_nothing(facilitator: User, supermarkets: dict) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    decision = need_decision(meeting, facilitator)
    decisions.open_decision(decision, actor=facilitator)
    decisions.close_decision(decision, actor=facilitator, postpone=True)
    assert charts_of(meeting, facilitator) == {}


@given(
    rule=st.sampled_from([tally.MAJORITY, tally.TWO_THIRDS]),
    yes=st.integers(0, 60),
    no=st.integers(0, 60),
    abstain=st.integers(0, 5),
)
def test_the_yes_needed_approve_exactly_as_the_count_does(
    rule: str, yes: int, no: int, abstain: int
) -> None:
    ballots = [
        tally.Ballot(f"{choice}{n}", choice)
        for choice, count in ((tally.YES, yes), (tally.NO, no), (tally.ABSTAIN, abstain))
        for n in range(count)
    ]
    outcome = tally.tally(rule, ballots, quorum=True)
    needed = yes_needed(rule, yes + no)
    if needed is None:
        assert outcome.result == tally.NO_VOTES
    else:
        assert outcome.approved == (yes >= needed)


@given(members=st.integers(1, 200), quorum=st.decimals(0, 1, places=2))
def test_the_quorum_needed_is_the_fewest_that_reach_it(members: int, quorum: Decimal) -> None:
    needed = quorum_needed(members, quorum)
    assert tally.quorum_reached(needed, members, Fraction(quorum))
    assert needed == 0 or not tally.quorum_reached(needed - 1, members, Fraction(quorum))


@pytest.mark.parametrize("count", [1, 3])
def test_the_minutes_with_their_charts_run_a_bounded_number_of_queries(
    facilitator: User, supermarkets: dict, django_assert_num_queries, count: int
) -> None:
    meeting = in_session(facilitator, supermarkets, present=["bees", "bloum", "nid"])
    for _n in range(count):
        decision = need_decision(meeting, facilitator)
        decisions.open_decision(decision, actor=facilitator)
        decisions.cast_ballot(
            decision, supermarkets["bees"][0], actor=supermarkets["bees"][1], choice="yes"
        )
        decisions.close_decision(decision, actor=facilitator)
    services.close_meeting(meeting, actor=facilitator)
    client = logged_in(facilitator)
    # session, user, meeting; the meetings that may approve the minutes; the items with their
    # decisions (the charts read nothing more: the quorum's base was fixed at the start)
    with django_assert_num_queries(5):
        response = client.get(f"/en/meetings/{meeting.pk}/minutes/")
    assert len(charts_in(response.content.decode())) == 2 * count
