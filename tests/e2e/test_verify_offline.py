"""The offline check (/verify/offline/): loaded once online, it verifies a certificate's QR
token with WebCrypto's Ed25519 and the keys it cached, with the network cut and no request."""

import base64
import json

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from documents import qr_tokens, services
from documents.models import Certificate
from portal.digits import to_persian_digits
from tests.conftest import make_user


@pytest.fixture
def certificate(monkeypatch) -> Certificate:
    holder = make_user("0010000011", "+989121110001", first_name="Sara", last_name="Ahmadi")
    monkeypatch.setattr(services, "_enqueue_render", lambda certificate_id: None)
    return services.issue_certificate(holder=holder, language="fa")


def _tampered(url: str) -> str:
    """The same QR address with one fact changed (insured: yes) and the signature kept."""
    page, token = url.split("#")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["ins"] = True
    forged = qr_tokens.b64url(json.dumps(claims, ensure_ascii=False).encode())
    return f"{page}#{header}.{forged}.{signature}"


def _load_online_then_cut_the_network(page: Page, context: BrowserContext) -> list[str]:
    page.goto(reverse("documents:verify_offline"))
    expect(page.locator("#keys-status")).to_have_attribute("data-keys", "fresh")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route("**/*", lambda route: route.abort())
    context.set_offline(True)
    return requests


def _check(page: Page, text: str) -> None:
    page.locator("#result").evaluate("element => element.removeAttribute('data-outcome')")
    page.get_by_role("textbox").fill(text)
    page.locator("#token-form button[type=submit]").click()


def test_offline_a_genuine_token_is_valid_and_a_tampered_one_is_not(
    page: Page, context: BrowserContext, certificate
):
    url = qr_tokens.qr_url(certificate)
    requests = _load_online_then_cut_the_network(page, context)

    _check(page, url)
    result = page.locator("#result")
    expect(result).to_have_attribute("data-outcome", "valid")
    # Persian first: the verdict and the masked holder, as the token states them.
    expect(result).to_contain_text("اصیل")
    expect(result).to_contain_text("S… A…")
    expect(result).to_contain_text(to_persian_digits(certificate.number))

    _check(page, _tampered(url))
    expect(result).to_have_attribute("data-outcome", "invalid")

    # A genuine token pasted under another certificate's number is refused too.
    other_number = "1" * 12 if certificate.number != "1" * 12 else "2" * 12
    _check(page, url.replace(f"/verify/{certificate.number}/", f"/verify/{other_number}/"))
    expect(result).to_have_attribute("data-outcome", "invalid")

    assert requests == []


@pytest.mark.browser_context(locale="en-US")
def test_the_page_says_when_the_keys_were_refreshed_and_keeps_them(
    page: Page, context: BrowserContext, live_server, certificate
):
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(reverse("documents:verify_offline"))
    status = page.locator("#keys-status")
    expect(status).to_have_attribute("data-keys", "fresh")
    expect(status).to_contain_text("last refreshed")
    # Loaded again with the key set unreachable: the kept keys still verify.
    context.route("**/.well-known/jwks.json", lambda route: route.abort())
    page.reload()
    expect(status).to_have_attribute("data-keys", "cached")
    _check(page, qr_tokens.qr_url(certificate))
    expect(page.locator("#result")).to_have_attribute("data-outcome", "valid")
    expect(page.locator("#result")).to_contain_text("Genuine")
