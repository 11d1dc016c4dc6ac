import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from komunigi.community.models import Membership, Organisation, Role, User
from komunigi.community.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_organisation_has_at_most_one_representative_in_the_database() -> None:
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
    assert organisation.memberships.filter(role=Role.REPRESENTATIVE).count() == 1


def test_organisation_has_at_most_one_substitute_in_the_database() -> None:
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role=Role.SUBSTITUTE)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(organisation=organisation, role=Role.SUBSTITUTE)


def test_organisation_may_have_many_members_and_one_of_each_role() -> None:
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
    MembershipFactory(organisation=organisation, role=Role.SUBSTITUTE)
    MembershipFactory.create_batch(3, organisation=organisation, role=Role.MEMBER)
    assert organisation.memberships.count() == 5


def test_representatives_of_two_organisations_do_not_collide() -> None:
    MembershipFactory(role=Role.REPRESENTATIVE)
    MembershipFactory(role=Role.REPRESENTATIVE)
    assert Membership.objects.filter(role=Role.REPRESENTATIVE).count() == 2


def test_second_representative_is_refused_with_a_clear_message_by_validation() -> None:
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE)
    second = Membership(user=UserFactory(), organisation=organisation, role=Role.REPRESENTATIVE)
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        second.full_clean()
    assert raised.value.messages == ["This organisation already has a representative."]


def test_organisation_names_are_unique_whatever_the_case() -> None:
    OrganisationFactory(name="BEES coop")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(name="bees COOP")


def test_user_email_is_stored_lower_case_and_found_whatever_the_case() -> None:
    user = User.objects.create_user("Claire.Dubois@Example.ORG", "pw", full_name="Claire")
    assert user.email == "claire.dubois@example.org"
    assert User.objects.get_by_natural_key("CLAIRE.dubois@example.org") == user


def test_user_created_without_password_cannot_log_in_until_invited() -> None:
    user = User.objects.create_user("new@example.org", full_name="New")
    assert user.has_usable_password() is False


def test_user_time_zone_must_exist() -> None:
    user = UserFactory.build(time_zone="Europe/Atlantis")
    with pytest.raises(ValidationError) as raised:
        user.full_clean(exclude=["password"])
    assert list(raised.value.message_dict) == ["time_zone"]


def test_organisation_languages_must_be_known_codes() -> None:
    organisation = OrganisationFactory.build(languages=["fr", "klingon"])
    with pytest.raises(ValidationError) as raised:
        organisation.full_clean()
    assert list(raised.value.message_dict) == ["languages"]


def test_organisation_language_names_are_translated() -> None:
    organisation = OrganisationFactory.build(languages=["fr", "nl"])
    with translation.override("en"):
        assert organisation.language_names == ["French", "Dutch"]


def test_applicants_are_visible_to_facilitators_only(facilitator: User, outsider: User) -> None:
    OrganisationFactory(name="Applicant coop", status="applicant")
    member = OrganisationFactory(name="Member coop")
    assert list(Organisation.objects.visible_to(outsider)) == [member]
    assert Organisation.objects.visible_to(facilitator).count() == 2
