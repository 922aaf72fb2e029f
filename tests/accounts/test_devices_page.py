"""The devices page names the browser and the system, not the raw user-agent string."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.useragents import describe
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
EDGE_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


@pytest.mark.parametrize(
    ("agent", "browser", "system"),
    [
        (CHROME_ANDROID, "Chrome", "Android"),
        (FIREFOX_WINDOWS, "Firefox", "Windows"),
        (SAFARI_IPHONE, "Safari", "iOS"),
        (EDGE_MAC, "Edge", "macOS"),
        ("curl/8.5.0", "", ""),
        ("", "", ""),
    ],
)
def test_it_tells_the_browser_and_the_system(agent, browser, system):
    assert describe(agent) == (browser, system)


def test_the_page_shows_browser_and_system_for_each_device(citizen):
    devices = []
    for agent in (CHROME_ANDROID, FIREFOX_WINDOWS):
        device = Client(HTTP_USER_AGENT=agent)
        device.cookies["django_language"] = "en"
        device.post(
            reverse("account_login"), {"login": citizen.national_code, "password": PASSWORD}
        )
        devices.append(device)
    html = devices[1].get(reverse("usersessions_list")).content.decode()
    assert "Chrome on Android" in html
    assert "Firefox on Windows" in html
    assert "Mozilla/5.0" not in html
