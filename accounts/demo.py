"""Demo accounts: one synthetic person for each role, and a superuser for the admin.

Run through `manage.py seed_demo`. Every value here is fixed, so every run (on any machine)
prints the same credentials; a second run changes nothing. A run also puts back what a tester
changed by hand (a new password, a re-enrolled authenticator), so the printed credentials
always work. The national codes pass the check digit but belong to no one: all but the last
two digits are zeros. Later apps find these people through `demo_user()`.
"""

import base64
import datetime
import hashlib
from dataclasses import dataclass

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt, encrypt
from django.conf import settings
from django.core.management.base import OutputWrapper
from django.urls import reverse
from django.utils import timezone

from accounts.models import DemoIdentityPair, User
from accounts.roles import MFA_REQUIRED_ROLES, Role
from accounts.services import assign_role
from portal.phones import normalize_mobile
from portal.validators import clean_national_code


@dataclass(frozen=True)
class DemoUser:
    key: str
    role: Role
    national_code: str
    mobile: str
    password: str
    first_name: str
    last_name: str = "نمونه"  # "sample": nobody mistakes these for real people
    is_staff: bool = False  # may open the admin (committee reviewers and operators work there)
    is_superuser: bool = False
    # Operators get one, so that IT's notifications (an MoU to action, a staff list to grant)
    # show up where the demo's email goes (the console, or EMAIL_URL).
    email: str = ""

    @property
    def requires_mfa(self) -> bool:
        return self.is_superuser or self.role in MFA_REQUIRED_ROLES

    @property
    def totp_secret(self) -> str:
        """A fixed base32 secret, derived from the national code so that it never changes."""
        seed = f"portal demo TOTP {self.national_code}".encode()
        digest = hashlib.sha1(seed, usedforsecurity=False).digest()
        return base64.b32encode(digest).decode("ascii")


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        key="citizen",
        role=Role.CITIZEN,
        national_code="0000000019",
        mobile="+989120000001",
        password="demo-citizen-1404",  # noqa: S106
        first_name="شهروند",
    ),
    DemoUser(
        key="agency_staff",
        role=Role.AGENCY_STAFF,
        national_code="0000000027",
        mobile="+989120000002",
        password="demo-agency-staff-1404",  # noqa: S106
        first_name="کارمند مرجع",
    ),
    DemoUser(
        key="agency_admin",
        role=Role.AGENCY_ADMIN,
        national_code="0000000035",
        mobile="+989120000003",
        password="demo-agency-admin-1404",  # noqa: S106
        first_name="مدیر مرجع",
    ),
    DemoUser(
        # Applies for an agency that the committee has yet to review (agencies.demo): someone of
        # their own, so that the demo citizen's pages are only a citizen's.
        key="agency_applicant",
        role=Role.CITIZEN,
        national_code="0000000078",
        mobile="+989120000007",
        password="demo-applicant-1404",  # noqa: S106
        first_name="متقاضی مرجع",
    ),
    DemoUser(
        key="committee_reviewer",
        role=Role.COMMITTEE_REVIEWER,
        national_code="0000000043",
        mobile="+989120000004",
        password="demo-committee-1404",  # noqa: S106
        first_name="عضو کمیته",
        is_staff=True,
    ),
    DemoUser(
        key="operator",
        role=Role.OPERATOR,
        national_code="0000000051",
        mobile="+989120000005",
        password="demo-operator-1404",  # noqa: S106
        first_name="کارشناس فناوری اطلاعات",
        is_staff=True,
        email="it-operator@demo.portal.example",
    ),
    DemoUser(
        key="superuser",
        role=Role.OPERATOR,
        national_code="0000000061",
        mobile="+989120000006",
        password="demo-superuser-1404",  # noqa: S106
        first_name="مدیر سامانه",
        is_staff=True,
        is_superuser=True,
        email="superuser@demo.portal.example",
    ),
)

DEMO_BIRTH_DATE = datetime.date(1990, 3, 21)


def demo_user(key: str) -> User:
    """The seeded account for `key` ("citizen", "agency_staff", ...), for later apps' demo data."""
    spec = next(spec for spec in DEMO_USERS if spec.key == key)
    return User.objects.get(national_code=spec.national_code)


