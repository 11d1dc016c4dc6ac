"""The needs API's writes and its list of rounds: the same services and permission checks as
the pages, with a personal token; what they write shows on the pages afterwards."""

import datetime
import json
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone, translation

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.needs import rounds
from komunigi.needs.models import Ballot, Interest, Need, PriorityRound, RoundStatus
from komunigi.needs.tests.factories import InterestFactory, NeedFactory, PriorityRoundFactory

pytestmark = pytest.mark.django_db


def call(
    method: str,
    path: str,
    user: User | None = None,
    payload: dict[str, Any] | None = None,
    *,
    read_only: bool = False,
) -> tuple[int, Any]:
    """The API's answer to ``user``'s personal token (or to nobody), in English."""
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if user is not None:
        _token, raw = create_api_token(user, name="script", read_only=read_only)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    body = {} if payload is None else {"data": json.dumps(payload)}
    response = getattr(Client(), method)(
        f"/api/v1{path}", content_type="application/json", **body, **headers
    )
    return response.status_code, response.json() if response.content else None


def page(user: User | None, path: str) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/en{path}")


def member_of(organisation: Any, role: str = Role.MEMBER) -> User:
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def bees(representative: User) -> Any:
    return representative.memberships.get().organisation


@pytest.fixture
def other_member(db: None) -> User:
    """A member of another supermarket (Bloum)."""
    return member_of(OrganisationFactory(name="Bloum", slug="bloum"), Role.REPRESENTATIVE)


# --- GET /priority-rounds ---------------------------------------------------------------------


def test_priority_rounds_are_listed_to_everybody_with_the_page_figures(
    representative: User, bees: Any, other_member: User, outsider: User
) -> None:
    a, b, c = NeedFactory.create_batch(3)
    older = PriorityRoundFactory(title="Spring")
    older.candidates.set([a, b])
    rounds.cast_ballot(older, bees, actor=representative, ranking=[[a.pk]])
    bloum = other_member.memberships.get().organisation
    rounds.cast_ballot(older, bloum, actor=other_member, ranking=[[b.pk], [a.pk]])
    newer = PriorityRoundFactory(title="Autumn")
    newer.candidates.set([a, b, c])
    listed = [call("get", "/priority-rounds", user) for user in (None, outsider, representative)]
    assert listed[0] == listed[1] == listed[2]
    status, body = listed[0]
    assert (status, body["count"]) == (200, 2)
    assert [
        (r["id"], r["title"], r["status"], r["candidate_count"], r["ballot_count"], r["url"])
        for r in body["items"]
    ] == [
        (newer.pk, "Autumn", "open", 3, 0, f"http://testserver/en/priorities/{newer.pk}/"),
        (older.pk, "Spring", "open", 2, 2, f"http://testserver/en/priorities/{older.pk}/"),
    ]
    assert body["items"][1]["deadline"] == DjangoJSONEncoder().default(older.deadline)
    assert "2 ballots" in page(None, "/priorities/").content.decode()


def test_a_closed_round_is_listed_with_its_closing_time(facilitator: User) -> None:
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set(NeedFactory.create_batch(2))
    rounds.close_round(priority_round, actor=facilitator)
    priority_round.refresh_from_db()
    _status, body = call("get", "/priority-rounds")
    assert body["items"][0]["status"] == RoundStatus.CLOSED
    assert body["items"][0]["closed_at"] is not None
    detail_status, detail = call("get", f"/priority-rounds/{priority_round.pk}")
    assert (detail_status, detail["closed_at"]) == (200, body["items"][0]["closed_at"])


def test_priority_rounds_list_is_paginated() -> None:
    PriorityRoundFactory.create_batch(3)
    _status, body = call("get", "/priority-rounds?page=2&page_size=2")
    assert (body["count"], len(body["items"])) == (3, 1)


