"""The certificate PDF's text layer, as copy, search and screen readers get it: Persian words keep
their zero-width non-joiner, codes and numbers keep their digit order, and the PDF is tagged.

Read back with pdftotext (poppler, the engine of most Linux viewers; .ci/run installs it), which
orders right-to-left text by the bidi rules, and with pypdf. pypdf's plain mode counts Persian
digits as right-to-left letters and so reverses every run of them, whatever the PDF says; its
layout mode keeps them in drawing order (tests/documents/test_certificate_pdf.py reads them so).
"""

import io
import shutil
import subprocess

import pytest
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, PdfObject

from documents.identifiers import format_certificate_number
from portal.digits import to_persian_digits
from portal.jalali import format_date

ZWNJ = "\u200c"
# Bidi embedding marks pdftotext puts around right-to-left lines and left-to-right runs.
BIDI_MARKS = str.maketrans("", "", "\u202a\u202b\u202c\u202d\u202e")


def pdftotext(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode().translate(BIDI_MARKS)


@pytest.fixture
def persian_pdf(citizen_record, citizen, issue):
    certificate = issue(citizen, language="fa")
    assert certificate.rendering_status == "ready"
    return certificate, certificate.pdf.read()


def test_the_national_code_and_certificate_number_read_in_order(persian_pdf, citizen):
    certificate, pdf = persian_pdf
    text = pdftotext(pdf)
    assert to_persian_digits(citizen.national_code) in text
    assert to_persian_digits(format_certificate_number(certificate.number)) in text
    assert to_persian_digits("12345678") in text  # the insurance number
    # Dates and counts too: the issue date reads year first ("۱۴۰۵/۰۹/۱۵ ۱۵:۳۸").
    with translation.override("fa"):
        assert format_date(certificate.issued_at, with_time=True) in text
    assert to_persian_digits(citizen.national_code[::-1]) not in text


def test_persian_words_keep_their_zero_width_non_joiner(persian_pdf):
    _, pdf = persian_pdf
    text = pdftotext(pdf)
    assert "بیمه\u200cای" in text
    assert "بیمهای" not in text
    plain = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "بیمه\u200cای" in plain
    assert "درگاه خدمات غیرحضوری" in plain
    # The registry's words come through whole too.
    assert "کارگاه نمونه یک" in plain


def _dictionary(value: PdfObject) -> DictionaryObject:
    resolved = value.get_object()
    assert isinstance(resolved, DictionaryObject)
    return resolved


def test_the_pdf_is_tagged_with_its_language_and_title(persian_pdf):
    _, pdf = persian_pdf
    catalog = PdfReader(io.BytesIO(pdf)).root_object
    assert "/StructTreeRoot" in catalog
    assert _dictionary(catalog["/MarkInfo"])["/Marked"]
    assert catalog["/Lang"] == "fa"
    assert _dictionary(catalog["/ViewerPreferences"])["/DisplayDocTitle"]


def test_an_english_certificate_reads_in_order_too(citizen_record, citizen, issue):
    certificate = issue(citizen, language="en")
    text = pdftotext(certificate.pdf.read())
    assert format_certificate_number(certificate.number) in text
    assert citizen.national_code in text
