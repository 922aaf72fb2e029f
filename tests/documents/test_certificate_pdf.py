"""The certificate PDF itself: rendered for real, read back with pypdf, its QR decoded."""

import io
import threading
import time

import pytest
from pypdf import PdfReader

from documents import pdf as certificate_pdf
from documents.identifiers import format_certificate_number
from portal.digits import to_persian_digits
from tests.documents.conftest import qr_codes_in_pdf

ZWNJ = "\u200c"


def _text(pdf: bytes, **options) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text(**options) for page in reader.pages).replace(ZWNJ, "")


def test_a_persian_certificate_holds_its_number_and_persian_words_in_order(
    citizen_record, citizen, issue
):
    certificate = issue(citizen, language="fa")
    assert certificate.rendering_status == "ready"
    pdf = certificate.pdf.read()
    text = _text(pdf)

    # The registry's Persian words, joined and in reading order (the page's own labels come
    # from the Persian catalogue, which the lead fills in).
    for phrase in ["سارا احمدی", "کارگاه نمونه یک", "کارگاه نمونه دو"]:
        assert phrase in text
    # The coverage table lists the latest workshop first, as the status page does.
    assert text.rindex("کارگاه نمونه دو") < text.rindex("کارگاه نمونه یک")
    # The number: in ASCII under the QR code, and in Persian digits next to its label. pypdf's
    # plain mode reverses runs of Persian digits inside right-to-left lines; layout mode keeps
    # the glyphs' own order.
    assert certificate.number in text
    persian_number = to_persian_digits(format_certificate_number(certificate.number))
    assert persian_number in _text(pdf, extraction_mode="layout")
    assert to_persian_digits(citizen.national_code) in _text(pdf, extraction_mode="layout")


def test_its_qr_code_decodes_to_the_verify_url_and_its_signed_token(
    citizen_record, citizen, settings, issue
):
    from documents import qr_tokens

    certificate = issue(citizen, language="fa")
    [payload] = qr_codes_in_pdf(certificate.pdf.read())
    page, token = payload.split("#")
    assert page == f"{settings.SITE_URL}/verify/{certificate.number}/"
    assert qr_tokens.verify(token)["num"] == certificate.number
    assert citizen.national_code not in payload


def test_an_english_certificate_reads_left_to_right(citizen_record, citizen, issue):
    certificate = issue(citizen, language="en")
    text = _text(certificate.pdf.read())
    assert "Social Security Organization" in text
    assert "Certificate of insurance status" in text
    assert certificate.number in text


def test_a_person_without_a_record_gets_a_certificate_that_says_so(citizen, issue):
    certificate = issue(citizen, language="en")
    text = " ".join(_text(certificate.pdf.read()).split())
    assert "holds no insurance or pension record for the national code 0010000011" in text


def test_the_note_is_printed_as_text_not_markup(citizen, issue):
    note = '<img src="file:///etc/passwd"> <b>bold</b>'
    certificate = issue(citizen, language="en", note=note)
    assert certificate.rendering_status == "ready"
    assert '<img src="file:///etc/passwd">' in " ".join(_text(certificate.pdf.read()).split())


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://127.0.0.1/",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "data:text/html;base64,PGgxPmhpPC9oMT4=",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ValueError):
        certificate_pdf.StaticFilesOnlyFetcher().fetch(url)


def test_the_fetcher_refuses_a_path_that_climbs_out_of_static(settings):
    root = certificate_pdf.static_roots()[0]
    with pytest.raises(ValueError):
        certificate_pdf.StaticFilesOnlyFetcher().fetch(f"file://{root}/../manage.py")


def test_the_fetcher_serves_the_vendored_font():
    root = certificate_pdf.static_roots()[0]
    response = certificate_pdf.StaticFilesOnlyFetcher().fetch(
        f"file://{root}/vendor/vazirmatn/Vazirmatn-Variable.woff2"
    )
    assert response.read(4) == b"wOF2"


def test_an_image_from_the_network_is_left_out_of_the_pdf(monkeypatch):
    fetched = []
    original = certificate_pdf.StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(certificate_pdf.StaticFilesOnlyFetcher, "fetch", spy)
    certificate_pdf._renderer.cache_clear()
    try:
        pdf = certificate_pdf.html_to_pdf(
            '<p>x</p><img src="http://example.com/a.png"><img src="/etc/hostname">'
        )
    finally:
        certificate_pdf._renderer.cache_clear()
    assert pdf.startswith(b"%PDF")
    assert "http://example.com/a.png" in fetched
    assert not PdfReader(io.BytesIO(pdf)).pages[0].images


def test_the_font_configuration_and_stylesheet_are_built_once_per_process():
    assert certificate_pdf._renderer() is certificate_pdf._renderer()


def test_renders_in_threads_of_one_process_take_turns(monkeypatch):
    """The process's fonts are shared and not safe in two threads at once (the embedded
    default renders in the request's thread): three renders at once never overlap."""
    running, most = [0], [0]
    lock = threading.Lock()

    class CountingHTML(certificate_pdf.HTML):
        def write_pdf(self, *args, **kwargs):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                time.sleep(0.05)  # long enough for the others to start theirs
                return super().write_pdf(*args, **kwargs)
            finally:
                with lock:
                    running[0] -= 1

    monkeypatch.setattr(certificate_pdf, "HTML", CountingHTML)
    pdfs: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: pdfs.append(certificate_pdf.html_to_pdf("<p>سلام</p>")))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(pdfs) == 3
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs)
    assert most[0] == 1
