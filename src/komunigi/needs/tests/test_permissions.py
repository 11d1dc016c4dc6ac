"""Who may do what with needs: the proposing organisation, another organisation, outsiders."""

import pytest
from django.contrib.auth.models import AnonymousUser

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.needs import permissions
from komunigi.needs.tests.factories import NeedFactory, PriorityRoundFactory, QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(representative: User, outsider: User, facilitator: User) -> dict:
    bees = representative.memberships.get().organisation
    other = OrganisationFactory(slug="bloum")
    provider = OrganisationFactory(slug="cie", kind=OrganisationKind.PROVIDER)
    return {
        "bees": bees,
        "other": other,
        "provider": provider,
        "representative": representative,
        "bees_member": MembershipFactory(organisation=bees, role=Role.MEMBER).user,
        "bees_substitute": MembershipFactory(organisation=bees, role=Role.SUBSTITUTE).user,
        "other_member": MembershipFactory(organisation=other).user,
        "developer": MembershipFactory(organisation=provider).user,
        "outsider": outsider,
        "facilitator": facilitator,
        "anonymous": AnonymousUser(),
    }


def test_drafts_are_seen_by_their_organisation_only(people: dict) -> None:
    draft = NeedFactory(organisation=people["bees"], status="draft")
    seen = {name for name, user in people.items() if hasattr(user, "is_authenticated")
            and permissions.can_see_need(user, draft)}  # fmt: skip
    assert seen == {"representative", "bees_member", "bees_substitute"}


def test_only_the_proposing_organisation_and_facilitators_edit_a_need(people: dict) -> None:
    need = NeedFactory(organisation=people["bees"], status="open")
    allowed = {name for name in ["representative", "bees_member", "other_member", "developer",
               "outsider", "facilitator", "anonymous"]
               if permissions.can_edit_need(people[name], need)}  # fmt: skip
    assert allowed == {"representative", "bees_member", "facilitator"}


def test_the_text_is_frozen_once_a_decision_is_under_way(people: dict) -> None:
    need = NeedFactory(organisation=people["bees"], status="scheduled")
    assert permissions.can_edit_need(people["representative"], need) is False
    assert permissions.can_edit_need(people["facilitator"], need) is True


def test_status_moves_belong_to_the_organisation_for_publishing_and_withdrawing(
    people: dict,
) -> None:
    draft = NeedFactory(organisation=people["bees"], status="draft")
    need = NeedFactory(organisation=people["bees"], status="open")
    member, other = people["bees_member"], people["other_member"]
    assert permissions.can_change_status(member, draft, "open") is True
    assert permissions.can_change_status(member, need, "withdrawn") is True
    assert permissions.can_change_status(member, need, "scheduled") is False
    assert permissions.can_change_status(other, need, "withdrawn") is False
    assert permissions.can_change_status(people["facilitator"], need, "scheduled") is True


def test_a_provider_cannot_express_a_supermarkets_interest(people: dict) -> None:
    need = NeedFactory()
    assert permissions.can_express_interest(people["developer"], need, people["bees"]) is False
    assert permissions.can_express_interest(people["developer"], need, people["provider"]) is False
    assert permissions.can_express_interest(people["bees_member"], need, people["bees"]) is True
    assert permissions.can_express_interest(people["other_member"], need, people["bees"]) is False


def test_only_representatives_and_substitutes_rank_for_their_supermarket(people: dict) -> None:
    priority_round = PriorityRoundFactory()
    allowed = {name for name in ["representative", "bees_substitute", "bees_member",
               "other_member", "developer", "facilitator", "anonymous"]
               if permissions.can_rank(people[name], priority_round, people["bees"])}  # fmt: skip
    assert allowed == {"representative", "bees_substitute"}


def test_only_a_providers_people_quote_in_its_name(people: dict) -> None:
    need = NeedFactory(status="open")
    assert permissions.can_quote(people["developer"], need, people["provider"]) is True
    assert permissions.can_quote(people["representative"], need, people["provider"]) is False
    assert permissions.can_quote(people["facilitator"], need, people["provider"]) is False
    quote = QuoteFactory(provider=people["provider"])
    assert permissions.can_withdraw_quote(people["developer"], quote) is True
    assert permissions.can_withdraw_quote(people["other_member"], quote) is False


def test_rounds_and_estimate_assignments_are_for_facilitators(people: dict) -> None:
    assert [
        name for name, user in people.items()
        if hasattr(user, "is_authenticated") and permissions.can_run_rounds(user)
    ] == ["facilitator"]  # fmt: skip
    assert permissions.can_assign_estimate(people["developer"]) is False


def test_a_former_member_organisation_speaks_no_more(people: dict) -> None:
    people["bees"].status = "former"
    people["bees"].save()
    assert (
        permissions.can_express_interest(people["bees_member"], NeedFactory(), people["bees"])
        is False
    )
    assert list(permissions.supermarkets_voting_through(people["representative"])) == []
