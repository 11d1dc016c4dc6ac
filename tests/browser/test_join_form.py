"""The join form and the language switcher in a real browser, with and without JavaScript."""

import re
from collections.abc import Callable

import pytest
from browser_support import field, t
from django.core import mail
from django.utils.text import capfirst
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from komunigi.community.models import JoinRequest

pytestmark = pytest.mark.browser

MESSAGE = "Nous sommes 300 coopérateurs.\nNous utilisons Odoo 12 depuis 2019."


def test_join_form_with_bad_input_shows_errors_and_keeps_what_was_typed(page: Page) -> None:
    page.goto("/join/")
    organisation_name = field(page, capfirst(t("organisation name")))
    kind = field(page, t("Kind of organisation"))
    country = field(page, capfirst(t("country")))
    contact_name = field(page, t("Your name"))
    email = field(page, t("Your e-mail address"))
    message = field(page, t("Tell us about your organisation and what you expect"))
    consent = field(page, t("I agree to be contacted by the facilitators about this request."))
    organisation_name.fill("Le Grain de Sel")
    kind.select_option("provider")
    country.select_option("CH")
    contact_name.fill("Jules Favre")
    email.fill("jules.favre@")
    message.fill(MESSAGE)
    page.get_by_role("button", name=t("Send my request")).click()

    expect(page).to_have_url(re.compile(r"/join/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("How to join"))
    # Each error is tied to its field (aria-describedby), so it is read out with it.
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(t("Enter a valid email address."))
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(consent).to_have_accessible_description(
        t("We can only answer if you agree to be contacted.")
    )
    expect(page.locator("[aria-invalid=true]")).to_have_count(2)
    # Nothing typed is lost.
    expect(organisation_name).to_have_value("Le Grain de Sel")
    expect(kind).to_have_value("provider")
    expect(country).to_have_value("CH")
    expect(contact_name).to_have_value("Jules Favre")
    expect(email).to_have_value("jules.favre@")
    expect(message).to_have_value(MESSAGE)
    expect(consent).not_to_be_checked()

    assert not JoinRequest.objects.exists()
    assert mail.outbox == []


def test_language_switcher_works_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/join/")
    # For visitors, plain links: their pages set no cookie and can be cached.
    switcher = page.get_by_role("navigation", name=t("Language"))
    links = switcher.get_by_role("link")
    expect(links).to_have_count(4)  # every language but the current one
    assert [a.get_attribute("hreflang") for a in links.all()] == ["en", "nl", "de", "es"]

    switcher.get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"/en/join/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("How to join", "en"))

    page.get_by_role("navigation", name=t("Language", "en")).get_by_role(
        "link", name="Français"
    ).click()

    expect(page).to_have_url(f"{live_server.url}/join/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
