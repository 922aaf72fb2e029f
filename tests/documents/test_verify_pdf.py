"""The verify page's PDF check: is the file signed by the organization, unchanged, and which
certificate is it? The upload is read in memory and forgotten; hostile files get an answer."""

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services, signing
from documents.models import Certificate

pytestmark = pytest.mark.django_db


def _check(client, data: bytes, name: str = "certificate.pdf"):
    client.cookies["django_language"] = "en"
    return client.post(reverse("documents:verify_pdf"), {"pdf": SimpleUploadedFile(name, data)})


def test_a_genuine_copy_says_whose_signature_it_carries_and_which_certificate_it_is(
    client, citizen, issue, settings
):
    certificate = issue(citizen)
    response = _check(client, certificate.pdf.read())
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-genuine="yes"' in page
    assert 'data-answer="organization-yes"' in page
    assert 'data-answer="unchanged-yes"' in page
    assert 'data-answer="same-file"' in page
    assert reverse("documents:verify", args=[certificate.number]) in page
    assert "It is valid today." in page
    assert "no-store" in response["Cache-Control"]


def test_one_changed_byte_is_reported_as_a_change(client, citizen, issue):
    pdf = bytearray(issue(citizen).pdf.read())
    pdf[len(pdf) // 3] ^= 0x01
    page = _check(client, bytes(pdf)).content.decode()
    assert 'data-genuine="no"' in page
    assert 'data-answer="unchanged-no"' in page
    assert 'data-answer="same-file"' not in page


def test_a_revoked_certificate_is_named_as_revoked(client, citizen, issue):
    certificate = issue(citizen)
    services.revoke_certificate(certificate=certificate)
    page = _check(client, certificate.pdf.read()).content.decode()
    assert 'data-genuine="yes"' in page
    assert "Its holder has revoked it." in page


def test_a_copy_signed_by_someone_else_is_not_the_organizations(
    client, citizen, issue, settings, tmp_path
):
    certificate = issue(citizen)
    other = signing.make_development_ca(
        ca_cert=tmp_path / "ca.crt", key=tmp_path / "k.pem", cert=tmp_path / "c.pem"
    )
    from documents import pdf as certificate_pdf

    with _signing_with(settings, other):
        forged = signing.sign_certificate_pdf(
            certificate_pdf.render_certificate_pdf(certificate), number=certificate.number
        )
    page = _check(client, forged).content.decode()
    assert 'data-genuine="no"' in page
    assert 'data-answer="organization-no"' in page


class _signing_with:
    """Sign with another key for a moment, then go back to the portal's own."""

    def __init__(self, settings, files) -> None:
        self.settings, self.files = settings, files

    def __enter__(self) -> None:
        self.saved = (
            self.settings.CERTIFICATE_SIGNING_KEY_FILE,
            self.settings.CERTIFICATE_SIGNING_CERT_FILE,
            self.settings.CERTIFICATE_SIGNING_CHAIN_FILE,
        )
        self.settings.CERTIFICATE_SIGNING_KEY_FILE = str(self.files.key)
        self.settings.CERTIFICATE_SIGNING_CERT_FILE = str(self.files.cert)
        self.settings.CERTIFICATE_SIGNING_CHAIN_FILE = str(self.files.ca_cert)

    def __exit__(self, *exc) -> None:
        (
            self.settings.CERTIFICATE_SIGNING_KEY_FILE,
            self.settings.CERTIFICATE_SIGNING_CERT_FILE,
            self.settings.CERTIFICATE_SIGNING_CHAIN_FILE,
        ) = self.saved


def test_an_unsigned_pdf_is_not_genuine(client, citizen, issue):
    from documents import pdf as certificate_pdf

    unsigned = certificate_pdf.render_certificate_pdf(issue(citizen))
    page = _check(client, unsigned).content.decode()
    assert 'data-answer="unsigned"' in page


def _pdf_with_stream(stream: bytes, filters: str = "/Filter /FlateDecode") -> bytes:
    """A small, well-formed PDF whose one extra object is the given stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Length %d %s >>\nstream\n" % (len(stream), filters.encode())
        + stream
        + b"\nendstream",
        b"<< /FT /Sig /T (Signature) /V 3 0 R >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


HOSTILE_PDFS = {
    "not a pdf at all": b"MZ\x90\x00 an executable",
    "a pdf header and garbage": b"%PDF-1.4 \xff\xfe truncated",
    "a deflate bomb (1 GB of zeros)": _pdf_with_stream(
        zlib.compress(b"\0" * (64 * 1024 * 1024), 9) * 16
    ),
    "nested arrays 100,000 deep": b"%PDF-1.7\n1 0 obj\n" + b"[" * 100_000 + b"\nendobj\n%%EOF",
    "a signature field whose value is garbage": _pdf_with_stream(b"\x00" * 64, filters=""),
    "an xref pointing past the end": b"%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n"
    b"<< /Size 99999999 /Root 1 0 R >>\nstartxref\n999999999\n%%EOF",
}


@pytest.mark.parametrize("name", HOSTILE_PDFS)
def test_hostile_files_get_an_answer_never_a_500(client, name):
    import time

    started = time.monotonic()
    response = _check(client, HOSTILE_PDFS[name])
    assert response.status_code in {200, 400}, name
    page = response.content.decode()
    assert 'data-genuine="yes"' not in page
    assert time.monotonic() - started < 30


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES = 100 * 1024
    response = _check(client, b"%PDF-1.7\n" + b"0" * 300 * 1024)
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert Certificate.objects.count() == 0


def test_the_form_needs_a_file(client):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("documents:verify_pdf"), {})
    assert response.status_code == 400
    assert "Choose the PDF file to check." in response.content.decode()


def test_the_upload_is_checked_in_memory_and_never_written(client, citizen, issue, monkeypatch):
    from django.core.files import uploadedfile

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", refuse)
    pdf = issue(citizen).pdf.read()
    assert 'data-genuine="yes"' in _check(client, pdf).content.decode()


def test_the_page_offers_the_form_without_sign_in(client):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("documents:verify_pdf"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_it_is_rate_limited_with_the_verify_page(client, settings):
    settings.CERTIFICATE_VERIFY_RATE = (2, 60)
    statuses = [client.get(reverse("documents:verify_pdf")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
