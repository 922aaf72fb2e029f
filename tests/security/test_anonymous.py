"""Every URL pattern of the project turns an anonymous visitor away, but for an explicit list
of public pages. A pattern added later must be protected or put on the list, or this fails."""

import pytest

from tests.security.conftest import SIGN_IN_PREFIXES, all_routes, url_for

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Pages a visitor without an account must reach: signing in and up, recovering a password,
# the steps of a sign-in in progress, the public verification page, health, static helpers.
PUBLIC = {
    "home",
    "healthz",
    "set_language",
    "documents:verify",
    "documents:jwks",  # the QR tokens' public keys
    "documents:verify_pdf",  # checks an uploaded PDF's signature
    "documents:verify_offline",  # checks a QR token in the browser
    # The transparency log: its checkpoint, keys and proofs (hashes only) are for everyone.
    "transparency:checkpoint",
    "transparency:key",
    "transparency:consistency_proof",
    "transparency:inclusion_proof",
    # The register of agreements: agencies, their MoUs and monthly counts, never a person.
    "agreements:list",
    "agreements:list_json",
    "agreements:agency",
    "agreements:agency_json",
    "agencies:accept_invitation",  # the link's token is the proof; a wrong one is a 404
    "accounts:password_reset_sms",
    "accounts:password_reset_sms_confirm",
    # allauth's sign-up, sign-in and code pages as the portal wraps them (issue 11: a refused SMS
    # is a page, a claim of a national code held by an unproven account), on the same paths.
    "accounts:signup",
    "accounts:login",
    "accounts:verify_phone",
    "account_login",
    "account_logout",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_login_code",
    "account_verify_phone",
    "mfa_authenticate",
    "admin:login",
    "admin:logout",
    "admin:jsi18n",  # the admin's translation catalogue, the same for everyone
    # The agencies' API: its description and documentation page, and the token endpoint (whose
    # client credentials are the proof; without them it answers 400 or 401).
    "api_docs",
    "api-v1:openapi-json",
    "api-v1:token",
}


def turned_away(response) -> bool:
    if response.status_code in (301, 302):
        return response["Location"].startswith(SIGN_IN_PREFIXES)
    # 401: the API's answer to a call without a bearer token.
    return response.status_code in (401, 403, 404, 405)


def test_the_public_list_names_only_existing_patterns():
    names = {route.name for route in all_routes()}
    assert names >= PUBLIC, PUBLIC - names


def open_to_anonymous(client, world, method: str) -> tuple[int, list[tuple]]:
    """Walk every pattern; return how many were walked and those an anonymous visitor got."""
    walked, opened = 0, []
    for route in all_routes():
        url = url_for(route, world)
        response = getattr(client, method)(url)
        walked += 1
        assert response.status_code < 500, (route.name, url, response.status_code)
        if route.name not in PUBLIC and not turned_away(response):
            opened.append((route.name, url, response.status_code, response.get("Location")))
    return walked, opened


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_turned_away_from_every_page_not_public(world, client, method):
    walked, opened = open_to_anonymous(client, world, method)
    print(f"\n{method.upper()}: {walked} URL patterns, {len(PUBLIC)} public, {len(opened)} open")
    assert opened == []
    assert walked == len(all_routes()) > 150


def test_a_new_page_left_unprotected_makes_the_walk_fail(world, client, settings):
    settings.ROOT_URLCONF = "tests.security.urls_with_an_open_page"
    _walked, opened = open_to_anonymous(client, world, "get")
    assert [name for name, *_ in opened] == ["forgotten"]
