"""From the public join form to the new representative's dashboard, in three browsers."""

import re
from collections.abc import Callable

import pytest
from browser_support import field, log_in, t, tn
from django.conf import settings as django_settings
from django.core import mail
from django.utils.text import capfirst
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from komunigi.community.models import User

pytestmark = pytest.mark.browser

ORGANISATION = "La Coop du Coin"
CONTACT_NAME = "Camille Martin"
CONTACT_EMAIL = "camille.martin@coopducoin.example"
NEW_PASSWORD = "Tournesol-vrac-2031"


def submit_join_request(visitor: Page) -> None:
    visitor.goto("/join/")
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("How to join"))
    field(visitor, capfirst(t("organisation name"))).fill(ORGANISATION)
    field(visitor, t("Kind of organisation")).select_option("supermarket")
    field(visitor, capfirst(t("country"))).select_option("BE")
    field(visitor, t("Your name")).fill(CONTACT_NAME)
    field(visitor, t("Your e-mail address")).fill(CONTACT_EMAIL)
    field(visitor, t("Tell us about your organisation and what you expect")).fill(
        "Nous ouvrons à Liège au printemps et voulons utiliser Odoo avec vous."
    )
    field(visitor, t("I agree to be contacted by the facilitators about this request.")).check()
    visitor.get_by_role("button", name=t("Send my request")).click()

    expect(visitor).to_have_url(re.compile(r"/join/thanks/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("Thank you!"))


def accept_join_request(facilitator_page: Page, facilitator: User) -> None:
    log_in(facilitator_page, facilitator.email)
    facilitation = facilitator_page.get_by_role("region", name=t("Facilitation"))
    expect(facilitation).to_contain_text(
        tn(
            "%(counter)s join request is waiting for an answer.",
            "%(counter)s join requests are waiting for an answer.",
            1,
        )
    )
    facilitation.get_by_role("link", name=ORGANISATION).click()

    expect(facilitator_page).to_have_url(re.compile(r"/facilitation/join-requests/\d+/$"))
    expect(facilitator_page.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    expect(facilitator_page.get_by_role("main")).to_contain_text(CONTACT_EMAIL)
    facilitator_page.get_by_role("button", name=t("Accept the request")).click()

    expect(facilitator_page.get_by_role("status")).to_have_text(
        t("%(name)s is now a member; its contact was sent an invitation.", name=ORGANISATION)
    )
    expect(facilitator_page.get_by_role("button", name=t("Accept the request"))).to_have_count(0)


def invitation_link() -> str:
    """The set-password link of the invitation e-mail the contact received."""
    subject = t(
        "Welcome to %(community_name)s: %(name)s is a member",
        community_name=django_settings.KOMUNIGI_COMMUNITY_NAME,
        name=ORGANISATION,
    )
    invitations = [m for m in mail.outbox if m.subject == subject]
    assert [m.to for m in invitations] == [[CONTACT_EMAIL]], [
        (m.to, m.subject) for m in mail.outbox
    ]
    invitation = invitations[0]
    assert ORGANISATION in invitation.subject
    links = re.findall(r"https?://\S+", invitation.body)
    assert len(links) == 1, invitation.body
    link = links[0]
    # French contact, French page: no language prefix; the HTML part has the same link.
    assert link.startswith(f"{django_settings.KOMUNIGI_BASE_URL}/accounts/set-password/")
    html, mimetype = invitation.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    return link


def set_password(contact: Page, link: str) -> None:
    contact.goto(link)
    expect(contact.get_by_role("heading", level=1)).to_have_text(t("Choose your password"))
    expect(contact.get_by_role("main")).to_contain_text(
        t("%(organisation)s: %(role)s", organisation=ORGANISATION, role=t("Representative"))
    )
    field(contact, t("New password")).fill(NEW_PASSWORD)
    field(contact, t("New password confirmation")).fill(NEW_PASSWORD)
    contact.get_by_role("button", name=t("Set my password and log in")).click()


def expect_representative_dashboard(contact: Page) -> None:
    expect(contact).to_have_url(re.compile(r"/dashboard/$"))
    expect(contact.get_by_role("heading", level=1)).to_have_text(
        t("Hello %(name)s", name="Camille")
    )
    organisations = contact.get_by_role("region", name=t("Your organisations"))
    item = organisations.get_by_role("listitem").filter(has_text=ORGANISATION)
    expect(item.get_by_role("link")).to_have_text(ORGANISATION)
    expect(item.locator(".badge")).to_have_text(t("Representative"))


def test_join_journey_from_request_to_representative_dashboard(
    new_context: Callable[..., BrowserContext],
    facilitator: User,
    settings: Settings,
    live_server: LiveServer,
) -> None:
    settings.KOMUNIGI_BASE_URL = live_server.url

    submit_join_request(new_context().new_page())
    accept_join_request(new_context().new_page(), facilitator)
    link = invitation_link()

    contact = new_context().new_page()
    set_password(contact, link)
    expect_representative_dashboard(contact)
    expect(contact.get_by_role("status")).to_have_text(
        t("Your password is set and you are logged in.")
    )

    contact.get_by_role("button", name=t("Log out")).click()
    expect(contact).to_have_url(f"{live_server.url}/")
    expect(contact.get_by_role("link", name=t("Log in"))).to_be_visible()

    # The link works once.
    contact.goto(link)
    expect(contact.get_by_role("heading", level=1)).to_have_text(t("This link no longer works"))

    log_in(contact, CONTACT_EMAIL, NEW_PASSWORD)
    expect_representative_dashboard(contact)
