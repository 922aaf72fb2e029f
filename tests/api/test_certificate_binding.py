"""RFC 8705 certificate-bound tokens: a client bound to a certificate gets tokens, and calls with
them, only when the trusted TLS proxy passes that certificate; the header is ignored unless the
proxy is trusted; unbound clients work as before; a PEM with a private key is refused."""

import base64
import datetime
import hashlib
from typing import Any
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from agencies import services
from agencies.client_certificates import ClientCertificate, parse_client_certificate
from agencies.models import ApiClient, ApiClientEvent
from api.checks import client_certificate_header_is_trusted
from api.models import AccessToken
from inquiries.models import DisclosureRecord
from tests.api.conftest import ADDRESS, call, inquiry

pytestmark = pytest.mark.django_db
HEADER = "X-SSL-Client-Cert"
PROXY = "127.0.0.1"
PAGE = "/gov/api-clients/"


class Synthetic:
    """A self-signed certificate of a synthetic system, its PEM, its key's PEM and what nginx's
    $ssl_client_escaped_cert would send for it."""

    def __init__(self, name: str = "Synthetic case system", days: int = 365) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Synthetic Relief Agency"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256())
        )
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        self.key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.escaped = quote(self.pem, safe="")
        # Computed here from the DER, independently of the code under test.
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        self.thumbprint = (
            base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
        )

    @property
    def parsed(self) -> ClientCertificate:
        return parse_client_certificate(self.pem)


@pytest.fixture
def behind_proxy(settings):
    settings.API_CLIENT_CERT_HEADER = HEADER
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def through_proxy(certificate: Synthetic | None) -> dict[str, Any]:
    """What the portal sees behind one nginx: the proxy's address, the client's in
    X-Forwarded-For, the verified certificate (if any) in the header."""
    meta: dict[str, Any] = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ADDRESS}
    if certificate is not None:
        meta["HTTP_X_SSL_CLIENT_CERT"] = certificate.escaped
    return meta


def ask_for_token(connected, certificate: Synthetic | None, **meta: Any):
    return Client().post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": connected.client.client_id,
            "client_secret": connected.secret,
        },
        **{**through_proxy(certificate), **meta},
    )


def look_up(token: str, certificate: Synthetic | None):
    headers = {HEADER: certificate.escaped} if certificate is not None else {}
    return call("POST", "/api/v1/inquiries", token, json=inquiry(), **headers)


def bound(connect, certificate: Synthetic):
    connected = connect()
    services.bind_api_client_certificate(
        client=connected.client, actor=connected.admin, certificate=certificate.parsed
    )
    connected.client.refresh_from_db()
    return connected


def test_a_bound_client_gets_a_token_only_with_its_certificate(connect, behind_proxy):
    mine, another = Synthetic(), Synthetic("Another system")
    connected = bound(connect, mine)
    assert connected.client.cert_thumbprint == mine.thumbprint
    for presented in (None, another):
        refused = ask_for_token(connected, presented)
        assert refused.status_code == 401, refused.content
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/invalid-client")
        assert refused.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()
    given = ask_for_token(connected, mine)
    assert given.status_code == 200, given.content
    # RFC 8705 §3: the binding is kept by the portal; the token response is unchanged.
    assert set(given.json()) == {"access_token", "token_type", "expires_in", "scope"}
    assert AccessToken.objects.get().cert_thumbprint == mine.thumbprint


def test_every_call_with_a_bound_token_presents_the_same_certificate(
    connect, behind_proxy, registered_person
):
    mine, another = Synthetic(), Synthetic("Another system")
    connected = bound(connect, mine)
    token = ask_for_token(connected, mine).json()["access_token"]
    for presented in (None, another):
        refused = look_up(token, presented)
        assert refused.status_code == 401, refused.content
        assert refused.json()["type"].endswith("/invalid-token")
        assert 'error="invalid_token"' in refused["WWW-Authenticate"]
        assert refused["WWW-Authenticate"].startswith("Bearer ")
    assert not DisclosureRecord.objects.exists()
    assert look_up(token, mine).status_code == 200
    assert DisclosureRecord.objects.count() == 1


def test_the_header_is_ignored_unless_the_proxy_is_trusted(
    connect, behind_proxy, registered_person, settings, other_citizen, outsider
):
    mine = Synthetic()
    connected = bound(connect, mine)
    token = ask_for_token(connected, mine).json()["access_token"]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    # A direct caller forging the header neither gets a token nor satisfies a bound one.
    direct = {"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": ""}
    assert ask_for_token(connected, mine, **direct).status_code == 401
    assert look_up(token, mine).status_code == 401
    assert not DisclosureRecord.objects.exists()
    # ... and it binds nothing: an unbound client's token stays unbound.
    unbound = connect(admin=other_citizen, responsible=outsider)
    given = ask_for_token(unbound, mine, **direct)
    assert given.status_code == 200
    assert AccessToken.objects.get(client=unbound.client).cert_thumbprint == ""


def test_with_the_feature_off_a_bound_client_gets_no_token(connect, behind_proxy, settings):
    mine = Synthetic()
    connected = bound(connect, mine)
    settings.API_CLIENT_CERT_HEADER = ""
    assert ask_for_token(connected, mine).status_code == 401


