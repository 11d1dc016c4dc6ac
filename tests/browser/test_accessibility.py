"""axe-core on every page, in French and in English: no violation of any impact."""

from collections.abc import Callable

import pytest
from browser_support import ConsoleErrors, assert_accessible, log_in, prefix, t
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from komunigi.community import services
from komunigi.community.demo import DEMO_PASSWORD, load_demo_community
from komunigi.community.emails import set_password_url
from komunigi.community.models import JoinRequest, JoinRequestStatus, Role, User
from komunigi.community.tests.factories import JoinRequestFactory, MembershipFactory

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "en"]
PUBLIC_PAGES = {
    "home": "/",
    "ecosystem": "/ecosystem/",
    "organisation": "/ecosystem/bees-coop/",
    "join": "/join/",
    "join-thanks": "/join/thanks/",
    "login": "/accounts/login/",
    "password-reset": "/accounts/password-reset/",
    "password-reset-sent": "/accounts/password-reset/sent/",
    "split-simulator": "/co-financing/simulator/",
    "co-financing": "/co-financing/",
    "budget": "/co-financing/budget/",
    "co-financing-history": "/co-financing/history/",
    "maintenance": "/co-financing/maintenance/",
    "commons": "/commons/",
    "migration-planner": "/commons/migration/",
}
REPRESENTATIVE = "claire.dubois@bees-coop.example"  # of BEES coop, in the demo community


@pytest.fixture
def demo_community(transactional_db: None) -> None:
    load_demo_community()


@pytest.fixture
def pending_join_request(facilitator: User) -> JoinRequest:
    """A pending join request with its history (and another one, already declined)."""
    pending = services.submit_join_request(
        organisation_name="Épicerie Les Tournesols",
        kind="supermarket",
        country="FR",
        contact_name="Louise Bernard",
        contact_email="louise@tournesols.example",
        message="Nous utilisons Odoo 12.\nPouvons-nous vous rejoindre ?",
        consent=True,
        language="fr",
        submitted_from="192.0.2.10",
        client="192.0.2.10",
    ).join_request
    JoinRequestFactory(
        status=JoinRequestStatus.DECLINED,
        decided_by=facilitator,
        decided_at=timezone.now(),
        decline_message="Nous ne connaissons pas encore votre projet.",
    )
    return pending


@pytest.mark.usefixtures("demo_community")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_is_accessible(page: Page, language: str, path: str) -> None:
    page.goto(prefix(language) + path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_join_form_with_errors_is_accessible(page: Page, language: str) -> None:
    page.goto(f"{prefix(language)}/join/")
    page.get_by_role("button", name=t("Send my request", language)).click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)


@pytest.mark.usefixtures("demo_community")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "path",
    ["/dashboard/", "/account/", "/account/password/", "/ecosystem/bees-coop/"],
    ids=["dashboard", "account", "password-change", "organisation-people"],
)
def test_personal_page_is_accessible(page: Page, language: str, path: str) -> None:
    log_in(page, REPRESENTATIVE, DEMO_PASSWORD, language=language)
    page.goto(prefix(language) + path)
    expect(page.get_by_role("link", name=t("My account", language), exact=True)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_not_found_page_is_accessible(
    page: Page, console_errors: ConsoleErrors, language: str
) -> None:
    response = page.goto(f"{prefix(language)}/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Page not found", language))
    assert_accessible(page)
    # Chromium reports the page's own 404 status in the console: that one is expected.
    console_errors.messages = [m for m in console_errors.messages if "/no-such-page/" not in m]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_name", ["dashboard", "join-requests", "join-request"])
def test_facilitation_page_is_accessible(
    facilitator_page: Page, pending_join_request: JoinRequest, language: str, page_name: str
) -> None:
    path = {
        "dashboard": "/dashboard/",
        "join-requests": "/facilitation/join-requests/",
        "join-request": f"/facilitation/join-requests/{pending_join_request.pk}/",
    }[page_name]
    facilitator_page.goto(prefix(language) + path)
    expect(facilitator_page.get_by_role("main")).to_contain_text(
        pending_join_request.organisation_name
    )
    assert_accessible(facilitator_page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("used", [False, True], ids=["invitation", "used-invitation"])
def test_set_password_page_is_accessible(
    page: Page, settings: Settings, live_server: LiveServer, language: str, used: bool
) -> None:
    settings.KOMUNIGI_BASE_URL = live_server.url
    membership = MembershipFactory(role=Role.REPRESENTATIVE, user__language=language)
    link = set_password_url(membership.user)  # the invitation's link, in the person's language
    if used:
        membership.user.set_password("Tournesol-vrac-2031")
        membership.user.save()
    page.goto(link)
    heading = "This link no longer works" if used else "Choose your password"
    expect(page.get_by_role("heading", level=1)).to_have_text(t(heading, language))
    assert_accessible(page)


def test_home_page_fits_a_phone_screen(new_context: Callable[..., BrowserContext]) -> None:
    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto("/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"the home page scrolls sideways: {scroll_width}px wide"
