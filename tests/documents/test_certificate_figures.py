"""The certificate's figures add up and read in the page's order: rendered for real, read back
from the PDF."""

import datetime
import re

import pytest
from django.utils import timezone

from documents.pdf import certificate_html
from inquiries.models import CoveragePeriod, InsuredPerson
from tests.documents.test_certificate_pdf import _text

pytestmark = pytest.mark.django_db

ROW = re.compile(r"(\d{4}-\d{2}-\d{2}) (continuing|\d{4}-\d{2}-\d{2}) (\d+)")


def test_the_pdfs_rows_add_up_to_its_total_and_explain_the_overlap(citizen_record, citizen, issue):
    # citizen_record: 2012-2015 (reported 1460), and an open period of 401 days reported as 400.
    today = timezone.localdate()
    CoveragePeriod.objects.create(
        person=citizen_record,
        workshop_code="1000003",
        workshop_name="Overlapping workshop",
        coverage_kind="mandatory",
        start_date=datetime.date(2015, 12, 1),
        end_date=datetime.date(2016, 1, 31),
        days=62,
    )
    certificate = issue(citizen, language="en")
    text = _text(certificate.pdf.read())
    rows = ROW.findall(text)
    assert [start for start, _end, _days in rows] == sorted(
        (start for start, _end, _days in rows), reverse=True
    ), "the periods are listed newest first"
    days = [int(count) for _start, _end, count in rows]
    assert days[0] == (today - (today - datetime.timedelta(days=400))).days + 1
    stated = re.search(r"\((\d+) days\)", text)
    assert stated, "the certificate states no total"
    total = int(stated.group(1))
    overlap = 31  # December 2015, in two workshops
    assert sum(days) - overlap == total
    assert re.search(r"overlap\s+on\s+31\s+days", text), text


def test_a_persian_certificate_lists_the_latest_period_first(citizen_record, citizen):
    from documents.services import issue_certificate

    certificate = issue_certificate(holder=citizen, language="fa")
    table = certificate_html(certificate).split('<table class="grid">')[1]
    assert table.index("کارگاه نمونه دو") < table.index("کارگاه نمونه یک")


def test_a_no_record_certificate_prints_no_empty_name_row(db, issue):
    from tests.conftest import make_user

    nameless = make_user("0010000097", "+989121110097")
    certificate = issue(nameless, language="en")
    assert not InsuredPerson.objects.filter(national_code=nameless.national_code).exists()
    html = certificate_html(certificate)
    assert "<th>Name</th>" not in html
    text = _text(certificate.pdf.read())
    assert "holds no insurance or pension record" in text
    assert not re.search(r"^Name\s*$", text, re.M)