@pytest.mark.parametrize("count", [1, 3])
def test_priority_rounds_list_runs_a_bounded_number_of_queries(
    django_assert_num_queries, count: int
) -> None:
    for priority_round in PriorityRoundFactory.create_batch(count):
        priority_round.candidates.set(NeedFactory.create_batch(2))
        for _ in range(2):
            Ballot.objects.create(
                round=priority_round, organisation=OrganisationFactory(), ranking=[]
            )
    with django_assert_num_queries(2):  # count, page with its counts
        status, _body = call("get", "/priority-rounds")
    assert status == 200


def test_an_unknown_round_is_not_found() -> None:
    assert call("get", "/priority-rounds/999999")[0] == 404


# --- POST /needs ------------------------------------------------------------------------------

NEED = {
    "title": "Shift swaps",
    "problem": "Members cannot swap shifts.",
    "expected_outcome": "They swap them themselves.",
    "tags": ["Shifts", " Point of sale "],
    "odoo_series": "16.0",
}


def test_a_representative_proposes_a_need_shown_on_the_site(
    representative: User, bees: Any
) -> None:
    status, body = call("post", "/needs", representative, {**NEED, "publish": True})
    assert status == 201
    need = Need.objects.get()
    assert (body["id"], body["status"], body["organisation"]) == (need.pk, "open", "bees-coop")
    assert (body["tags"], body["odoo_series"]) == (["point-of-sale", "shifts"], "16.0")
    # The proposing supermarket needs it, as when it is published on the site.
    assert body["interests"] == [{"organisation": "bees-coop", "priority": "must", "comment": ""}]
    assert body["interested_supermarkets"] == 1
    assert need.author == representative
    assert "Shift swaps" in page(None, f"/needs/{need.pk}/").content.decode()


def test_a_need_is_a_draft_unless_published(representative: User, other_member: User) -> None:
    status, body = call("post", "/needs", representative, NEED)
    assert (status, body["status"], body["interests"]) == (201, "draft", [])
    assert page(representative, f"/needs/{body['id']}/").status_code == 200
    assert page(other_member, f"/needs/{body['id']}/").status_code == 404
    assert page(None, f"/needs/{body['id']}/").status_code == 404


def test_proposing_a_need_is_refused_to_people_in_no_organisation(outsider: User) -> None:
    assert call("post", "/needs", None, NEED)[0] == 401
    with translation.override("en"):
        assert call("post", "/needs", outsider, NEED) == (
            403,
            {"detail": "You propose needs only in the name of an organisation you belong to."},
        )
    assert not Need.objects.exists()


def test_nobody_proposes_a_need_for_an_organisation_they_are_not_in(
    representative: User, other_member: User
) -> None:
    status, _body = call("post", "/needs", other_member, {**NEED, "organisation": "bees-coop"})
    assert status == 403
    assert not Need.objects.exists()


def test_a_read_only_token_proposes_nothing(representative: User) -> None:
    assert call("post", "/needs", representative, NEED, read_only=True) == (
        403,
        {"detail": "This API token only reads."},
    )
    assert not Need.objects.exists()


def test_a_person_of_several_organisations_says_which_one(representative: User, bees: Any) -> None:
    MembershipFactory(user=representative, organisation=OrganisationFactory(slug="cie"))
    with translation.override("en"):
        assert call("post", "/needs", representative, NEED) == (
            422,
            {
                "detail": [
                    {
                        "loc": ["body", "payload", "organisation"],
                        "msg": "You act for several organisations: say which (organisation).",
                        "type": "missing",
                    }
                ]
            },
        )
    status, body = call("post", "/needs", representative, {**NEED, "organisation": "cie"})
    assert (status, body["organisation"]) == (201, "cie")


