"""Browser tests: Debian's headless Chromium driven by Playwright, against pytest-django's live server.

Every page is watched: console errors and any request that leaves 127.0.0.1 fail the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here are
# ordinary blocking calls, which Django would otherwise refuse next to a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@dataclass
class PageWatch:
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.external_requests, f"requests leaving the machine: {self.external_requests}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_watch() -> PageWatch:
    return PageWatch()


def _watch(page: object, watch: PageWatch) -> None:
    def on_console(msg: object) -> None:
        if msg.type == "error":
            watch.console_errors.append(msg.text)

    def on_request(request: object) -> None:
        host = urlparse(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in LOCAL_HOSTS:
            watch.external_requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))
    page.on("request", on_request)
    # Nothing may leave the machine: external requests are recorded and aborted.
    page.route(
        "**/*",
        lambda route: (
            route.abort()
            if (urlparse(route.request.url).hostname or "") not in LOCAL_HOSTS
            and not route.request.url.startswith(("data:", "blob:"))
            else route.continue_()
        ),
    )


@pytest.fixture
def new_page(browser, page_watch):  # noqa: ANN201
    """A factory: ``new_page(width=1366, height=768)`` → a watched page in a fresh context."""
    contexts = []

    def make(width: int = 1366, height: int = 768, **context_args: object) -> object:
        context = browser.new_context(viewport={"width": width, "height": height}, **context_args)
        contexts.append(context)
        page = context.new_page()
        _watch(page, page_watch)
        return page

    yield make
    for context in contexts:
        context.close()


def login(page: object, live_server_url: str, username: str, password: str = "x-Pass-2569!") -> None:
    page.goto(f"{live_server_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
