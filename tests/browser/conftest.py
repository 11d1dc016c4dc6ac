"""Chromium through Playwright, against pytest-django's live server.

Every browser context a test opens records the errors its pages log to the console, CSP
violations included; the test fails at teardown if there were any.
"""

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_support import ConsoleErrors, log_in, route_axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from komunigi.community.models import User

CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium: Playwright's own download is not used.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in the main thread, and Django refuses ORM calls
    # from a thread with a running loop ("You cannot call this from an async context"). The
    # tests' ORM calls are plain synchronous calls, so that guard does not apply to them; it
    # stays on for every test that does not drive the browser.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def console_errors() -> Iterator[ConsoleErrors]:
    errors = ConsoleErrors()
    yield errors
    assert not errors.messages, "the browser console logged errors:\n" + "\n".join(errors.messages)


@pytest.fixture
def new_context(
    browser: Browser, live_server: LiveServer, console_errors: ConsoleErrors
) -> Iterator[Callable[..., BrowserContext]]:
    """Open a fresh browser context, as another person in another browser would."""
    contexts: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        context = browser.new_context(**{"locale": "fr-FR", "base_url": live_server.url, **options})
        contexts.append(context)
        context.set_default_timeout(5_000)
        context.on("console", console_errors.record_console)
        context.on("weberror", console_errors.record_exception)
        route_axe(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


@pytest.fixture
def facilitator_page(facilitator: User, page: Page) -> Page:
    """A page on which the facilitator is logged in."""
    log_in(page, facilitator.email)
    return page
