import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse

from komunigi.community.models import ApiToken, JoinRequest, JoinRequestStatus, Role, User
from komunigi.community.tests.factories import (
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.throttle.models import Hit

pytestmark = pytest.mark.django_db

JOIN_FORM = {
    "organisation_name": "La Cagette",
    "kind": "supermarket",
    "country": "FR",
    "contact_name": "Camille Martin",
    "contact_email": "camille@cagette.example",
    "message": "Nous utilisons Odoo 12.",
    "consent": "on",
    "website": "",
}


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_join_form_creates_a_pending_request_and_thanks(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/join/", JOIN_FORM, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302
    assert response["Location"] == "/join/thanks/"
    join_request = JoinRequest.objects.get()
    assert join_request.organisation_name == "La Cagette"
    assert join_request.language == "fr"
    assert join_request.submitted_from == "198.51.100.4"
    assert [m.to for m in mail.outbox] == [["camille@cagette.example"]]


def test_join_form_in_english_records_the_visitors_language(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/join/", JOIN_FORM)
    assert JoinRequest.objects.get().language == "en"
    assert mail.outbox[0].subject == "We received the join request of La Cagette"


def test_join_form_with_bad_input_shows_errors_keeps_input_and_creates_nothing(
    client: Client,
) -> None:
    data = {**JOIN_FORM, "contact_email": "not-an-email", "consent": "", "kind": "bank"}
    response = client.post("/en/join/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "kind": ["Select a valid choice. bank is not one of the available choices."],
        "contact_email": ["Enter a valid email address."],
        "consent": ["We can only answer if you agree to be contacted."],
    }
    page = response.content.decode()
    assert 'value="La Cagette"' in page
    assert "Nous utilisons Odoo 12.</textarea>" in page
    assert JoinRequest.objects.count() == 0


def test_join_form_errors_are_translated_to_french(client: Client) -> None:
    response = client.post("/join/", {**JOIN_FORM, "consent": ""})
    assert response.context["form"].errors["consent"] == [
        "Nous ne pouvons vous répondre que si vous acceptez d’être contacté·e."
    ]


def test_join_form_honeypot_pretends_success_and_stores_nothing(client: Client) -> None:
    response = client.post("/join/", {**JOIN_FORM, "website": "http://spam.example"})
    assert response["Location"] == "/join/thanks/"
    assert JoinRequest.objects.count() == 0
    assert mail.outbox == []


def test_join_form_rate_limit_answers_429_and_keeps_the_input(client: Client, settings) -> None:
    settings.KOMUNIGI_JOIN_REQUESTS_PER_IP_PER_HOUR = 1
    client.post("/en/join/", {**JOIN_FORM, "contact_email": "one@example.org"})
    response = client.post("/en/join/", {**JOIN_FORM, "contact_email": "two@example.org"})
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [
        "We received many requests from your network in the last hour. "
        "Please try again later or write to us."
    ]
    assert 'value="two@example.org"' in response.content.decode()
    assert JoinRequest.objects.count() == 1


def test_join_form_second_request_gets_a_friendly_message(client: Client) -> None:
    client.post("/en/join/", JOIN_FORM)
    response = client.post("/en/join/", {**JOIN_FORM, "message": "Any news?"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "A request from this address is already waiting for an answer: it stays in the queue "
        "and a facilitator will reply to it soon."
    ]
    assert JoinRequest.objects.get().message == "Nous utilisons Odoo 12."


def test_join_form_refuses_an_overlong_message(client: Client) -> None:
    response = client.post("/en/join/", {**JOIN_FORM, "message": "x" * 5001})
    assert response.context["form"].errors == {
        "message": ["Ensure this value has at most 5000 characters (it has 5001)."]
    }
    assert JoinRequest.objects.count() == 0


def test_ecosystem_groups_member_organisations_by_kind_and_country(client: Client) -> None:
    OrganisationFactory(name="BEES coop", country="BE", city="Schaerbeek")
    OrganisationFactory(name="Le NID", country="CH", city="Genève")
    OrganisationFactory(name="Coopdevs", kind="provider", country="ES")
    OrganisationFactory(name="Hidden applicant", status="applicant")
    response = client.get("/en/ecosystem/")
    assert [(kind, str(counted)) for kind, counted in response.context["kinds"]] == [
        ("supermarket", "2 cooperative supermarkets"),
        ("provider", "1 provider"),
    ]
    heading = '<h2 id="kind-supermarket">2 cooperative supermarkets</h2>'
    assert heading in response.content.decode()
    assert [
        (country, [o.name for o in orgs]) for country, orgs in response.context["countries"]
    ] == [
        ("Belgium", ["BEES coop"]),
        ("Switzerland", ["Le NID"]),
    ]
    assert "Hidden applicant" not in response.content.decode()
    providers = client.get("/en/ecosystem/?kind=provider").context["countries"]
    assert [(country, [o.name for o in orgs]) for country, orgs in providers] == [
        ("Spain", ["Coopdevs"])
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_ecosystem_runs_a_bounded_number_of_queries(
    client: Client, django_assert_num_queries, count: int
) -> None:
    OrganisationFactory.create_batch(count)
    with django_assert_num_queries(4):  # counts by kind; a page of them, its count; former
        client.get("/ecosystem/")


def test_organisation_page_shows_people_to_logged_in_members_only(
    client: Client, representative: User
) -> None:
    public = client.get("/en/ecosystem/bees-coop/")
    assert public.status_code == 200
    assert "Rita Representative" not in public.content.decode()
    member_view = logged_in(representative).get("/en/ecosystem/bees-coop/")
    assert "Rita Representative" in member_view.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_organisation_page_runs_a_bounded_number_of_queries(
    representative: User, django_assert_num_queries, count: int
) -> None:
    organisation = representative.memberships.get().organisation
    MembershipFactory.create_batch(count, organisation=organisation)
    client = logged_in(representative)
    with django_assert_num_queries(5):  # session, user, organisation, may manage, people
        client.get("/ecosystem/bees-coop/")


def test_applicant_organisation_page_is_for_facilitators_only(
    client: Client, facilitator: User
) -> None:
    OrganisationFactory(slug="applicant", status="applicant")
    # Not found, exactly as an address that leads nowhere: applicants are not announced.
    assert client.get("/ecosystem/applicant/").status_code == 404
    assert logged_in(facilitator).get("/ecosystem/applicant/").status_code == 200


def test_join_requests_need_a_facilitator(
    client: Client, representative: User, facilitator: User
) -> None:
    join_request = JoinRequestFactory()
    for url in ["/facilitation/join-requests/", f"/facilitation/join-requests/{join_request.pk}/"]:
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/")
        assert logged_in(representative).get(url).status_code == 403
        assert logged_in(facilitator).get(url).status_code == 200


def test_non_facilitator_cannot_accept_a_request(representative: User) -> None:
    join_request = JoinRequestFactory()
    response = logged_in(representative).post(
        f"/facilitation/join-requests/{join_request.pk}/", {"accept": "1"}
    )
    assert response.status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


def test_facilitator_accepts_a_request_from_its_page(facilitator: User) -> None:
    join_request = JoinRequestFactory(organisation_name="Oufticoop")
    client = logged_in(facilitator)
    response = client.post(
        f"/en/facilitation/join-requests/{join_request.pk}/", {"accept": "1"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Oufticoop is now a member; its contact was sent an invitation."
    ]
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.ACCEPTED


def test_facilitator_declines_with_a_message_or_is_asked_for_one(facilitator: User) -> None:
    join_request = JoinRequestFactory()
    client = logged_in(facilitator)
    url = f"/en/facilitation/join-requests/{join_request.pk}/"
    empty = client.post(url, {"decline": "1", "message": ""})
    assert empty.status_code == 200
    assert empty.context["decline_form"].errors == {"message": ["This field is required."]}
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING

    client.post(url, {"decline": "1", "message": "Please come back when you open."})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert join_request.decline_message == "Please come back when you open."


@pytest.mark.parametrize("count", [1, 3])
def test_join_request_list_runs_a_bounded_number_of_queries(
    facilitator: User, django_assert_num_queries, count: int
) -> None:
    JoinRequestFactory.create_batch(count)
    for join_request in JoinRequestFactory.create_batch(count):
        join_request.status = JoinRequestStatus.DECLINED
        join_request.decided_by = facilitator
        join_request.save()
    client = logged_in(facilitator)
    # session, user; pending and answered, each a page of them and how many there are
    with django_assert_num_queries(6):
        client.get("/facilitation/join-requests/")


def test_invitation_link_sets_a_password_logs_in_and_works_once(
    facilitator: User, client: Client, django_capture_on_commit_callbacks
) -> None:
    join_request = JoinRequestFactory(contact_email="new@example.org", organisation_name="Bloum")
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(facilitator).post(
            f"/facilitation/join-requests/{join_request.pk}/", {"accept": "1"}
        )
    link = re.search(r"http://[^/]+(/accounts/set-password/\S+)", mail.outbox[-1].body)[1]

    page = client.get(link, follow=True)
    assert page.context["validlink"] is True
    assert "Bloum" in page.content.decode()
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "une phrase de passe", "new_password2": "une phrase de passe"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert response.context["user"].email == "new@example.org"
    assert User.objects.get(email="new@example.org").check_password("une phrase de passe")

    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False


def test_password_reset_mails_a_link_in_the_persons_language(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    UserFactory(email="anna@example.org", language="de", full_name="Anna Huber")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "Anna@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    [email] = mail.outbox
    assert email.to == ["anna@example.org"]
    assert "/de/accounts/set-password/" in email.body


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client: Client,
) -> None:
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_links_are_limited_per_address_and_per_network(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    UserFactory(email="anna@example.org")
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/password-reset/", {"email": "anna@example.org"})
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 3  # the page says the same; the inbox is not flooded
    for n in range(5):
        client.post("/accounts/password-reset/", {"email": f"other{n}@example.org"})
    refused = client.post("/en/accounts/password-reset/", {"email": "last@example.org"})
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors() == [
        "Too many requests from your network: try again later."
    ]


def test_set_password_page_works_for_an_account_that_never_had_one(client: Client) -> None:
    from komunigi.community.emails import set_password_url

    user = User.objects.create_user("invited@example.org", full_name="Invited")
    link = set_password_url(user).removeprefix("http://127.0.0.1:8000")
    assert client.get(link, follow=True).context["validlink"] is True


def test_login_leads_to_the_dashboard_in_the_persons_language(client: Client) -> None:
    UserFactory(email="anna@example.org", language="de")
    response = client.post(
        "/accounts/login/", {"username": "ANNA@example.org", "password": "a-good-password"}
    )
    assert response["Location"] == "/de/dashboard/"


def guesses(client: Client, email: str, count: int, address: str = "203.0.113.7") -> None:
    for _ in range(count):
        client.post(
            "/accounts/login/", {"username": email, "password": "guess"}, REMOTE_ADDR=address
        )


def test_failed_logins_from_one_network_wait_longer_and_longer(client: Client) -> None:
    UserFactory(email="anna@example.org")
    guesses(client, "anna@example.org", 3)  # the first three are free
    blocked = client.post(
        "/en/accounts/login/",
        {"username": "anna@example.org", "password": "a-good-password"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert blocked.status_code == 429
    assert blocked.context["throttled"] == (
        "Too many failed attempts. Try again in 2 seconds, or set a new password by e-mail."
    )
    assert "_auth_user_id" not in client.session
    assert 'value="anna@example.org"' in blocked.content.decode()
    Hit.objects.update(at=F("at") - timedelta(seconds=3))  # two seconds later …
    guesses(client, "anna@example.org", 1)  # … one more wrong guess: now four seconds
    again = client.post(
        "/en/accounts/login/",
        {"username": "anna@example.org", "password": "a-good-password"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert "Try again in 4 seconds" in again.context["throttled"]


def test_guesses_from_elsewhere_never_lock_the_owner_out(client: Client) -> None:
    """Ten wrong passwords from another network used to block the right one for everyone."""
    UserFactory(email="anna@example.org")
    for number in range(10):
        guesses(Client(), "anna@example.org", 5, address=f"198.51.100.{number}")
    response = client.post(
        "/accounts/login/",
        {"username": "anna@example.org", "password": "a-good-password"},
        REMOTE_ADDR="192.0.2.1",
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_one_network_trying_many_accounts_is_stopped_for_a_quarter_of_an_hour(
    client: Client,
) -> None:
    UserFactory(email="anna@example.org")
    for number in range(20):
        guesses(client, f"someone{number}@example.org", 1)
    blocked = client.post(
        "/en/accounts/login/",
        {"username": "anna@example.org", "password": "a-good-password"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert blocked.status_code == 429
    assert "Try again in 900 seconds" in blocked.context["throttled"]


def test_a_new_password_has_twelve_characters_at_least(client: Client) -> None:
    user = UserFactory(email="anna@example.org")
    client.force_login(user)
    refused = client.post(
        "/en/account/password/",
        {
            "old_password": "a-good-password",
            "new_password1": "Short-pw9!",
            "new_password2": "Short-pw9!",
        },
    )
    assert refused.status_code == 200
    assert "at least 12 characters" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-good-password")


def test_login_with_a_wrong_password_explains_in_french(client: Client) -> None:
    UserFactory(email="anna@example.org")
    response = client.post(
        "/accounts/login/", {"username": "anna@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith("Saisissez")


def test_account_page_updates_name_language_and_time_zone(outsider: User) -> None:
    client = logged_in(outsider)
    response = client.post(
        "/account/",
        {"full_name": "Oscar Renamed", "language": "en", "time_zone": "Europe/Berlin"},
        follow=True,
    )
    outsider.refresh_from_db()
    assert (outsider.full_name, outsider.language, outsider.time_zone) == (
        "Oscar Renamed",
        "en",
        "Europe/Berlin",
    )
    assert [str(m) for m in response.context["messages"]] == ["Your account was updated."]


def test_account_page_refuses_an_unknown_time_zone(outsider: User) -> None:
    response = logged_in(outsider).post(
        "/en/account/", {"full_name": "Oscar", "language": "en", "time_zone": "Mars/Olympus"}
    )
    assert list(response.context["form"].errors) == ["time_zone"]
    outsider.refresh_from_db()
    assert outsider.time_zone == "Europe/Brussels"


def test_new_api_token_is_shown_once_and_never_cached(outsider: User) -> None:
    client = logged_in(outsider)
    created = client.post("/en/account/tokens/", {"name": "report script"})
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    secret = created.context["new_token"]["secret"]
    assert secret.startswith("kmg_")
    assert secret in created.content.decode()
    assert secret not in client.get("/en/account/").content.decode()
    assert ApiToken.objects.get().name == "report script"


def test_api_token_needs_a_name(outsider: User) -> None:
    response = logged_in(outsider).post("/en/account/tokens/", {"name": ""})
    assert response.status_code == 400
    assert response.context["token_form"].errors == {"name": ["This field is required."]}
    assert ApiToken.objects.count() == 0


def test_nobody_revokes_someone_elses_token(outsider: User, representative: User) -> None:
    client = logged_in(outsider)
    client.post("/account/tokens/", {"name": "mine"})
    token = ApiToken.objects.get()
    response = logged_in(representative).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("count", [1, 3])
def test_account_page_runs_a_bounded_number_of_queries(
    outsider: User, django_assert_num_queries, count: int
) -> None:
    from komunigi.community.services import create_api_token

    for n in range(count):
        create_api_token(outsider, name=f"token {n}")
        MembershipFactory(user=outsider, role=Role.MEMBER)
    client = logged_in(outsider)
    with django_assert_num_queries(5):  # session, user, tokens, memberships, newsletter
        client.get(reverse("account"))


def test_join_request_page_tells_its_history_in_words(facilitator: User) -> None:
    from komunigi.community import services

    outcome = services.submit_join_request(
        organisation_name="Coop Z",
        kind="supermarket",
        country="FR",
        contact_name="Zoé",
        contact_email="zoe@example.org",
        message="Hello",
        consent=True,
        language="fr",
        submitted_from=None,
        client="192.0.2.1",
    )
    services.decline_join_request(outcome.join_request, actor=facilitator, message="Not yet.")
    response = logged_in(facilitator).get(f"/en{outcome.join_request.get_absolute_url()}")
    assert [(str(label), event.actor_label) for event, label in response.context["history"]] == [
        ("Declined: message sent", "Fanny Facilitator"),
        ("Request received", ""),
    ]


def test_organisation_people_are_listed_representative_first(client: Client) -> None:
    organisation = OrganisationFactory(slug="coop")
    MembershipFactory(organisation=organisation, user=UserFactory(full_name="Aaron"))
    MembershipFactory(
        organisation=organisation, role=Role.SUBSTITUTE, user=UserFactory(full_name="Bea")
    )
    representative = MembershipFactory(
        organisation=organisation, role=Role.REPRESENTATIVE, user=UserFactory(full_name="Zed")
    ).user
    client.force_login(representative)
    people = client.get("/ecosystem/coop/").context["people"]
    assert [m.user.full_name for m in people] == ["Zed", "Bea", "Aaron"]


def test_a_representative_adds_a_new_person_who_gets_a_one_time_link(
    representative: User, django_capture_on_commit_callbacks
) -> None:
    client = logged_in(representative)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/ecosystem/bees-coop/people/",
            {"full_name": "Nora New", "email": "Nora@Example.org", "role": "substitute"},
            follow=True,
        )
    assert [str(m) for m in response.context["messages"]] == [
        "Nora New is added and was sent an e-mail."
    ]
    nora = User.objects.get(email="nora@example.org")
    assert nora.memberships.get().role == Role.SUBSTITUTE
    [email] = mail.outbox
    assert email.subject == "Vous faites maintenant partie de BEES coop sur Komunigi"
    assert "/accounts/set-password/" in email.body


def test_adding_a_second_substitute_or_a_member_twice_is_refused(representative: User) -> None:
    client = logged_in(representative)
    bees = representative.memberships.get().organisation
    MembershipFactory(organisation=bees, role=Role.SUBSTITUTE)
    refused = client.post(
        "/en/ecosystem/bees-coop/people/",
        {"full_name": "Sam", "email": "sam@example.org", "role": "substitute"},
    )
    assert refused.status_code == 400
    assert refused.context["invite_form"].non_field_errors() == [
        "This organisation already has a substitute."
    ]
    assert 'value="sam@example.org"' in refused.content.decode()
    again = client.post(
        "/en/ecosystem/bees-coop/people/",
        {"full_name": "Rita", "email": "rep@bees.example", "role": "member"},
    )
    assert again.context["invite_form"].non_field_errors() == [
        "rep@bees.example is already in BEES coop."
    ]


def test_only_the_representative_or_a_facilitator_manages_people(
    representative: User, facilitator: User
) -> None:
    bees = representative.memberships.get().organisation
    member = MembershipFactory(organisation=bees, role=Role.MEMBER)
    other_rep = MembershipFactory(role=Role.REPRESENTATIVE).user
    data = {"full_name": "X", "email": "x@example.org", "role": "member"}
    for intruder in (member.user, other_rep):
        client = logged_in(intruder)
        assert client.post("/ecosystem/bees-coop/people/", data).status_code == 403
        assert client.post(f"/ecosystem/bees-coop/people/{member.pk}/remove/").status_code == 403
    assert logged_in(facilitator).post("/ecosystem/bees-coop/people/", data).status_code == 302


def test_the_representative_hands_over_the_role_and_becomes_a_member(
    representative: User,
) -> None:
    bees = representative.memberships.get().organisation
    successor = MembershipFactory(organisation=bees, role=Role.MEMBER)
    client = logged_in(representative)
    client.post(f"/ecosystem/bees-coop/people/{successor.pk}/role/", {"role": "representative"})
    roles = dict(bees.memberships.values_list("user__email", "role"))
    assert roles == {"rep@bees.example": "member", successor.user.email: "representative"}


def test_the_representative_cannot_be_removed_nor_demoted_without_a_successor(
    representative: User,
) -> None:
    own = representative.memberships.get()
    client = logged_in(representative)
    response = client.post(f"/en/ecosystem/bees-coop/people/{own.pk}/remove/", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Hand the representative's role to somebody else first: it is never empty."
    ]
    client.post(f"/ecosystem/bees-coop/people/{own.pk}/role/", {"role": "member"})
    own.refresh_from_db()
    assert own.role == Role.REPRESENTATIVE


def test_a_person_is_removed_from_an_organisation(representative: User) -> None:
    bees = representative.memberships.get().organisation
    leaving = MembershipFactory(organisation=bees, role=Role.MEMBER)
    logged_in(representative).post(f"/ecosystem/bees-coop/people/{leaving.pk}/remove/")
    assert not bees.memberships.filter(pk=leaving.pk).exists()
    assert User.objects.filter(pk=leaving.user_id).exists()  # the account stays
