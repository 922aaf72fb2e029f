"""Certificate PDFs carry the organization's PAdES signature, checked with pyHanko's validator."""

import datetime
import http.server
import io
import threading
import warnings
from pathlib import Path

import pytest
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from django.core.management.base import CommandError

from documents import checks, rendering, signing
from documents.models import Certificate

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

pytestmark = pytest.mark.django_db


def _ca(settings) -> asn1_x509.Certificate:
    return signing._pem_certificates(
        Path(settings.CERTIFICATE_SIGNING_TRUST_ROOTS_FILE).read_bytes()
    )[0]


def _status(pdf: bytes, settings):
    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(trust_roots=[_ca(settings)], allow_fetching=False)
    return validate_pdf_signature(reader.embedded_signatures[0], context)


def test_every_certificate_pdf_is_signed_by_the_organization(citizen, issue, settings):
    certificate = issue(citizen)
    status = _status(certificate.pdf.read(), settings)
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "development" in status.signing_cert.subject.human_friendly


def test_one_changed_byte_breaks_the_signature(citizen, issue, settings):
    pdf = bytearray(issue(citizen).pdf.read())
    # A byte of the page content, well inside the range the signature covers.
    pdf[len(pdf) // 3] ^= 0x01
    status = _status(bytes(pdf), settings)
    assert not status.bottom_line
    assert not status.intact
    check = signing.check_pdf(bytes(pdf))
    assert check.signed and not check.unchanged and not check.genuine


def test_the_stored_sha256_is_that_of_the_signed_file(citizen, issue):
    import hashlib

    certificate = issue(citizen)
    assert hashlib.sha256(certificate.pdf.read()).hexdigest() == certificate.pdf_sha256


def test_the_signature_names_the_certificate(citizen, issue):
    certificate = issue(citizen)
    check = signing.check_pdf(certificate.pdf.read())
    assert check.genuine
    assert check.number == certificate.number
    assert not check.timestamped


def test_a_signature_from_another_ca_is_not_the_organizations(citizen, issue, settings, tmp_path):
    unsigned = issue(citizen)
    other = signing.make_development_ca(
        ca_cert=tmp_path / "ca.crt", key=tmp_path / "k.pem", cert=tmp_path / "c.pem"
    )
    settings.CERTIFICATE_SIGNING_KEY_FILE = str(other.key)
    settings.CERTIFICATE_SIGNING_CERT_FILE = str(other.cert)
    settings.CERTIFICATE_SIGNING_CHAIN_FILE = str(other.ca_cert)
    from documents import pdf as certificate_pdf

    forged = signing.sign_certificate_pdf(
        certificate_pdf.render_certificate_pdf(unsigned), number=unsigned.number
    )
    # The portal's own roots stay as they were (the session's development CA).
    check = signing.check_pdf(forged)
    assert check.signed and check.unchanged
    assert not check.organizations and not check.genuine


def test_an_appended_update_counts_as_a_change(citizen, issue):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(issue(citizen).pdf.read()))
    writer.root["/Forged"] = generic.pdf_string("added after signing")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = signing.check_pdf(out.getvalue())
    assert check.signed and not check.unchanged and not check.genuine


def test_missing_signing_files_fail_the_render_and_the_deploy_check(
    citizen, settings, django_capture_on_commit_callbacks, tmp_path
):
    settings.CERTIFICATE_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    problems = checks.check_certificate_signing(None)
    assert [problem.id for problem in problems] == ["documents.E002"]
    from documents.services import issue_certificate

    with django_capture_on_commit_callbacks(execute=True):
        issue_certificate(holder=citizen, language="fa")
    certificate = Certificate.objects.get()
    assert certificate.rendering_status == Certificate.Rendering.FAILED
    assert "certificate_keygen" in certificate.rendering_error


def test_the_deploy_check_passes_with_the_configured_files():
    assert checks.check_certificate_signing(None) == []


def test_keygen_makes_a_working_set_and_never_overwrites_a_key(tmp_path, citizen, settings):
    out = io.StringIO()
    call_command("certificate_keygen", "--dir", str(tmp_path), stdout=out)
    assert "development CA" in out.getvalue()
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("certificate_keygen", "--dir", str(tmp_path))
    call_command("certificate_keygen", "--dir", str(tmp_path), "--if-missing")
    settings.CERTIFICATE_SIGNING_KEY_FILE = str(tmp_path / "certificate-signing.key")
    settings.CERTIFICATE_SIGNING_CERT_FILE = str(tmp_path / "certificate-signing.crt")
    settings.CERTIFICATE_SIGNING_CHAIN_FILE = str(tmp_path / "certificate-ca.crt")
    settings.CERTIFICATE_SIGNING_TRUST_ROOTS_FILE = str(tmp_path / "certificate-ca.crt")
    assert checks.check_certificate_signing(None) == []


# --- B-T: a time-stamping service ----------------------------------------------------------------


def _tsa(settings) -> DummyTimeStamper:
    """A TSA certificate issued by a CA of its own (RSA: pyHanko's test TSA signs with RSA)."""
    now = datetime.datetime.now(datetime.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    from asn1crypto import keys as asn1_keys

    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )


@pytest.fixture
def tsa_url(settings):
    """An RFC 3161 service over HTTP on a local port, answering with DummyTimeStamper."""
    import asyncio

    stamper = _tsa(settings)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa", stamper
    server.shutdown()
    server.server_close()


def test_with_a_tsa_the_signature_is_pades_b_t(citizen, issue, settings, tsa_url):
    settings.CERTIFICATE_TSA_URL, stamper = tsa_url
    pdf = issue(citizen).pdf.read()
    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(trust_roots=[_ca(settings), stamper.tsa_cert], allow_fetching=False)
    status = validate_pdf_signature(reader.embedded_signatures[0], context)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert signing.check_pdf(pdf).timestamped


def test_a_tsa_that_does_not_answer_gives_the_render_back_for_a_retry(
    citizen, settings, monkeypatch
):
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.CERTIFICATE_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    from documents import services

    monkeypatch.setattr(services, "_enqueue_render", lambda certificate_id: None)
    certificate = services.issue_certificate(holder=citizen, language="fa")
    with pytest.raises(signing.SigningError):
        rendering.render_certificate(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.rendering_status == Certificate.Rendering.PENDING
    assert not certificate.pdf
