import pytest
from django.test import Client

from komunigi.community.models import User
from komunigi.community.tests.factories import JoinRequestFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_french_by_default_and_english_under_en(client: Client) -> None:
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="fr">' in french.content.decode()
    assert "Mutualiser le développement de nos logiciels communs" in french.content.decode()
    english = client.get("/en/")
    assert '<html lang="en">' in english.content.decode()
    assert "Pooling the development of our shared software" in english.content.decode()


def test_home_page_counts_member_supermarkets_and_providers(client: Client) -> None:
    OrganisationFactory.create_batch(3)
    OrganisationFactory(status="applicant")
    OrganisationFactory(kind="provider")
    response = client.get("/en/")
    assert response.context["counts"] == {"supermarket": 3, "provider": 1}


@pytest.mark.parametrize(
    ("language", "expected_path"),
    [("en", "/en/ecosystem/"), ("nl", "/nl/ecosystem/"), ("fr", "/ecosystem/")],
)
def test_language_switch_leads_to_the_same_page_in_the_chosen_language(
    client: Client, language: str, expected_path: str
) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/de/ecosystem/"})
    assert response.status_code == 302
    assert response["Location"] == expected_path


def test_language_switch_is_remembered_for_logged_in_people(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    outsider.refresh_from_db()
    assert outsider.language == "es"


def test_dashboard_needs_login(client: Client) -> None:
    response = client.get("/dashboard/")
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_dashboard_lists_the_persons_organisations_and_roles(
    client: Client, representative: User
) -> None:
    client.force_login(representative)
    response = client.get("/en/dashboard/")
    page = response.content.decode()
    assert "BEES coop" in page
    assert "Representative" in page
    assert "pending_join_requests" not in response.context


def test_dashboard_shows_facilitators_the_pending_join_requests(
    client: Client, facilitator: User
) -> None:
    JoinRequestFactory.create_batch(7)
    client.force_login(facilitator)
    response = client.get("/en/dashboard/")
    assert response.context["pending_join_requests_count"] == 7
    assert len(response.context["pending_join_requests"]) == 5
    assert "7 join requests are waiting for an answer." in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_runs_a_bounded_number_of_queries(
    client: Client, facilitator: User, django_assert_num_queries, count: int
) -> None:
    """Whatever the number of organisations, join requests, needs, rounds and estimates."""
    from komunigi.community.models import Role
    from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
    from komunigi.funding import services as funding
    from komunigi.funding.tests.test_campaigns import open_campaign
    from komunigi.meetings import services as meetings
    from komunigi.meetings.tests.test_services import plan
    from komunigi.needs.models import EstimateAssignment
    from komunigi.needs.tests.factories import InterestFactory, NeedFactory, PriorityRoundFactory

    provider = OrganisationFactory(kind="provider")
    MembershipFactory(user=facilitator, organisation=provider)
    for number in range(count):
        supermarket = MembershipFactory(user=facilitator, role=Role.REPRESENTATIVE).organisation
        need = NeedFactory(status="open")
        PriorityRoundFactory().candidates.set([need])
        EstimateAssignment.objects.create(need=need, provider=provider, hours_budget=2)
        campaign = open_campaign(facilitator, minimum_supermarkets=1)
        InterestFactory(need=campaign.need, organisation=supermarket)
        if number:  # one waits for a pledge, the others for their board
            funding.pledge(campaign, supermarket, actor=facilitator, needs_board_approval=True)
        meetings.send_invitations(plan(facilitator), actor=facilitator)
    JoinRequestFactory.create_batch(count)
    client.force_login(facilitator)
    # session, user, memberships, meeting invitations; needs awaiting interest (3),
    # rankings awaiting (3), estimates (1); campaigns awaiting a pledge (4), balances (2),
    # votes awaiting (2), invitations to answer (1); join requests (2), stuck needs (1);
    # the mailing lists to offer (1: a facilitator is a member without asking), deliveries
    # stopped by bounces (1), messages held for moderation (1)
    with django_assert_num_queries(26):
        response = client.get("/dashboard/")
    assert len(response.context["campaigns_awaiting"]) == count
    assert len(response.context["invitations_to_answer"]) == count


def test_healthz_answers_ok_after_asking_the_database(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_pages_send_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


def test_missing_page_is_a_translated_404(client: Client) -> None:
    response = client.get("/en/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_form_sent_without_its_security_token_gets_an_explanation(outsider: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    response = client.post("/en/account/", {"full_name": "Changed", "language": "en"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.full_name == "Oscar Outsider"
