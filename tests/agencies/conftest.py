import datetime
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from agencies import services
from agencies.models import AccessRequest, Agency, Membership, MembershipRole, Mou
from agencies.scopes import Scope
from tests.agencies.factories import AccessRequestFactory, MouFactory, details, letter


def enrol_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def mou_terms(**overrides: Any) -> services.MouTerms:
    values: dict[str, Any] = {
        "number": "1404-MOU-001",
        "signed_on": datetime.date(2026, 2, 1),
        "valid_from": datetime.date(2026, 2, 1),
        "valid_until": datetime.date(2027, 2, 1),
        "signed_by_insurance_deputy": "Insurance Deputy (synthetic)",
        "signed_by_pensions_manager": "GM Pensions (synthetic)",
        "signed_by_registration_manager": "GM Registration (synthetic)",
        "scopes": [Scope.COVERAGE_FLAG],
        "scan": letter("mou.pdf"),
    }
    values.update(overrides)
    return services.MouTerms(**values)


@pytest.fixture
def submitted_request(citizen) -> AccessRequest:
    return services.submit_request(applicant=citizen, details=details())


@pytest.fixture
def request_in_review(submitted_request, committee_reviewer) -> AccessRequest:
    return services.start_review(access_request=submitted_request, reviewer=committee_reviewer)


@pytest.fixture
def approved_request(request_in_review, committee_reviewer) -> AccessRequest:
    services.approve_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Lawful basis."
    )
    request_in_review.refresh_from_db()
    return request_in_review


@pytest.fixture
def agency_mou(committee_reviewer) -> Mou:
    """An agency with a circular No. 1 MoU in force."""
    return MouFactory.create(
        recorded_by=committee_reviewer,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
    )


@pytest.fixture
def agency(agency_mou) -> Agency:
    return agency_mou.agency


def add_member(user: User, agency: Agency, role: str, granted_by: User) -> Membership:
    membership = Membership.objects.create(
        user=user, agency=agency, role=role, granted_by=granted_by
    )
    assign_role(
        user=user, role=Role.AGENCY_ADMIN if role == MembershipRole.ADMIN else Role.AGENCY_STAFF
    )
    return membership


@pytest.fixture
def admin_membership(agency_admin, agency, operator) -> Membership:
    enrol_totp(agency_admin)
    return add_member(agency_admin, agency, MembershipRole.ADMIN, operator)


@pytest.fixture
def staff_membership(agency_staff, agency, operator) -> Membership:
    enrol_totp(agency_staff)
    return add_member(agency_staff, agency, MembershipRole.STAFF, operator)


__all__ = ["AccessRequestFactory"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast's accounts are made for every test; a deliberately slow hasher makes that slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Uploads (issue 11) ------------------------------------------------------------------------


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """An empty media directory of the test's own, to see what an upload left behind."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
