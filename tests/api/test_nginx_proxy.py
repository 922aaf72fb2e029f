"""docs/operations.md's nginx server for the agencies' systems, as written there, in a real nginx in
front of a live portal: a certificate nginx verified reaches the portal, and nothing else does
(not a caller's own X-SSL-Client-Cert header, not a certificate from another issuer)."""

import datetime
import http.client
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from agencies import services
from agencies.client_certificates import parse_client_certificate
from agencies.models import ApiClient
from api.models import AccessToken

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx"),
]

DOC = Path(settings.BASE_DIR) / "docs" / "operations.md"
SECTION = "### Client certificates for the API (RFC 8705)"
HEADER = "X-SSL-Client-Cert"


def documented_server() -> str:
    """The nginx block of the section, exactly as an operator would copy it."""
    section = DOC.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```nginx\n(.*?)```", section, flags=re.S)
    return block


def replace_once(text: str, old: str, new: str) -> str:
    """A change of the documented block's shape must fail here, not test something else."""
    assert text.count(old) == 1, f"docs/operations.md's nginx block no longer has {old!r}"
    return text.replace(old, new)


class Pki:
    """The agency systems' CA, a system certificate it issued, one from elsewhere, and the
    proxy's own server certificate, as files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = self._name("Synthetic agency systems CA")
        ca = self._certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
        self._write("agency-systems-ca.crt", ca)
        self._issue("system", issuer=ca_name, issuer_key=ca_key)
        self._issue("stranger", issuer=None, issuer_key=None)
        server_key = ec.generate_private_key(ec.SECP256R1())
        server_name = self._name("127.0.0.1")
        self._write(
            "portal.crt",
            self._certificate(server_name, server_name, server_key.public_key(), server_key),
        )
        self._write_key("portal.key", server_key)

    def pem(self, which: str) -> str:
        return (self.directory / f"{which}.crt").read_text()

    def _issue(self, file_name: str, *, issuer, issuer_key) -> None:
        """A system's client certificate and key, issued by `issuer` or else self-signed."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = self._name("Synthetic case system")
        certificate = self._certificate(
            name, issuer or name, key.public_key(), issuer_key or key, client=True
        )
        self._write(f"{file_name}.crt", certificate)
        self._write_key(f"{file_name}.key", key)

    @staticmethod
    def _name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Synthetic Relief Agency"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )

    @staticmethod
    def _certificate(subject, issuer, public_key, signing_key, *, ca=False, client=False):
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if client:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
            )
        elif not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        return builder.sign(signing_key, hashes.SHA256())

    def _write(self, name: str, certificate: x509.Certificate) -> None:
        (self.directory / name).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    def _write_key(self, name: str, key) -> None:
        (self.directory / name).write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy(live_server, settings, tmp_path):
    """nginx on 127.0.0.1 with the documented server block, proxying to the live portal, which
    is told it sits behind one proxy of its own and reads the certificate header."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.API_CLIENT_CERT_HEADER = HEADER
    tls = tmp_path / "tls"
    tls.mkdir()
    pki = Pki(tls)
    port = free_port()
    server = documented_server()
    server = replace_once(server, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    server = replace_once(
        server, "proxy_pass http://127.0.0.1:8000;", f"proxy_pass {live_server.url};"
    )
    server = server.replace("/etc/nginx/tls/", f"{tls}/")
    temporary = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Workers as root when the test runs as root: nginx's default user could not read tmp_path.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temporary}\n{server}\n}}\n"
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "error.log").read_text())
                time.sleep(0.05)
        yield port, pki
    finally:
        process.terminate()
        process.wait(timeout=10)


def ask_for_token(port: int, pki: Pki, connected, *, presenting: str | None, **headers: str):
    """POST the client credentials to the proxy over TLS, presenting `presenting`'s certificate
    (None: none); the status and the JSON answer."""
    context = ssl.create_default_context(cafile=str(pki.directory / "portal.crt"))
    if presenting:
        context.load_cert_chain(
            pki.directory / f"{presenting}.crt", pki.directory / f"{presenting}.key"
        )
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": connected.client.client_id,
            "client_secret": connected.secret,
        }
    )
    connection.request(
        "POST",
        "/api/v1/oauth/token",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    response = connection.getresponse()
    answer: Any = response.read()
    connection.close()
    return response.status, answer


def test_only_a_certificate_nginx_verified_reaches_the_portal(proxy, connect):
    port, pki = proxy
    connected = connect(addresses=["127.0.0.1"])
    services.bind_api_client_certificate(
        client=connected.client,
        actor=connected.admin,
        certificate=parse_client_certificate(pki.pem("system")),
    )
    forged = {HEADER: urllib.parse.quote(pki.pem("system"), safe="")}

    # The right certificate's PEM in a header of the caller's own: nginx replaces it.
    status, answer = ask_for_token(port, pki, connected, presenting=None, **forged)
    assert status == 401, answer
    assert not AccessToken.objects.exists()
    # A certificate nginx cannot verify against the systems' CA: refused at the door.
    status, answer = ask_for_token(port, pki, connected, presenting="stranger", **forged)
    assert status == 400, answer
    assert not AccessToken.objects.exists()
    # The system's own certificate, verified by nginx: its token.
    status, answer = ask_for_token(port, pki, connected, presenting="system")
    assert status == 200, answer
    bound = ApiClient.objects.get(pk=connected.client.pk)
    assert bound.cert_thumbprint
    assert AccessToken.objects.get().cert_thumbprint == bound.cert_thumbprint


def test_an_unbound_client_needs_no_certificate(proxy, connect):
    port, pki = proxy
    connected = connect(addresses=["127.0.0.1"])
    status, answer = ask_for_token(port, pki, connected, presenting=None)
    assert status == 200, answer
    assert AccessToken.objects.get().cert_thumbprint == ""