def test_the_forms_messages_refuse_a_blank_need(representative: User) -> None:
    with translation.override("en"):
        status, body = call(
            "post", "/needs", representative, {**NEED, "title": "  ", "problem": "\x00"}
        )
    assert status == 422
    assert body["detail"] == [
        {"loc": ["body", "payload", "title"], "msg": "This field is required.", "type": "required"},
        {
            "loc": ["body", "payload", "problem"],
            "msg": "Null characters are not allowed.",
            "type": "null_characters_not_allowed",
        },
    ]
    assert not Need.objects.exists()


def test_too_many_tags_or_an_unknown_series_are_refused(representative: User) -> None:
    many = call("post", "/needs", representative, {**NEED, "tags": [f"t{n}" for n in range(11)]})
    series = call("post", "/needs", representative, {**NEED, "odoo_series": "7.0"})
    assert [m[0] for m in (many, series)] == [422, 422]
    assert [m[1]["detail"][0]["loc"] for m in (many, series)] == [
        ["body", "payload", "tags"],
        ["body", "payload", "odoo_series"],
    ]
    assert not Need.objects.exists()


# --- POST and DELETE /needs/{id}/interest ----------------------------------------------------


def test_a_supermarket_says_it_needs_it_and_the_page_shows_it(representative: User) -> None:
    need = NeedFactory(status="open")
    status, body = call(
        "post",
        f"/needs/{need.pk}/interest",
        representative,
        {"priority": "could", "comment": " Soon "},
    )
    assert (status, body) == (
        200,
        {"organisation": "bees-coop", "priority": "could", "comment": "Soon"},
    )
    changed = call("post", f"/needs/{need.pk}/interest", representative, {"priority": "must"})
    assert changed == (200, {"organisation": "bees-coop", "priority": "must", "comment": ""})
    assert Interest.objects.get().priority == "must"
    shown = page(None, f"/needs/{need.pk}/").content.decode()
    assert "BEES coop" in shown
    assert "1 supermarket needs this" in shown
    assert call("get", f"/needs/{need.pk}")[1]["interested_supermarkets"] == 1


def test_interest_is_refused_to_people_of_no_supermarket(outsider: User) -> None:
    need = NeedFactory(status="open")
    provider_person = member_of(OrganisationFactory(kind=OrganisationKind.PROVIDER))
    assert call("post", f"/needs/{need.pk}/interest", None, {"priority": "must"})[0] == 401
    with translation.override("en"):
        refusals = [
            call("post", f"/needs/{need.pk}/interest", person, {"priority": "must"})
            for person in (outsider, provider_person)
        ]
    assert (
        refusals
        == [(403, {"detail": "Only the people of a member supermarket say it needs this."})] * 2
    )
    assert not Interest.objects.exists()


def test_interest_is_not_expressed_for_another_supermarket(
    representative: User, other_member: User
) -> None:
    need = NeedFactory(status="open")
    payload = {"priority": "must", "organisation": "bees-coop"}
    assert call("post", f"/needs/{need.pk}/interest", other_member, payload)[0] == 403
    assert not Interest.objects.exists()


def test_interest_in_a_draft_of_another_organisation_is_not_found(
    representative: User, bees: Any, other_member: User
) -> None:
    draft = NeedFactory(status="draft", organisation=bees)
    assert call("post", f"/needs/{draft.pk}/interest", other_member, {"priority": "must"})[0] == 404
    assert call("delete", f"/needs/{draft.pk}/interest", other_member)[0] == 404


def test_interest_is_refused_when_the_need_is_no_longer_active(representative: User) -> None:
    closed = NeedFactory(status="closed")
    with translation.override("en"):
        status, body = call(
            "post", f"/needs/{closed.pk}/interest", representative, {"priority": "must"}
        )
    assert (status, body) == (
        409,
        {"detail": "Interest can only be expressed while the need is active."},
    )
    assert call("delete", f"/needs/{closed.pk}/interest", representative)[0] == 409


