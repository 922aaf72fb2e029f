"""Journeys: each role's first day in Chromium, from nothing to its main task, with a picture of
every step.

The pictures go to $PORTAL_SCREENSHOTS_DIR/<journey>/<device>/ (a temporary folder unless that is
set); scripts/screenshots.sh runs the journeys with it set and makes docs/screenshots from them.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import _PAGE, TIMEOUT_MS
from tests.e2e.journeys.people import Camera, Device


@pytest.fixture(scope="session")
def screenshots_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("PORTAL_SCREENSHOTS_DIR")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def camera(screenshots_root: Path, request: pytest.FixtureRequest) -> Callable[[Device], Camera]:
    """A camera for this journey on `device`; pictures of an earlier run there are replaced."""
    journey = request.node.originalname.removeprefix("test_")

    def make(device: Device) -> Camera:
        folder = screenshots_root / journey / device.name
        for old in folder.glob("*.png"):
            old.unlink()
        return Camera(folder, device)

    return make


@pytest.fixture
def open_browser(
    browser: Browser, live_server, request: pytest.FixtureRequest
) -> Iterator[Callable[[Device], Page]]:
    """Opens a browser of its own for each person (their own cookies, their own screen).

    As for the other browser tests, no page may answer 500, and a failure keeps a picture of the
    page that moved last.
    """
    contexts = []
    server_errors: list[str] = []

    def note_server_error(response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def open_one(device: Device) -> Page:
        context = browser.new_context(base_url=live_server.url, **device.options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("response", note_server_error)
        contexts.append(context)
        page = context.new_page()
        request.node.stash[_PAGE] = page

        def moved(frame) -> None:
            if frame == page.main_frame:
                request.node.stash[_PAGE] = page

        page.on("framenavigated", moved)
        return page

    yield open_one
    for context in contexts:
        context.close()
    assert not server_errors, f"the portal answered with a server error: {server_errors}"
