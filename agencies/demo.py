"""Demo data for agencies, run by `manage.py seed_demo` (which finds `<app>/demo.py`).

Adds, once: an approved agency with an MoU in force, its admin and a staff member, a pending
application for the committee to review, a committee reviewer and an IT operator. Every
person is synthetic; passwords and TOTP secrets are printed so a tester can sign in.
Running it again changes nothing.
"""

import datetime
from typing import TextIO

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from agencies import services
from agencies.models import AccessRequest, Agency, AgencyKind, Membership
from agencies.scopes import Scope

DEMO_PASSWORD = "demo-agency-passphrase-1404"  # noqa: S105 - printed on purpose, demo only

# Synthetic identities with valid check digits; no real person has been looked up.
REVIEWER = ("0020000014", "+989350001001", "Shirin", "Committee (demo)")
OPERATOR = ("0020000022", "+989350001002", "Babak", "IT operator (demo)")
AGENCY_ADMIN = ("0020000030", "+989350001003", "Leila", "Agency admin (demo)")
AGENCY_STAFF = ("0020000049", "+989350001004", "Hamid", "Agency staff (demo)")
APPLICANT = ("0020000057", "+989350001005", "Kian", "Applicant (demo)")

APPROVED_LEGAL_ID = "14000000018"
PENDING_LEGAL_ID = "14000000022"
MOU_NUMBER = "DEMO-1404-001"

_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _person(identity: tuple[str, str, str, str], role: Role, *, is_staff: bool = False) -> User:
    national_code, mobile, first_name, last_name = identity
    user, created = User.objects.get_or_create(
        national_code=national_code,
        defaults={
            "mobile": mobile,
            "mobile_verified": True,
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": is_staff,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    assign_role(user=user, role=role)
    return user


def _totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        return decrypt(authenticator.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _details(legal_id: str, name: str) -> dict:
    return {
        "agency_name": name,
        "agency_kind": AgencyKind.SUPPORT_RELIEF,
        "legal_id": legal_id,
        "address": "Demo Street 1, Tehran",
        "letter_number": "1404/DEMO",
        "letter_date": datetime.date(2026, 1, 10),
        "letter": ContentFile(_PDF, name="letter.pdf"),
        "purpose": "Checking applicants' insurance status for relief decisions.",
        "legal_basis": "The foundation's statute (demo).",
        "scopes": [Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY, Scope.PENSION_FLAG],
        "monthly_volume": 500,
        "contact_name": "Demo contact",
        "contact_position": "Head of services",
        "contact_mobile": "+989350001009",
        "contact_email": "contact@demo-agency.example",
    }


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    reviewer = _person(REVIEWER, Role.COMMITTEE_REVIEWER, is_staff=True)
    operator = _person(OPERATOR, Role.OPERATOR, is_staff=True)
    admin = _person(AGENCY_ADMIN, Role.CITIZEN)
    staff = _person(AGENCY_STAFF, Role.CITIZEN)
    applicant = _person(APPLICANT, Role.CITIZEN)

    agency = Agency.objects.filter(legal_id=APPROVED_LEGAL_ID).first()
    if agency is None:
        approved = services.submit_request(
            applicant=admin, details=_details(APPROVED_LEGAL_ID, "Demo Relief Foundation")
        )
        services.start_review(access_request=approved, reviewer=reviewer)
        services.approve_request(
            access_request=approved, reviewer=reviewer, reasons="Demo: lawful basis shown."
        )
        agency = Agency.objects.get(legal_id=APPROVED_LEGAL_ID)
        today = timezone.localdate()
        services.record_mou(
            agency=agency,
            access_request=approved,
            recorded_by=reviewer,
            terms=services.MouTerms(
                number=MOU_NUMBER,
                signed_on=today - datetime.timedelta(days=30),
                valid_from=today - datetime.timedelta(days=30),
                valid_until=today + datetime.timedelta(days=335),
                signed_by_insurance_deputy="Insurance Deputy (demo)",
                signed_by_pensions_manager="GM Pensions (demo)",
                signed_by_registration_manager="GM Registration (demo)",
                scopes=[Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY],
            ),
        )
    if not Membership.objects.filter(user=staff, agency=agency).exists():
        staff_list = services.submit_staff_list(
            agency=agency,
            submitted_by=admin,
            rows=[
                {
                    "national_code": staff.national_code,
                    "first_name": staff.first_name,
                    "last_name": staff.last_name,
                    "position": "Relief officer",
                    "mobile": staff.mobile,
                    "email": "",
                }
            ],
        )
        services.grant_staff_list(staff_list=staff_list, operator=operator)
    if not AccessRequest.objects.filter(legal_id=PENDING_LEGAL_ID).exists():
        services.submit_request(
            applicant=applicant, details=_details(PENDING_LEGAL_ID, "Demo Provincial Court")
        )

    stdout.write(f"Agencies demo (password for all: {DEMO_PASSWORD})\n")
    for label, user in [
        ("committee reviewer (admin)", reviewer),
        ("IT operator (admin)", operator),
        ("agency admin (/gov/, /gov/staff/)", admin),
        ("agency staff (/gov/)", staff),
    ]:
        stdout.write(f"  {label}: {user.national_code}  TOTP secret {_totp_secret(user)}\n")
    stdout.write(
        f"  applicant with a pending request (/agencies/requests/): {applicant.national_code}\n"
    )
