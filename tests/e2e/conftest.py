"""Browser tests: Chromium, driven by Playwright, against pytest-django's live server.

One Chromium for all the browser tests, a fresh context (cookies, storage, viewport) for each
test. Every test here carries the `browser` marker, so it is skipped where Chromium is missing
(and fails in CI, where skips are forbidden). A failing test leaves a full-page screenshot and
the page's HTML in tests/e2e/artifacts/<test name>.png / .html.

Locate things as a person or a screen reader would, or by the form fields' `name` attributes:
never by CSS classes, which change whenever the templates are restyled.
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.e2e.support import PHONE

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = E2E_DIR / "artifacts"

# The live server binds one address; "localhost" could send Chromium to ::1 first.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

# What a failure report needs from the test's page.
_PAGE = pytest.StashKey[Page]()
_CONSOLE = pytest.StashKey[list[str]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for every browser test; contexts keep the tests apart.

    Package scope rather than session: while Playwright runs, its event loop counts as running
    in this thread, which makes Django's ORM refuse to work (hence DJANGO_ALLOW_ASYNC_UNSAFE,
    for the test's own queries and pytest-django's flush) and makes async_to_sync fail. Stopping
    Playwright after the last browser test gives the tests that follow a normal thread again.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _migrated_rows(transactional_db: None) -> None:
    """Put back the rows migrations make (content types, permissions, the role groups) before
    every browser test.

    A transactional test ends with a flush. After a worker test's flush (serialized rollback)
    the tables are empty; after a plain one, content types come back with new ids. Either way
    the next browser test would find no role groups (sign-up answers 500) or stale content type
    ids (the admin's log fails). Serialized rollback cannot help here: while Playwright's loop
    runs, Django hands out a fresh connection object without the serialized copy.
    """
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal

    from accounts.roles import Role

    ContentType.objects.clear_cache()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def context_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """A Persian-speaking citizen on a phone, unless the test says otherwise.

    `@pytest.mark.browser_context(**DESKTOP)` or `(locale="en-US")` on a test or module
    changes these options (support.py has the device profiles).
    """
    options: dict[str, Any] = {
        "locale": "fa-IR",
        "timezone_id": "Asia/Tehran",
        **PHONE,
    }
    for marker in reversed(list(request.node.iter_markers("browser_context"))):
        options.update(marker.kwargs)
    return options


@pytest.fixture
def context(browser: Browser, live_server, context_options) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    server_errors: list[str] = []
    context.on(
        "response",
        lambda response: (
            server_errors.append(f"{response.status} {response.request.method} {response.url}")
            if response.status >= 500
            else None
        ),
    )
    yield context
    context.close()
    # Whatever a test typed, no page may answer 500.
    assert not server_errors, f"the portal answered with a server error: {server_errors}"


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Page:
    page = context.new_page()
    request.node.stash[_PAGE] = page
    request.node.stash[_CONSOLE] = console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    return page


def _artifact_stem(item: pytest.Item) -> Path:
    return ARTIFACTS_DIR / re.sub(r"[^\w.-]+", "_", item.name)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # A screenshot left by an earlier failure would mislead once the test passes.
    stem = _artifact_stem(item)
    for suffix in (".png", ".html"):
        stem.with_suffix(suffix).unlink(missing_ok=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    page = item.stash.get(_PAGE, None)
    if report.when == "call" and report.failed and page is not None and not page.is_closed():
        report.sections.append(("browser", _save_artifacts(item, page)))
    return report


def _save_artifacts(item: pytest.Item, page: Page) -> str:
    stem = _artifact_stem(item)
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    lines = [f"url: {page.url}"]
    try:
        page.screenshot(path=stem.with_suffix(".png"), full_page=True, timeout=TIMEOUT_MS)
        lines.append(f"screenshot: {stem.with_suffix('.png')}")
        stem.with_suffix(".html").write_text(page.content(), encoding="utf-8")
        lines.append(f"html: {stem.with_suffix('.html')}")
    except Exception as error:  # the test's own failure is what the report is about
        lines.append(f"could not save the page: {error}")
    console: list[str] = item.stash.get(_CONSOLE, [])
    lines.extend(console)
    return "\n".join(lines)