def seed(*, stdout: OutputWrapper) -> None:
    for spec in DEMO_USERS:
        user, changes = _ensure_user(spec)
        if spec.requires_mfa and _ensure_totp(user, spec.totp_secret):
            changes.append("TOTP")
        stdout.write(f"  {spec.key}: {_describe(changes)}")
    _print_credentials(stdout)
    stdout.write("")
    stdout.write("The demo identity service (IDENTITY_BACKEND=demo) confirms these pairs:")
    for spec in DEMO_USERS:
        accept_identity_pair(national_code=spec.national_code, mobile=spec.mobile)
        stdout.write(f"  {spec.national_code:<14} {spec.mobile}")


def accept_identity_pair(*, national_code: str, mobile: str) -> None:
    """Let the demo identity backend confirm that `mobile` is registered to `national_code`."""
    DemoIdentityPair.objects.get_or_create(
        national_code=clean_national_code(national_code), mobile=normalize_mobile(mobile)
    )


def _ensure_user(spec: DemoUser) -> tuple[User, list[str]]:
    """Create the account, or bring it back to the spec; returns what had to change."""
    wanted = {
        "first_name": spec.first_name,
        "last_name": spec.last_name,
        "birth_date": DEMO_BIRTH_DATE,
        "mobile": normalize_mobile(spec.mobile),
        "mobile_verified": True,
        "is_active": True,
        "is_staff": spec.is_staff,
        "is_superuser": spec.is_superuser,
        "email": spec.email,
    }
    national_code = clean_national_code(spec.national_code)
    user = User.objects.filter(national_code=national_code).first()
    if user is None:
        # Proven: the demo identity service confirms its pair (seed() stores it).
        user = User.objects.create_user(
            national_code, spec.password, identity_verified_at=timezone.now(), **wanted
        )
        assign_role(user=user, role=spec.role)
        return user, ["created"]

    changes = [name for name, value in wanted.items() if getattr(user, name) != value]
    if user.identity_verified_at is None:
        user.identity_verified_at = timezone.now()
        changes.append("identity_verified_at")
    for name in changes:
        if name in wanted:
            setattr(user, name, wanted[name])
    if not user.check_password(spec.password):
        user.set_password(spec.password)
        changes.append("password")
    if changes:
        user.save(update_fields=changes)  # each change is named after its field
    if not user.has_role(spec.role):
        assign_role(user=user, role=spec.role)
        changes.append("role")
    return user, changes


def _ensure_totp(user: User, secret: str) -> bool:
    """Enrol the fixed TOTP secret, as allauth's own enrolment would; True if anything changed."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        TOTP.activate(user, secret)
        return True
    if decrypt(authenticator.data["secret"]) == secret:
        return False
    authenticator.data = {**authenticator.data, "secret": encrypt(secret)}
    authenticator.save(update_fields=["data"])
    return True


def _describe(changes: list[str]) -> str:
    if not changes:
        return "unchanged"
    if changes[0] == "created":
        return "created, with TOTP" if "TOTP" in changes else "created"
    return "updated (" + ", ".join(changes) + ")"


def _print_credentials(stdout: OutputWrapper) -> None:
    login_url = f"{settings.SITE_URL}{reverse('account_login')}"
    stdout.write("")
    stdout.write(f"Demo accounts (synthetic people). Sign in at {login_url}")
    stdout.write("with the national code and password:")
    stdout.write("")
    stdout.write(f"  {'account':<20} {'national code':<14} {'password':<24} mobile")
    for spec in DEMO_USERS:
        stdout.write(f"  {spec.key:<20} {spec.national_code:<14} {spec.password:<24} {spec.mobile}")

    mfa_adapter = get_mfa_adapter()
    stdout.write("")
    stdout.write("These accounts sign in with a TOTP code as well. Add the secret (or the")
    stdout.write("otpauth:// URL, e.g. as a QR code) to an authenticator app:")
    for spec in DEMO_USERS:
        if not spec.requires_mfa:
            continue
        user = User(national_code=spec.national_code)
        stdout.write("")
        stdout.write(f"  {spec.key}: {spec.totp_secret}")
        stdout.write(f"    {mfa_adapter.build_totp_url(user, spec.totp_secret)}")
