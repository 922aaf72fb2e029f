"""Demo data for agencies, run by `manage.py seed_demo` after accounts' part.

On the foundation's demo people (`accounts.demo.demo_user`), adds once: an approved agency
with an MoU in force, whose admin is the demo agency admin and whose staff member is the demo
agency staff; the agency's own system (an API client, approved, allowed from this machine); and
a pending application from the demo applicant for the committee to review. Everything goes
through the services, so the history (decisions, MoU events, grant) is real, except the
system's secret: like the demo passwords it is published, so that the quick start can call the
API at once (`docs/api.md`). A second run changes nothing.
"""

import datetime

from django.core.files.base import ContentFile
from django.core.management.base import OutputWrapper
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from agencies import services
from agencies.models import (
    AccessRequest,
    Agency,
    AgencyKind,
    ApiClient,
    ApiClientAction,
    ApiClientEvent,
    ApiClientSecret,
    Membership,
    MembershipRole,
    Mou,
)
from agencies.models.api_client import secret_digest
from agencies.scopes import Scope
from agencies.services.api_clients import secret_expiry

# Synthetic legal-entity IDs with valid check digits; they belong to no organization.
APPROVED_LEGAL_ID = "14000000018"
PENDING_LEGAL_ID = "14000000022"
MOU_NUMBER = "DEMO-1404-001"
SYSTEM_NAME = "Demo relief case system"
# Published with the demo passwords: a demo server's system, never a real one's.
SYSTEM_SECRET = "demo-system-secret-1404-Kp3vQ8sN2xL7"  # noqa: S105

_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _details(legal_id: str, name: str, kind: str) -> dict:
    return {
        "agency_name": name,
        "agency_kind": kind,
        "legal_id": legal_id,
        "address": "Demo Street 1, Tehran",
        "letter_number": "1404/DEMO",
        "letter_date": datetime.date(2026, 1, 10),
        "letter": ContentFile(_PDF, name="letter.pdf"),
        "purpose": "Checking applicants' insurance status for relief decisions.",
        "legal_basis": "The organization's statute (demo).",
        "scopes": [Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY, Scope.PENSION_FLAG],
        "monthly_volume": 500,
        "contact_name": "Demo contact",
        "contact_position": "Head of services",
        "contact_mobile": "+989120000009",
        "contact_email": "contact@demo-agency.example",
    }


def _approved_agency(*, admin: User, reviewer: User) -> Agency:
    agency = Agency.objects.filter(legal_id=APPROVED_LEGAL_ID).first()
    if agency is not None:
        return agency
    approved = services.submit_request(
        applicant=admin,
        details=_details(APPROVED_LEGAL_ID, "Demo Relief Foundation", AgencyKind.SUPPORT_RELIEF),
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
            scan=ContentFile(_PDF, name="mou.pdf"),
        ),
    )
    return agency


def _demo_system(*, mou: Mou, admin: User, staff: User, reviewer: User) -> ApiClient:
    """The foundation's case system, approved, calling from this machine, with the published
    secret (`issue_api_client_secret` makes a random one, shown once)."""
    system = ApiClient.objects.filter(agency=mou.agency, name=SYSTEM_NAME).first()
    if system is None:
        system = services.request_api_client(
            mou=mou,
            requested_by=admin,
            name=SYSTEM_NAME,
            responsible=staff,
            scopes=mou.scopes,
            allowed_addresses=["127.0.0.1", "::1"],
        )
        system = services.approve_api_client(
            client=system, actor=reviewer, reasons="Demo: the foundation's own system."
        )
    digest = secret_digest(SYSTEM_SECRET)
    if not system.secrets.filter(digest=digest).exists():
        now = timezone.now()
        ApiClientSecret.objects.create(
            client=system, digest=digest, created_at=now, valid_until=secret_expiry(system, now)
        )
        # Every change to a client is an audit row, the demo's secret included.
        ApiClientEvent.objects.create(
            client=system,
            action=ApiClientAction.SECRET_ISSUED,
            actor=admin,
            reasons="Demo: the published secret.",
        )
    return system


def seed(*, stdout: OutputWrapper) -> None:
    reviewer = demo_user("committee_reviewer")
    operator = demo_user("operator")
    admin = demo_user("agency_admin")
    staff = demo_user("agency_staff")
    applicant = demo_user("agency_applicant")

    agency = _approved_agency(admin=admin, reviewer=reviewer)
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
        # The demo staff member takes the access up at once, as they would by clicking "accept"
        # on their own account (`accept_membership`, which also wants a proven identity: the
        # demo people's proof is the accounts demo's business, not this one's).
        Membership.objects.filter(user=staff, agency=agency, accepted_at=None).update(
            accepted_at=timezone.now()
        )
        assign_role(user=staff, role=Role.AGENCY_STAFF)
    if not AccessRequest.objects.filter(legal_id=PENDING_LEGAL_ID).exists():
        services.submit_request(
            applicant=applicant,
            details=_details(PENDING_LEGAL_ID, "Demo Provincial Court", AgencyKind.JUDICIAL),
        )

    mou = Mou.objects.get(number=MOU_NUMBER)
    system = _demo_system(mou=mou, admin=admin, staff=staff, reviewer=reviewer)
    in_force = mou.is_active_on(timezone.localdate())
    stdout.write(
        f"  {agency.name}: MoU {mou.number}, "
        f"{'in force' if in_force else 'NOT in force'} until {mou.valid_until}"
    )
    members = Membership.objects.filter(agency=agency, is_active=True).select_related("user")
    for membership in members.order_by("role", "pk"):
        page = "/gov/ and /gov/staff/" if membership.role == MembershipRole.ADMIN else "/gov/"
        stdout.write(
            f"    {membership.get_role_display()}: {membership.user.national_code} ({page})"
        )
    stdout.write(
        f"    Its own system (API, from this machine): client ID {system.client_id}, "
        f"secret {SYSTEM_SECRET} (docs/api.md; /gov/api-clients/ for the admin)"
    )
    stdout.write(
        f"  Pending application for the committee: Demo Provincial Court, "
        f"from {applicant.national_code} (review it in /admin/ as the committee reviewer)"
    )
    stdout.write("  Passwords and TOTP secrets: see the accounts above.")
