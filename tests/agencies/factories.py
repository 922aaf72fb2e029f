"""Synthetic agencies, requests and MoUs. Check digits are computed, never copied from people."""

import datetime
import itertools

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import AccessRequest, Agency, AgencyKind, Mou, MouBasis
from agencies.scopes import Scope
from portal.validators import national_code_check_digit

# A minimal but real PDF: the upload check reads content, not names.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def national_code(serial: int) -> str:
    """A synthetic national code with a valid check digit, from a serial number."""
    body = f"{9_000_000 + serial:09d}"
    return body + national_code_check_digit(body)


def legal_id(serial: int) -> str:
    """A synthetic legal-entity national ID with a valid check digit."""
    body = f"{1_400_000_000 + serial:010d}"
    offset = int(body[9]) + 2
    weights = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
    total = sum((int(d) + offset) * w for d, w in zip(body, weights, strict=True))
    return body + str((total % 11) % 10)


_serials = itertools.count(1)


def letter(name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Synthetic Court No. {n}")
    kind = AgencyKind.JUDICIAL
    legal_id = factory.LazyFunction(lambda: legal_id(next(_serials)))
    address = "Synthetic Street 1, Tehran"


class AccessRequestFactory(factory.django.DjangoModelFactory[AccessRequest]):
    class Meta:
        model = AccessRequest

    agency_name = factory.Sequence(lambda n: f"Synthetic Relief Foundation {n}")
    agency_kind = AgencyKind.SUPPORT_RELIEF
    legal_id = factory.LazyFunction(lambda: legal_id(next(_serials)))
    address = "Synthetic Avenue 2, Tehran"
    letter_number = "1404/123"
    letter_date = datetime.date(2026, 1, 10)
    letter = factory.LazyFunction(letter)
    purpose = "Checking applicants' insurance status for relief decisions."
    legal_basis = "The foundation's statute, article 5."
    scopes = factory.LazyFunction(lambda: [Scope.COVERAGE_FLAG, Scope.PENSION_FLAG])
    monthly_volume = 300
    contact_name = "Maryam Synthetic"
    contact_position = "Head of services"
    contact_mobile = "+989351110001"
    contact_email = "contact@relief.example"


def details(**overrides) -> dict:
    """What an applicant's form would hand to `submit_request`."""
    values = {
        "agency_name": "Synthetic Relief Foundation",
        "agency_kind": AgencyKind.SUPPORT_RELIEF,
        "legal_id": legal_id(next(_serials)),
        "address": "Synthetic Avenue 2, Tehran",
        "letter_number": "1404/123",
        "letter_date": datetime.date(2026, 1, 10),
        "letter": letter(),
        "purpose": "Checking applicants' insurance status for relief decisions.",
        "legal_basis": "The foundation's statute, article 5.",
        "scopes": [Scope.COVERAGE_FLAG, Scope.PENSION_FLAG],
        "monthly_volume": 300,
        "contact_name": "Maryam Synthetic",
        "contact_position": "Head of services",
        "contact_mobile": "+989351110001",
        "contact_email": "contact@relief.example",
    }
    values.update(overrides)
    return values


class MouFactory(factory.django.DjangoModelFactory[Mou]):
    """A circular No. 1 MoU straight in the database, for tests about the gate and staff."""

    class Meta:
        model = Mou

    agency = factory.SubFactory(AgencyFactory)
    number = factory.Sequence(lambda n: f"MOU-{n:05d}")
    signed_on = datetime.date(2025, 3, 1)
    valid_from = datetime.date(2025, 3, 21)
    valid_until = datetime.date(2030, 3, 20)
    signed_by_insurance_deputy = "Insurance Deputy (synthetic)"
    signed_by_pensions_manager = "GM Pensions (synthetic)"
    signed_by_registration_manager = "GM Registration (synthetic)"
    scopes = factory.LazyFunction(lambda: [Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY])
    basis = MouBasis.CIRCULAR_1
    recorded_by = None  # set by the caller or the fixture
