import datetime
from collections.abc import Iterable

import pytest
from django.utils import translation

from accounts.models import User
from agencies.models import AgencyKind, MembershipRole, Mou
from agencies.scopes import Scope
from inquiries.demo import with_check_digit
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import MouFactory


@pytest.fixture(autouse=True)
def _english():
    """These tests read messages in English; Persian ones are checked where pages are."""
    with translation.override("en"):
        yield


# --- Agency lookups ----------------------------------------------------------------------------
# Registry contents that only some scopes may show; the tests look for them in the HTML source.
WORKSHOP_NAME = "Synthetic Steelworks Ltd"
WORKSHOP_CODE = "7700123"
PENSION_NUMBER = "PN-555777"
INSURANCE_NUMBER = "INS-998877"
PERSON_NAME = "Parvaneh"


@pytest.fixture
def registered_person(db):
    """A synthetic person insured today at one workshop, with a dependent's pension."""
    person = InsuredPerson.objects.create(
        national_code=LOOKED_UP,
        insurance_number=INSURANCE_NUMBER,
        first_name=PERSON_NAME,
        last_name="Synthetic",
        birth_date=datetime.date(1970, 5, 5),
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code=WORKSHOP_CODE,
        workshop_name=WORKSHOP_NAME,
        coverage_kind="self_employed",
        start_date=datetime.date(2015, 3, 1),
        end_date=None,
        days=3000,
        monthly_wage=987654321,
    )
    PensionRecord.objects.create(
        person=person,
        pension_number=PENSION_NUMBER,
        role="dependent",
        kind="survivor",
        start_date=datetime.date(2018, 1, 1),
        status="active",
        main_national_code=MAIN_PENSIONER,
    )
    return person


# Synthetic national codes with valid check digits, nobody's.
LOOKED_UP = with_check_digit("990000900")
MAIN_PENSIONER = with_check_digit("990000901")
UNKNOWN = with_check_digit("990000902")


@pytest.fixture
def make_panel(committee_reviewer, operator):
    """Give `user` TOTP and a membership of an agency (new, or the one given) whose MoU grants
    `scopes`; returns the MoU."""

    def make(
        user: User,
        *,
        scopes: Iterable[str] = (Scope.COVERAGE_FLAG,),
        kind: str = AgencyKind.SUPPORT_RELIEF,
        role: str = MembershipRole.STAFF,
        mou: Mou | None = None,
    ) -> Mou:
        if mou is None:
            mou = MouFactory.create(
                recorded_by=committee_reviewer,
                agency__kind=kind,
                scopes=list(scopes),
                valid_from=datetime.date(2020, 1, 1),
                valid_until=datetime.date(2099, 1, 1),
            )
        enrol_totp(user)
        add_member(user, mou.agency, role, operator)
        return mou

    return make


def lookup_data(national_code: str = LOOKED_UP, **overrides: str) -> dict[str, str]:
    return {
        "national_code": national_code,
        "purpose": "benefit_eligibility",
        "purpose_detail": "",
        "case_reference": "",
        **overrides,
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast's accounts are made for every test; a deliberately slow hasher makes that slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
