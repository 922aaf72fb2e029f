"""The identity service's three backends. No answer, however it fails, is ever taken for yes.

The http backend talks to a real HTTPS server this file starts on 127.0.0.1, with a certificate
made for the test; the client trusts it only where a test says so (SSL_CERT_FILE).
"""

import datetime
import io
import ipaddress
import json
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.checks import Tags, run_checks
from django.core.management import call_command

from accounts import demo
from accounts.identity import Ownership, mobile_belongs_to
from accounts.identity.backends import locmem
from accounts.models import DemoIdentityPair, User
from tests.conftest import run_with_settings

CODE = "0499370899"
MOBILE = "+989351234567"
TOKEN = "test-token-not-secret"


# --- locmem ---------------------------------------------------------------------------------------


def test_locmem_answers_yes_only_for_registered_pairs(settings):
    settings.IDENTITY_BACKEND = "locmem"
    locmem.register(CODE, MOBILE)
    assert mobile_belongs_to(CODE, MOBILE) is Ownership.YES
    assert mobile_belongs_to(CODE, "+989351234568") is Ownership.NO
    locmem.unavailable = True
    assert mobile_belongs_to(CODE, MOBILE) is Ownership.UNAVAILABLE
    assert locmem.asked == [(CODE, MOBILE), (CODE, "+989351234568"), (CODE, MOBILE)]


# --- demo -----------------------------------------------------------------------------------------


def test_demo_answers_from_its_table(settings, db):
    settings.IDENTITY_BACKEND = "demo"
    DemoIdentityPair.objects.create(national_code=CODE, mobile=MOBILE)
    assert mobile_belongs_to(CODE, MOBILE) is Ownership.YES
    assert mobile_belongs_to(CODE, "+989351234568") is Ownership.NO


def test_seed_demo_fills_the_demo_pairs_and_proves_the_demo_accounts(settings, db):
    settings.IDENTITY_BACKEND = "demo"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True)

    printed = out.getvalue()
    assert "The demo identity service (IDENTITY_BACKEND=demo) confirms these pairs:" in printed
    for spec in demo.DEMO_USERS:
        user = User.objects.get(national_code=spec.national_code)
        assert user.identity_proven
        assert mobile_belongs_to(spec.national_code, spec.mobile) is Ownership.YES
        assert f"{spec.national_code:<14} {spec.mobile}" in printed
    assert "sign up as a registry person" in printed
    assert DemoIdentityPair.objects.count() == len(demo.DEMO_USERS) + 3

    # A second run changes nothing.
    pairs = list(DemoIdentityPair.objects.values_list("pk", "national_code", "mobile"))
    call_command("seed_demo", stdout=io.StringIO(), no_color=True)
    assert list(DemoIdentityPair.objects.values_list("pk", "national_code", "mobile")) == pairs


# --- http, against a real HTTPS server ------------------------------------------------------------


class _Service(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.headers["Authorization"] == f"Bearer {TOKEN}"
        if self.path == "/redirect":
            self.send_response(307)
            self.send_header("Location", "/match")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        answers = {"/match": {"match": True}, "/no": {"match": False}, "/nonsense": {"ok": 1}}
        answer = answers.get(self.path, {"match": body["mobile"] == MOBILE})
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "identity-service.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The base URL of a local HTTPS identity service, and its certificate."""
    cert_path, key_path = _self_signed_certificate(tmp_path_factory.mktemp("tls"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert_path
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_backend(settings, service, monkeypatch) -> str:
    """The http backend, trusting the test service's certificate; returns the base URL."""
    base_url, cert_path = service
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    settings.IDENTITY_BACKEND = "http"
    settings.IDENTITY_HTTP_TOKEN = TOKEN
    settings.IDENTITY_HTTP_TIMEOUT = 0.5
    return base_url


@pytest.mark.parametrize(
    ("path", "mobile", "expected"),
    [
        ("/", MOBILE, Ownership.YES),
        ("/", "+989351234568", Ownership.NO),
        ("/no", MOBILE, Ownership.NO),
        ("/redirect", MOBILE, Ownership.UNAVAILABLE),  # to /match: never followed
        ("/slow", MOBILE, Ownership.UNAVAILABLE),  # a timeout
        ("/nonsense", MOBILE, Ownership.UNAVAILABLE),  # no boolean "match"
    ],
)
def test_http_handles_each_answer(settings, http_backend, path, mobile, expected):
    settings.IDENTITY_HTTP_URL = http_backend + path
    assert mobile_belongs_to(CODE, mobile) is expected


def test_http_refuses_an_untrusted_certificate(settings, service, monkeypatch, tmp_path):
    base_url, _ = service
    other_cert, _ = _self_signed_certificate(tmp_path)  # trusts another certificate only
    monkeypatch.setenv("SSL_CERT_FILE", str(other_cert))
    settings.IDENTITY_BACKEND = "http"
    settings.IDENTITY_HTTP_TOKEN = TOKEN
    settings.IDENTITY_HTTP_URL = base_url + "/match"
    assert mobile_belongs_to(CODE, MOBILE) is Ownership.UNAVAILABLE


def test_http_with_nobody_listening_is_unavailable(settings):
    settings.IDENTITY_BACKEND = "http"
    settings.IDENTITY_HTTP_TOKEN = TOKEN
    settings.IDENTITY_HTTP_URL = "https://127.0.0.1:9/"
    assert mobile_belongs_to(CODE, MOBILE) is Ownership.UNAVAILABLE


# --- Choosing the backend ---------------------------------------------------------------------

PROBE_BACKEND = "from django.conf import settings; print(settings.IDENTITY_BACKEND)"


def start_settings(**env: str) -> subprocess.CompletedProcess:
    """Read the settings in a fresh interpreter with DEBUG off, outside the tests' environment."""
    return run_with_settings(
        PROBE_BACKEND,
        drop=("PORTAL_", "IDENTITY_", "DEBUG", "SECRET_KEY"),
        env={"DEBUG": "0", **env},
    )


def test_with_debug_off_the_demo_backend_is_used_only_when_named():
    refused = start_settings()
    assert refused.returncode != 0
    assert "IDENTITY_BACKEND is not set" in refused.stderr
    named = start_settings(IDENTITY_BACKEND="demo")
    assert named.returncode == 0, named.stderr
    assert named.stdout.strip() == "demo"


@pytest.mark.parametrize(
    "backend", ["demo", "locmem", "accounts.identity.backends.demo.IdentityBackend"]
)
def test_check_deploy_warns_about_a_demo_or_test_backend(settings, backend):
    settings.IDENTITY_BACKEND = backend
    found = run_checks(include_deployment_checks=True, tags=[Tags.security])
    assert "accounts.W001" in {message.id for message in found}


def test_check_deploy_is_quiet_about_the_http_backend_with_its_token(settings):
    settings.IDENTITY_BACKEND = "http"
    settings.IDENTITY_HTTP_TOKEN = TOKEN
    found = {
        message.id for message in run_checks(include_deployment_checks=True, tags=[Tags.security])
    }
    assert not found & {"accounts.W001", "accounts.W002"}
    settings.IDENTITY_HTTP_TOKEN = ""
    found = {
        message.id for message in run_checks(include_deployment_checks=True, tags=[Tags.security])
    }
    assert "accounts.W002" in found