def test_a_read_only_token_expresses_no_interest(representative: User) -> None:
    need = NeedFactory(status="open")
    status, _body = call(
        "post", f"/needs/{need.pk}/interest", representative, {"priority": "must"}, read_only=True
    )
    assert status == 403
    assert call("delete", f"/needs/{need.pk}/interest", representative, read_only=True)[0] == 403
    assert not Interest.objects.exists()


def test_a_supermarket_withdraws_its_interest_and_the_page_no_longer_shows_it(
    representative: User, bees: Any, other_member: User, outsider: User
) -> None:
    need = NeedFactory(status="open")
    InterestFactory(need=need, organisation=bees)
    bloum = other_member.memberships.get().organisation
    InterestFactory(need=need, organisation=bloum)
    assert call("delete", f"/needs/{need.pk}/interest")[0] == 401
    assert call("delete", f"/needs/{need.pk}/interest", outsider)[0] == 403
    assert call("delete", f"/needs/{need.pk}/interest?organisation=bloum", representative)[0] == 403
    assert call("delete", f"/needs/{need.pk}/interest", representative) == (204, None)
    assert list(Interest.objects.values_list("organisation__slug", flat=True)) == ["bloum"]
    assert "1 supermarket needs this" in page(None, f"/needs/{need.pk}/").content.decode()
    # Once more: nothing left to withdraw, nothing refused.
    assert call("delete", f"/needs/{need.pk}/interest", representative) == (204, None)


def test_a_person_of_several_supermarkets_says_which_one_withdraws(representative: User) -> None:
    MembershipFactory(user=representative, organisation=OrganisationFactory(slug="nid"))
    need = NeedFactory(status="open")
    status, body = call("delete", f"/needs/{need.pk}/interest", representative)
    assert (status, body["detail"][0]["loc"]) == (422, ["query", "organisation"])
    assert call("delete", f"/needs/{need.pk}/interest?organisation=nid", representative)[0] == 204


# --- POST /priority-rounds/{id}/ballot -------------------------------------------------------

NO_VOTE = "Only a member supermarket's representative or substitute ranks the needs."


@pytest.fixture
def open_round(db: None) -> PriorityRound:
    priority_round = PriorityRoundFactory(title="Spring")
    priority_round.candidates.set(NeedFactory.create_batch(3, status="open"))
    return priority_round


def candidates(priority_round: PriorityRound) -> list[int]:
    return list(priority_round.candidates.order_by("pk").values_list("pk", flat=True))


def test_a_representative_ranks_and_reranks_and_the_page_shows_it(
    representative: User, open_round: PriorityRound
) -> None:
    a, b, c = candidates(open_round)
    path = f"/priority-rounds/{open_round.pk}/ballot"
    assert call("post", path, representative, {"ranking": [[c, a], [b]]}) == (
        200,
        {"organisation": "bees-coop", "ranking": [[a, c], [b]], "replaced": False},
    )
    assert call("post", path, representative, {"ranking": [[b]]}) == (
        200,
        {"organisation": "bees-coop", "ranking": [[b]], "replaced": True},
    )
    assert Ballot.objects.get().ranking == [[b]]
    assert call("get", f"/priority-rounds/{open_round.pk}")[1]["ballot_count"] == 1
    shown = page(representative, f"/priorities/{open_round.pk}/")
    assert "BEES coop ranked on" in shown.content.decode()
    form = shown.context["ballot_form"]
    assert [form[f"rank_{pk}"].value() for pk in (a, b, c)] == [None, 1, None]


def test_a_substitute_ranks_too(open_round: PriorityRound, bees: Any) -> None:
    substitute = member_of(bees, Role.SUBSTITUTE)
    status, _body = call(
        "post",
        f"/priority-rounds/{open_round.pk}/ballot",
        substitute,
        {"ranking": [candidates(open_round)]},
    )
    assert status == 200


