from collections.abc import Iterator

import pytest
from django.core import mail
from django.utils import translation

from komunigi.audit.models import AuditEvent
from komunigi.community import services
from komunigi.community.models import (
    ApiToken,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Organisation,
    OrganisationStatus,
    Role,
    User,
)
from komunigi.community.tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.errors import DomainError
from komunigi.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services speak the language of the request that calls them; here, English."""
    with translation.override("en"):
        yield


def submit(**overrides: object) -> services.JoinRequestOutcome:
    data = {
        "organisation_name": "La Cagette",
        "kind": "supermarket",
        "country": "FR",
        "contact_name": "Camille Martin",
        "contact_email": "camille@cagette.example",
        "message": "We run Odoo 12.",
        "consent": True,
        "language": "fr",
        "submitted_from": "192.0.2.7",
        "client": "192.0.2.7",
    }
    return services.submit_join_request(**{**data, **overrides})


def test_submit_join_request_records_it_and_mails_contact_and_facilitators(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = submit()
    assert outcome.already_pending is False
    join_request = JoinRequest.objects.get()
    assert join_request.status == JoinRequestStatus.PENDING
    assert join_request.contact_email == "camille@cagette.example"
    assert join_request.consent is True
    assert sorted(m.to[0] for m in mail.outbox) == [
        "camille@cagette.example",
        "facilitator@example.org",
    ]
    assert AuditEvent.objects.get().action == "community.join_request.received"


def test_submit_without_consent_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        submit(consent=False)
    assert raised.value.message == "We can only answer if you agree to be contacted."
    assert JoinRequest.objects.count() == 0


def test_second_pending_request_from_same_email_is_not_duplicated_nor_merged() -> None:
    first = submit().join_request
    outcome = submit(contact_email="CAMILLE@cagette.example", message="Please add this!")
    assert outcome.already_pending is True
    assert outcome.join_request == first
    assert JoinRequest.objects.count() == 1
    first.refresh_from_db()
    assert first.message == "We run Odoo 12."  # a visitor cannot write into someone's request


def test_new_request_is_possible_once_the_previous_one_was_answered(facilitator: User) -> None:
    first = submit().join_request
    services.decline_join_request(first, actor=facilitator, message="Not yet.")
    outcome = submit()
    assert outcome.already_pending is False
    assert JoinRequest.objects.count() == 2


def test_too_many_requests_from_one_client_in_an_hour_are_refused(settings) -> None:
    settings.KOMUNIGI_JOIN_REQUESTS_PER_IP_PER_HOUR = 3
    submit(contact_email="a@example.org")
    submit(contact_email="b@example.org")
    submit(contact_email="a@example.org")  # a duplicate counts too
    with pytest.raises(DomainError) as raised:
        submit(contact_email="c@example.org")
    assert raised.value.message.startswith("We received many requests from your network")
    assert JoinRequest.objects.count() == 2
    submit(contact_email="c@example.org", client="198.51.100.9")  # another network may
    assert JoinRequest.objects.count() == 3


def test_accept_creates_member_organisation_representative_and_invitation(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    join_request = JoinRequestFactory(
        organisation_name="Le NID", country="CH", contact_email="nid@example.org", language="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        organisation = services.accept_join_request(join_request, actor=facilitator)

    assert organisation.status == OrganisationStatus.MEMBER
    assert organisation.slug == "le-nid"
    assert organisation.country.code == "CH"
    assert organisation.languages == ["en"]
    contact = User.objects.get(email="nid@example.org")
    assert contact.has_usable_password() is False
    assert contact.language == "en"
    assert Membership.objects.get(user=contact).role == Role.REPRESENTATIVE
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.ACCEPTED
    assert join_request.decided_by == facilitator
    assert join_request.organisation == organisation
    [invitation] = mail.outbox
    assert invitation.to == ["nid@example.org"]
    assert invitation.subject == "Welcome to Komunigi: Le NID is a member"
    assert "/en/accounts/set-password/" in invitation.body
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "community.join_request.accepted",
        "community.organisation.created",
    }


def test_accept_attaches_an_existing_account_instead_of_creating_one(facilitator: User) -> None:
    existing = UserFactory(email="known@example.org")
    join_request = JoinRequestFactory(contact_email="Known@Example.org")
    organisation = services.accept_join_request(join_request, actor=facilitator)
    assert User.objects.filter(email="known@example.org").count() == 1
    assert Membership.objects.get(organisation=organisation).user == existing


def test_accept_refuses_a_name_already_in_use_and_changes_nothing(facilitator: User) -> None:
    OrganisationFactory(name="BEES coop")
    join_request = JoinRequestFactory(organisation_name="bees coop")
    with pytest.raises(DomainError) as raised:
        services.accept_join_request(join_request, actor=facilitator)
    assert raised.value.message == "An organisation named “bees coop” already exists."
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING
    assert Organisation.objects.count() == 1
    assert OutboxMessage.objects.count() == 0


def test_a_request_cannot_be_answered_twice(facilitator: User) -> None:
    join_request = JoinRequestFactory()
    services.accept_join_request(join_request, actor=facilitator)
    with pytest.raises(DomainError) as accepted:
        services.accept_join_request(join_request, actor=facilitator)
    with pytest.raises(DomainError) as declined:
        services.decline_join_request(join_request, actor=facilitator, message="No.")
    assert accepted.value.message == "This request was already accepted."
    assert declined.value.message == "This request was already accepted."
    assert Organisation.objects.count() == 1


def test_decline_mails_the_message_in_the_contacts_language(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    join_request = JoinRequestFactory(organisation_name="Coop X", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_join_request(
            join_request, actor=facilitator, message="We only welcome food cooperatives."
        )
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert join_request.decline_message == "We only welcome food cooperatives."
    [email] = mail.outbox
    assert email.subject == "Your request for Coop X to join Komunigi"
    assert "We only welcome food cooperatives." in email.body
    assert Organisation.objects.count() == 0


def test_decline_without_a_message_is_refused(facilitator: User) -> None:
    join_request = JoinRequestFactory()
    with pytest.raises(DomainError):
        services.decline_join_request(join_request, actor=facilitator, message="   ")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


def test_unique_slug_gets_a_number_when_taken() -> None:
    OrganisationFactory(name="Coop", slug="coop")
    OrganisationFactory(name="Coop 2", slug="coop-2")
    assert services.unique_organisation_slug("Coop") == "coop-3"
    assert services.unique_organisation_slug("Vervîcoop") == "vervicoop"


def test_api_token_is_stored_hashed_and_finds_its_user(outsider: User) -> None:
    token, raw = services.create_api_token(outsider, name="script")
    assert raw.startswith("kmg_")
    assert raw not in token.token_hash
    assert token.prefix == raw[:12]
    assert services.user_for_api_token(raw) == outsider
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_or_unknown_api_tokens_find_nobody(outsider: User) -> None:
    token, raw = services.create_api_token(outsider, name="script")
    services.revoke_api_token(token, actor=outsider)
    assert services.user_for_api_token(raw) is None
    assert services.user_for_api_token("kmg_not-a-token") is None
    assert services.user_for_api_token("") is None


def test_api_token_of_a_deactivated_person_finds_nobody(outsider: User) -> None:
    _, raw = services.create_api_token(outsider, name="script")
    outsider.is_active = False
    outsider.save()
    assert services.user_for_api_token(raw) is None


def test_names_with_apostrophes_and_ampersands_reach_the_subject_unescaped(
    facilitator: User, django_capture_on_commit_callbacks
) -> None:
    name = "L'Épi & Co " + "x" * 180  # 200 characters, the longest name allowed
    with django_capture_on_commit_callbacks(execute=True):
        join_request = submit(organisation_name=name).join_request
        services.accept_join_request(join_request, actor=facilitator)
    invitation = mail.outbox[-1]
    assert invitation.subject.startswith("Bienvenue dans Komunigi\u202f: L'Épi & Co xxx")
    assert len(invitation.subject) <= 250
    assert OutboxMessage.objects.filter(subject__contains="&amp;").count() == 0


def test_update_profile_writes_only_what_changed_and_leaves_a_trace(outsider: User) -> None:
    changed = services.update_profile(
        outsider, full_name="Oscar", language="fr", time_zone="Europe/Brussels"
    )
    assert changed == ["full_name"]
    assert AuditEvent.objects.get().data == {"fields": ["full_name"]}
    assert (
        services.update_profile(
            outsider, full_name="Oscar", language="fr", time_zone="Europe/Brussels"
        )
        == []
    )


def test_password_reset_request_mails_active_accounts_only(
    django_capture_on_commit_callbacks,
) -> None:
    UserFactory(email="active@example.org")
    UserFactory(email="gone@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_password_reset("ACTIVE@example.org")
        services.request_password_reset("gone@example.org")
        services.request_password_reset("nobody@example.org")
    assert [m.to for m in mail.outbox] == [["active@example.org"]]