def test_an_unbound_client_is_unaffected(connect, behind_proxy, registered_person):
    connected = connect()
    for presented in (None, Synthetic()):
        given = ask_for_token(connected, presented)
        assert given.status_code == 200
        assert look_up(given.json()["access_token"], presented).status_code == 200
    assert set(AccessToken.objects.values_list("cert_thumbprint", flat=True)) == {""}


def test_binding_or_replacing_the_certificate_refuses_older_tokens(
    connect, behind_proxy, registered_person
):
    first, second = Synthetic("First"), Synthetic("Second")
    connected = connect()
    unbound_token = ask_for_token(connected, first).json()["access_token"]
    services.bind_api_client_certificate(
        client=connected.client, actor=connected.admin, certificate=first.parsed
    )
    assert look_up(unbound_token, first).status_code == 401
    first_token = ask_for_token(connected, first).json()["access_token"]
    assert look_up(first_token, first).status_code == 200
    services.bind_api_client_certificate(
        client=connected.client, actor=connected.admin, certificate=second.parsed
    )
    assert look_up(first_token, first).status_code == 401
    assert ask_for_token(connected, first).status_code == 401
    assert look_up(ask_for_token(connected, second).json()["access_token"], second).status_code == (
        200
    )
    events = ApiClientEvent.objects.filter(client=connected.client, action="certificate_bound")
    assert [event.reasons.split()[0] for event in events] == [
        f"x5t#S256={first.thumbprint}",
        f"x5t#S256={second.thumbprint}",
    ]


def test_the_agency_admin_asks_for_a_bound_client_with_a_pem_file(
    client, connect, agency_admin, agency_staff
):
    connect()
    mine = Synthetic("Relief case system")
    client.force_login(agency_admin)
    response = client.post(
        PAGE,
        {
            "name": "Relief case system",
            "responsible": agency_staff.pk,
            "scopes": ["coverage_flag"],
            "allowed_addresses": "192.0.2.20",
            "certificate_file": SimpleUploadedFile("system.crt", mine.pem.encode()),
        },
    )
    assert response.status_code == 302, response.content.decode()
    asked = ApiClient.objects.get(name="Relief case system")
    assert asked.cert_thumbprint == mine.thumbprint
    assert "CN=Relief case system" in asked.cert_subject
    assert mine.thumbprint in asked.events.get(action="requested").reasons


def test_the_panel_binds_a_client_and_shows_its_certificate(client, connect, agency_admin):
    connected = connect()
    mine = Synthetic("Relief case system")
    client.force_login(agency_admin)
    response = client.post(
        f"{PAGE}{connected.client.pk}/certificate/",
        {"certificate_text": mine.pem},
    )
    assert response.status_code == 302
    connected.client.refresh_from_db()
    assert connected.client.cert_thumbprint == mine.thumbprint
    english = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = english.split('data-testid="api-client-certificate"')[1].split("</dd>\n    </dl>")[0]
    assert "Bound (mutual TLS)" in shown
    assert f'data-testid="thumbprint">{mine.thumbprint}<' in shown
    assert "CN=Relief case system" in shown
    expiry = connected.client.cert_not_valid_after
    assert expiry is not None and timezone.localdate(expiry).isoformat() in shown
    persian = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "متصل به گواهی دیجیتال" in persian


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This file contains a private key."), ("fa", "این پرونده کلید خصوصی دارد.")],
)
def test_a_pem_with_a_private_key_is_refused(client, connect, agency_admin, language, message):
    connected = connect()
    mine = Synthetic()
    client.force_login(agency_admin)
    field = "certificate_text"
    for data in (
        {field: mine.pem + mine.key_pem},
        {"certificate_file": SimpleUploadedFile("bundle.pem", (mine.key_pem + mine.pem).encode())},
    ):
        response = client.post(
            f"{PAGE}{connected.client.pk}/certificate/", data, HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        # The refused key is not sent back in the page.
        assert "PRIVATE KEY" not in page
    connected.client.refresh_from_db()
    assert connected.client.cert_thumbprint == ""
    assert not connected.client.events.filter(action="certificate_bound").exists()


@pytest.mark.parametrize(
    "text",
    ["not a certificate", Synthetic(days=-2).pem, Synthetic().pem + Synthetic().pem],
    ids=["garbage", "expired", "two"],
)
def test_anything_but_one_valid_certificate_is_refused(client, connect, agency_admin, text):
    connected = connect()
    client.force_login(agency_admin)
    response = client.post(
        f"{PAGE}{connected.client.pk}/certificate/",
        {"certificate_text": text},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    connected.client.refresh_from_db()
    assert connected.client.cert_thumbprint == ""


def test_another_agency_cannot_bind_a_client(client, connect, other_citizen, outsider):
    connected = connect()
    other = connect(admin=other_citizen, responsible=outsider)
    client.force_login(other.admin)
    response = client.post(
        f"{PAGE}{connected.client.pk}/certificate/",
        {"certificate_text": Synthetic().pem},
    )
    assert response.status_code == 404
    connected.client.refresh_from_db()
    assert connected.client.cert_thumbprint == ""


def test_a_certificate_header_without_a_trusted_proxy_is_a_warning(settings):
    settings.API_CLIENT_CERT_HEADER = HEADER
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert [message.id for message in client_certificate_header_is_trusted()] == ["api.W001"]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_certificate_header_is_trusted() == []