def test_ranking_is_refused_to_whoever_does_not_vote_for_a_supermarket(
    representative: User, bees: Any, open_round: PriorityRound, outsider: User
) -> None:
    path = f"/priority-rounds/{open_round.pk}/ballot"
    payload = {"ranking": [candidates(open_round)[:1]]}
    assert call("post", path, None, payload)[0] == 401
    provider_representative = member_of(
        OrganisationFactory(kind=OrganisationKind.PROVIDER), Role.REPRESENTATIVE
    )
    with translation.override("en"):
        refusals = [
            call("post", path, person, payload)
            for person in (outsider, member_of(bees), provider_representative)
        ]
    assert (
        refusals
        == [
            (
                403,
                {"detail": NO_VOTE},
            )
        ]
        * 3
    )
    assert call("post", path, representative, payload, read_only=True)[0] == 403
    assert not Ballot.objects.exists()


def test_nobody_ranks_for_another_supermarket(
    representative: User, other_member: User, open_round: PriorityRound
) -> None:
    payload = {"ranking": [candidates(open_round)[:1]], "organisation": "bees-coop"}
    assert call("post", f"/priority-rounds/{open_round.pk}/ballot", other_member, payload)[0] == 403
    assert not Ballot.objects.exists()


def test_a_ranking_of_a_need_that_is_no_candidate_is_refused(
    representative: User, open_round: PriorityRound
) -> None:
    outside = NeedFactory(status="open")
    a = candidates(open_round)[0]
    path = f"/priority-rounds/{open_round.pk}/ballot"
    with translation.override("en"):
        unknown = call("post", path, representative, {"ranking": [[a], [outside.pk]]})
        twice = call("post", path, representative, {"ranking": [[a], [a]]})
    assert unknown == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "payload", "ranking"],
                    "msg": f"A ballot ranks {outside.pk}, which is not a candidate.",
                    "type": "bad_ranking",
                }
            ]
        },
    )
    assert (twice[0], twice[1]["detail"][0]["msg"]) == (422, f"A ballot ranks {a} more than once.")
    assert call("post", path, representative, {"ranking": []})[0] == 422
    assert not Ballot.objects.exists()


def test_a_closed_or_past_round_takes_no_more_ranking(
    representative: User, facilitator: User, open_round: PriorityRound
) -> None:
    payload = {"ranking": [candidates(open_round)[:1]]}
    path = f"/priority-rounds/{open_round.pk}/ballot"
    PriorityRound.objects.filter(pk=open_round.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with translation.override("en"):
        assert call("post", path, representative, payload) == (
            409,
            {"detail": "The deadline has passed: ballots are no longer accepted."},
        )
        rounds.close_round(open_round, actor=facilitator)
        assert call("post", path, representative, payload) == (
            409,
            {"detail": "This round is closed: ballots are no longer accepted."},
        )
    assert not Ballot.objects.exists()


def test_ranking_in_an_unknown_round_is_not_found(representative: User) -> None:
    assert (
        call("post", "/priority-rounds/999999/ballot", representative, {"ranking": [[1]]})[0] == 404
    )


def test_the_document_says_how_each_write_answers(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    answers = {
        (method, path): sorted(paths[f"/api/v1{path}"][method]["responses"])
        for method, path in [
            ("get", "/priority-rounds"),
            ("post", "/needs"),
            ("post", "/needs/{need_id}/interest"),
            ("delete", "/needs/{need_id}/interest"),
            ("post", "/priority-rounds/{round_id}/ballot"),
        ]
    }
    assert answers == {
        ("get", "/priority-rounds"): ["200", "401", "422"],
        ("post", "/needs"): ["201", "401", "403", "409", "422"],
        ("post", "/needs/{need_id}/interest"): ["200", "401", "403", "404", "409", "422"],
        ("delete", "/needs/{need_id}/interest"): ["204", "401", "403", "404", "409", "422"],
        ("post", "/priority-rounds/{round_id}/ballot"): ["200", "401", "403", "404", "409", "422"],
    }
