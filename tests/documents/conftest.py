import datetime
import io

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """PDFs go to a fresh directory per test, so a test can count the files it made."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_files(media_root) -> list:
    directory = media_root / "certificates"
    return sorted(directory.iterdir()) if directory.exists() else []


def qr_codes(image: Image.Image) -> list[str]:
    """What the QR codes in a picture hold. QR only: a row of modules now and then also
    reads as a one-dimensional barcode (Codabar), which no QR scanner looks for."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
    ]


def qr_codes_in_pdf(pdf: bytes) -> list[str]:
    return [
        text
        for page in PdfReader(io.BytesIO(pdf)).pages
        for image in page.images
        for text in qr_codes(Image.open(io.BytesIO(image.data)).convert("L"))
    ]


@pytest.fixture
def citizen_record(citizen) -> InsuredPerson:
    """The citizen in the registry: insured now at one workshop after two earlier jobs."""
    person = InsuredPerson.objects.create(
        national_code=citizen.national_code,
        insurance_number="12345678",
        first_name="سارا",
        last_name="احمدی",
        father_name="علی",
        birth_date=datetime.date(1990, 3, 21),
        gender="F",
    )
    today = timezone.localdate()
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="1000001",
        workshop_name="کارگاه نمونه یک",
        coverage_kind="mandatory",
        start_date=datetime.date(2012, 1, 1),
        end_date=datetime.date(2015, 12, 31),
        days=1460,
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="1000002",
        workshop_name="کارگاه نمونه دو",
        coverage_kind="mandatory",
        start_date=today - datetime.timedelta(days=400),
        end_date=None,
        days=400,
    )
    PensionRecord.objects.create(
        person=person,
        pension_number="P-1",
        role="dependent",
        kind="survivor",
        start_date=datetime.date(2020, 1, 1),
        status="active",
        main_national_code="0010000021",
    )
    return person


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """Issue a certificate and run what waits for the commit (the render, eagerly)."""
    from documents.services import issue_certificate

    def _issue(holder, language="fa", note=""):
        with django_capture_on_commit_callbacks(execute=True):
            certificate = issue_certificate(holder=holder, language=language, note=note)
        certificate.refresh_from_db()
        return certificate

    return _issue


# --- Agencies and their staff, for document inquiry -------------------------------------------


@pytest.fixture
def agency_mou(committee_reviewer):
    """An agency with an MoU in force (granting only a yes/no: certificates show more)."""
    from tests.agencies.factories import MouFactory

    return MouFactory.create(
        recorded_by=committee_reviewer,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
        scopes=["coverage_flag"],
    )


@pytest.fixture
def agency(agency_mou):
    return agency_mou.agency


@pytest.fixture
def staff_membership(agency_staff, agency, operator):
    from tests.agencies.conftest import add_member, enrol_totp

    enrol_totp(agency_staff)
    return add_member(agency_staff, agency, "staff", operator)


@pytest.fixture
def make_staff(operator, committee_reviewer):
    """Another staff member with TOTP, of `agency` or of a new agency with its own MoU."""
    from tests.agencies.conftest import add_member, enrol_totp
    from tests.agencies.factories import MouFactory, national_code
    from tests.conftest import make_user

    serials = iter(range(500, 600))

    def _make(agency=None):
        if agency is None:
            agency = MouFactory.create(
                recorded_by=committee_reviewer,
                valid_from=datetime.date(2020, 1, 1),
                valid_until=datetime.date(2099, 1, 1),
            ).agency
        serial = next(serials)
        user = make_user(national_code(serial), f"+98912999{serial:04d}")
        enrol_totp(user)
        add_member(user, agency, "staff", operator)
        return user

    return _make


@pytest.fixture
def share(django_capture_on_commit_callbacks):
    """Move a certificate to the inbox and return its access code's plain text."""
    from documents.services import move_to_inbox

    def _share(certificate, **options):
        with django_capture_on_commit_callbacks(execute=True):
            issued = move_to_inbox(certificate=certificate, **options)
        return issued.plaintext

    return _share
