"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page, WebError, expect
from playwright.sync_api import Error as PlaywrightError

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The address axe is loaded from during the tests: on the site's own origin, answered by
# Playwright with the vendored file (see `axe`).
AXE_URL_PATH = "/__browser-tests__/axe.min.js"
PASSWORD = "a-good-password"  # the factories' password


def t(message: str, language: str = "fr", **params: Any) -> str:
    """``message`` as the site shows it in ``language`` (the English source while untranslated).

    Tests compare with this rather than with hard-coded text so that they check the exact words
    the site shows both before and after the translation catalogues are filled in.
    """
    with translation.override(language):
        text = translation.gettext(message)
    return text % params if params else text


def tp(context: str, message: str, language: str = "fr") -> str:
    """Like `t`, for a message translated in a ``context`` (``pgettext``), such as a decision's
    outcome ("Approved") that another context ("Approved", a need's status) words otherwise."""
    with translation.override(language):
        return translation.pgettext(context, message)


def tn(singular: str, plural: str, count: int, language: str = "fr", **params: Any) -> str:
    """Like `t`, for a message with plural forms; ``count`` is passed as ``counter``."""
    with translation.override(language):
        text = translation.ngettext(singular, plural, count)
    return text % {"counter": count, **params}


def field(page: Page | Locator, label: str) -> Locator:
    """The form field labelled ``label`` (Django adds a label suffix, " :" in French), in the
    page or in a part of it."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*:?$"))


def prefix(language: str) -> str:
    """French pages live at the root, the others under /en/, /nl/ …"""
    return "" if language == "fr" else f"/{language}"


def log_in(page: Page, email: str, password: str = PASSWORD, *, language: str = "fr") -> None:
    """Log in through the login form, as a person would, and wait for the dashboard."""
    page.goto(f"{prefix(language)}/accounts/login/")
    field(page, capfirst(t("e-mail address", language))).fill(email)
    field(page, t("Password", language)).fill(password)
    page.get_by_role("main").get_by_role("button", name=t("Log in", language)).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its violations.

    The site's Content-Security-Policy allows scripts from its own origin only, and
    ``add_script_tag(path=…)`` inserts the file as an *inline* script, which that policy blocks
    ("Executing inline script violates … script-src 'self'"). Rather than switching the policy
    off (``bypass_csp=True``, which would also hide the site's own violations from these tests),
    the script tag points to an address on the site's origin and the browser context answers
    that one request with the vendored file (`route_axe`): the policy stays as the site sends it.
    """
    page.add_script_tag(url=AXE_URL_PATH)
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def route_axe(context: BrowserContext) -> None:
    """Answer requests for AXE_URL_PATH, on any origin, with the vendored axe-core."""
    context.route(
        f"**{AXE_URL_PATH}",
        lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript"),
    )


def assert_accessible(page: Page) -> None:
    """No accessibility violation, of any impact, on the page as it is now."""
    found = axe(page)
    assert not found, f"axe-core violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} → "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in found
    )


# A page's level-1 heading, as `visit` checks it: its whole text, or a pattern it contains.
Heading = str | re.Pattern[str] | None


def containing(text: str) -> re.Pattern[str]:
    """A `Heading` that contains ``text`` (a badge or a reference may follow a title)."""
    return re.compile(re.escape(text))


def visit(
    page: Page, path: str, language: str, heading: Heading = None, *, status: int = 200
) -> None:
    """Open ``path`` in ``language`` and check what every page shows: the answer's status, the
    language in the ``lang`` attribute and, when given, the level-1 heading."""
    response = page.goto(prefix(language) + path)
    assert response is not None, f"no answer from {path}"
    assert response.status == status, f"{response.url} answered {response.status}, not {status}"
    expect(page.locator("html")).to_have_attribute("lang", language)
    if heading is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)


class PageChecks:
    """The checks of the many pages one test visits (one database set up for all of them).

    Each page is checked ``on(name, language)``: what fails there is recorded under that name
    and the test goes on to the next page; `assert_all_passed`, at its end, fails with every
    failing page listed, so that one broken page neither hides the others nor goes unnamed.
    """

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.checked = 0

    @contextmanager
    def on(self, name: str, language: str) -> Iterator[None]:
        self.checked += 1
        try:
            yield
        except Exception as error:  # whatever failed, listed with the others at the end
            expected = isinstance(error, AssertionError | PlaywrightError)
            what = str(error) if expected else f"{type(error).__name__}: {error}"
            self.failures.append(f"{name} ({language}): {what}")

    def pages(
        self,
        page: Page,
        language: str,
        pages: Iterable[tuple[str, str, Heading]],
        *,
        also: Callable[[Page, str], None] | None = None,
    ) -> None:
        """`visit` each (name, path, heading) in ``language`` and run axe there; ``also``
        checks more on each page (given the page and the language) before axe runs."""
        for name, path, heading in pages:
            with self.on(name, language):
                visit(page, path, language, heading)
                if also is not None:
                    also(page, language)
                assert_accessible(page)

    def assert_all_passed(self) -> None:
        assert not self.failures, (
            f"{len(self.failures)} of {self.checked} page checks failed:\n\n"
            + "\n\n".join(self.failures)
        )


class ConsoleErrors:
    """What the pages of a test's contexts log as errors: console errors (Chromium logs CSP
    violations and failed requests there) and uncaught JavaScript exceptions.

    Nothing is filtered out: so far Chromium, launched with the flags above, logs nothing of its
    own on these pages.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") or (message.page.url if message.page else "")
            self.messages.append(f"{message.text} (on {where})")

    def record_exception(self, error: WebError) -> None:
        where = error.page.url if error.page else ""
        self.messages.append(f"uncaught exception: {error.error} (on {where})")

    def forgive_status(self, path: str, status: int) -> None:
        """Forget Chromium's report of the error status a page answered with on purpose (a 404
        page, a form sent back with its errors): "Failed to load resource: the server responded
        with a status of 404 (Not Found) (on …/no-such-page/)". Its other errors stay."""
        self.messages = [
            message
            for message in self.messages
            if not (f"status of {status} " in message and path in message)
        ]
