import datetime
from decimal import Decimal

import pytest
from django.test import Client

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import JoinRequestFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MODEL_PAGES = [
    "/admin/community/organisation/",
    "/admin/community/membership/",
    "/admin/community/user/",
    "/admin/community/joinrequest/",
    "/admin/community/apitoken/",
    "/admin/audit/auditevent/",
    "/admin/notifications/outboxmessage/",
    "/admin/meetings/meeting/",
    "/admin/meetings/decision/",
    "/admin/funding/campaign/",
    "/admin/funding/ledgertransaction/",
    "/admin/community/organisation/add/",
]


@pytest.mark.parametrize("url", MODEL_PAGES)
def test_facilitators_use_the_admin_for_every_model(
    client: Client, facilitator: User, url: str
) -> None:
    client.force_login(facilitator)
    assert client.get(url).status_code == 200


def test_people_without_a_role_are_kept_out_of_the_admin(
    client: Client, representative: User
) -> None:
    client.force_login(representative)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_facilitators_cannot_give_site_wide_powers(client: Client, facilitator: User) -> None:
    person = UserFactory(email="plain@example.org")
    client.force_login(facilitator)
    page = client.get(f"/admin/community/user/{person.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="is_staff"' not in page
    # Nor facilitator rights, nor the person's address (then a reset there: a takeover).
    assert 'name="is_facilitator"' not in page
    assert 'name="email"' not in page
    assert 'name="full_name"' in page  # what they may change


@pytest.mark.parametrize(
    "powers",
    [{"is_superuser": True, "is_staff": True}, {"is_staff": True}, {"is_facilitator": True}],
)
def test_facilitators_cannot_take_over_an_account_with_powers(
    client: Client, facilitator: User, powers: dict[str, bool]
) -> None:
    other = UserFactory(email="powerful@example.org", **powers)
    client.force_login(facilitator)
    changed = client.post(
        f"/admin/community/user/{other.pk}/change/",
        {"email": "mine@example.org", "full_name": "Taken", "language": "fr"},
    )
    password = client.post(
        f"/admin/community/user/{other.pk}/password/",
        {"password1": "taken-over-123", "password2": "taken-over-123"},
    )
    assert (changed.status_code, password.status_code) == (403, 403)
    other.refresh_from_db()
    assert other.email == "powerful@example.org"
    assert other.check_password("a-good-password")


def test_superusers_manage_every_account(client: Client) -> None:
    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    facilitator = UserFactory(email="f@example.org", is_facilitator=True)
    client.force_login(root)
    assert client.get(f"/admin/community/user/{facilitator.pk}/change/").status_code == 200


def test_admin_changes_leave_an_audit_event(client: Client, facilitator: User) -> None:
    from komunigi.audit.models import AuditEvent
    from komunigi.community.tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name="Coop", slug="coop")
    client.force_login(facilitator)
    response = client.post(
        f"/admin/community/organisation/{organisation.pk}/change/",
        {
            "name": "Coop renamed",
            "slug": "coop",
            "kind": "supermarket",
            "status": "member",
            "country": "BE",
            "city": "Bruxelles",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_label) == (
        "community.organisation.changed_in_admin",
        facilitator,
        "Coop renamed",
    )
    assert event.data == {"change": [{"changed": {"fields": ["Name"]}}]}


def test_admin_action_accepts_selected_join_requests(client: Client, facilitator: User) -> None:
    pending = JoinRequestFactory.create_batch(2)
    client.force_login(facilitator)
    client.post(
        "/admin/community/joinrequest/",
        {"action": "accept_selected", "_selected_action": [jr.pk for jr in pending]},
    )
    assert sorted(jr.status for jr in type(pending[0]).objects.all()) == [
        "accepted",
        "accepted",
    ]


def test_facilitators_read_meetings_and_the_ledger_without_changing_them(
    client: Client, facilitator: User
) -> None:
    from komunigi.funding.ledger import fund, outside, post
    from komunigi.meetings.tests.test_services import in_session, need_decision

    bees = MembershipFactory(role=Role.REPRESENTATIVE)
    meeting = in_session(facilitator, {"bees": (bees.organisation, bees.user)}, ["bees"])
    decision = need_decision(meeting, facilitator)
    entry = post(
        "payment_received", [(fund(), Decimal("5.00")), (outside(), Decimal("-5.00"))],
        date=datetime.date(2026, 11, 23),
    )  # fmt: skip
    client.force_login(facilitator)
    for url in (
        f"/admin/meetings/meeting/{meeting.pk}/change/",
        f"/admin/meetings/decision/{decision.pk}/change/",
        f"/admin/funding/ledgertransaction/{entry.pk}/change/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert b'name="_save"' not in page.content, url  # nothing to save: read only
    assert client.post(f"/admin/funding/ledgertransaction/{entry.pk}/delete/").status_code == 403
