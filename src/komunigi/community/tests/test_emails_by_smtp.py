"""The community's e-mails, received by a real SMTP server: who gets each, in which language,
and the one-time links they carry (which work, and leave no copy in the outbox)."""

import re
from email.message import EmailMessage

import pytest
from django.test import Client

from komunigi.community import services
from komunigi.community.models import JoinRequest, Organisation, Role, User
from komunigi.community.tests.factories import (
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.notifications import events
from komunigi.notifications.events import Mode
from komunigi.notifications.models import OutboxMessage
from komunigi.notifications.outbox import REDACTED
from komunigi.notifications.services import update_preferences
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db


def by_recipient(server: SmtpServer) -> dict[str, EmailMessage]:
    received = {message["To"]: message for message in server.messages}
    assert len(received) == len(server.messages), "someone received two e-mails"
    return received


def subject(message: EmailMessage) -> str:
    """As a mail client shows it: Django folds a long encoded subject right after the colon,
    and the parser keeps that folding white space (RFC 5322 §2.2.3)."""
    return str(message["Subject"]).strip()


def text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def links(message: EmailMessage) -> list[str]:
    return re.findall(r"http://127\.0\.0\.1:8000(\S+)", text(message))


def test_a_join_request_is_acknowledged_and_told_to_the_active_facilitators(
    smtp_server: SmtpServer, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    UserFactory(email="felix@example.org", is_facilitator=True, language="en")
    UserFactory(email="gone@example.org", is_facilitator=True, is_active=False)
    quiet = UserFactory(email="quiet@example.org", is_facilitator=True, language="en")
    update_preferences(
        quiet, modes={events.JOIN_REQUEST.kind: Mode.OFF}, digest_hour=7, paused=False
    )
    MembershipFactory(role=Role.REPRESENTATIVE, user__email="rep@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_join_request(
            organisation_name="La Louve",
            kind="supermarket",
            country="FR",
            contact_name="Lou",
            contact_email="lou@louve.example",
            message="We run Odoo 12.",
            consent=True,
            language="en",
            submitted_from=None,
            client="192.0.2.1",
        )

    received = by_recipient(smtp_server)
    assert sorted(received) == ["facilitator@example.org", "felix@example.org", "lou@louve.example"]
    join_request = JoinRequest.objects.get()
    acknowledgment = received["lou@louve.example"]
    assert subject(acknowledgment) == "We received the join request of La Louve"
    assert acknowledgment["Content-Language"] == "en"
    # Written to an address without an account: nothing to unsubscribe from.
    assert acknowledgment["List-Unsubscribe"] is None
    told = received["felix@example.org"]
    assert subject(told) == "New join request: La Louve"
    assert text(told).splitlines()[2] == (
        "Lou asks that La Louve (Cooperative supermarket, France) join the community."
    )
    assert links(told)[0] == f"/en/facilitation/join-requests/{join_request.pk}/"
    assert told["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["facilitator@example.org"]["Content-Language"] == "fr"


def test_a_declined_request_tells_its_contact_why(
    smtp_server: SmtpServer, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    join_request = JoinRequestFactory(
        organisation_name="Cash & Carry", contact_email="boss@cash.example", language="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_join_request(
            join_request, actor=facilitator, message="We gather cooperatives only."
        )

    [declined] = smtp_server.messages
    assert declined["To"] == "boss@cash.example"
    assert subject(declined) == "Your request for Cash & Carry to join Komunigi"
    assert "We gather cooperatives only." in text(declined).splitlines()
    assert declined["List-Unsubscribe"] is None


def test_an_accepted_request_invites_its_contact_with_a_link_that_sets_a_password(
    smtp_server: SmtpServer, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    join_request = JoinRequestFactory(
        organisation_name="La Louve", contact_email="lou@louve.example", language="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_join_request(join_request, actor=facilitator)

    [invitation] = smtp_server.messages
    assert invitation["To"] == "lou@louve.example"
    assert subject(invitation) == "Welcome to Komunigi: La Louve is a member"
    assert invitation["List-Unsubscribe"] is None  # an account e-mail is always sent
    [link] = [path for path in links(invitation) if "/set-password/" in path]
    assert "Set my password and log in" in Client().get(link, follow=True).content.decode()
    assert OutboxMessage.objects.get(kind="invitation").body_text == REDACTED


def test_a_person_added_to_an_organisation_is_told_with_a_link_to_set_a_password(
    smtp_server: SmtpServer, representative: User, django_capture_on_commit_callbacks
) -> None:
    representative.language = "en"
    representative.save(update_fields=["language"])
    bees = Organisation.objects.get(slug="bees-coop")
    OrganisationFactory(name="Other coop")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_person(
            bees, actor=representative, email="sam@bees.example", full_name="Sam", role="member"
        )

    [invited] = smtp_server.messages
    assert invited["To"] == "sam@bees.example"
    assert invited["Content-Language"] == "en"  # a new account takes its inviter's language
    assert subject(invited) == "You are now in BEES coop on Komunigi"
    assert invited["List-Unsubscribe"] is None
    [link] = [path for path in links(invited) if "/set-password/" in path]
    assert "Set my password and log in" in Client().get(link, follow=True).content.decode()
    assert OutboxMessage.objects.get(kind="membership-invitation").body_text == REDACTED


def test_a_password_reset_arrives_even_when_notifications_are_paused(
    smtp_server: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    person = UserFactory(email="rita@bees.example", language="en")
    update_preferences(person, modes={}, digest_hour=7, paused=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_password_reset("Rita@bees.example")
        services.request_password_reset("nobody@bees.example")  # unknown: nothing is sent

    [reset] = smtp_server.messages
    assert reset["To"] == "rita@bees.example"
    assert subject(reset) == "Choose a new password for Komunigi"
    assert reset["List-Unsubscribe"] is None
    assert reset["Auto-Submitted"] == "auto-generated"
    [link] = [path for path in links(reset) if "/set-password/" in path]
    assert link.startswith("/en/accounts/set-password/")
    assert "Set my password and log in" in Client().get(link, follow=True).content.decode()
    assert OutboxMessage.objects.get(kind="password-reset").body_text == REDACTED
