"""A world for the access-control tests: two citizens with certificates, codes, disclosures and
agency applications; two agencies (X and Y) with staff, and X's admin; every URL pattern of the
project filled with those objects' ids."""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from agencies import services as agency_services
from agencies.models import (
    AccessRequest,
    ApiClient,
    ApiClientStatus,
    Invitation,
    Membership,
    MembershipRole,
    RequestStatus,
    StaffList,
)
from documents import redemptions
from documents import services as document_services
from documents.models import Certificate, Redemption
from inquiries import services as inquiry_services
from inquiries import transparency
from inquiries.models import CoveragePeriod, DisclosureRecord, InsuredPerson
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import AccessRequestFactory, MouFactory, letter, national_code
from tests.conftest import make_user
from tests.transparency_log import fresh_log

# Who may ask: `anonymous` is a client that never signed in.
ROLES = [
    "anonymous",
    "citizen_a",
    "citizen_b",
    "staff_x",
    "staff_y",
    "admin_x",
    "committee_reviewer",
    "operator",
    "outsider",
]
INVITATION_TOKEN = "synthetic-invitation-token-0123456789abcdef"
SIGN_IN_PREFIXES = ("/accounts/login/", "/admin/login/")


@dataclass
class World:
    users: dict[str, User]
    certificates: dict[str, Certificate]
    requests: dict[str, AccessRequest]
    memberships: dict[str, Membership]
    redemptions: dict[str, Redemption]
    markers: dict[str, list[str]] = field(default_factory=dict)
    # Access an agency asked for each citizen, waiting for them to accept it.
    offered: dict[str, Membership] = field(default_factory=dict)

    def client(self, role: str, **options) -> Client:
        client = Client(**options)
        # English pages keep digits ASCII, so the tests can look for numbers in them.
        client.cookies["django_language"] = "en"
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def _registry_record(user: User, insurance_number: str) -> None:
    person = InsuredPerson.objects.create(
        national_code=user.national_code,
        insurance_number=insurance_number,
        first_name=user.first_name,
        last_name=user.last_name,
        birth_date=datetime.date(1990, 3, 21),
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="1000001",
        workshop_name=f"Synthetic Workshop {insurance_number}",
        coverage_kind="mandatory",
        start_date=datetime.date(2012, 1, 1),
        end_date=None,
        days=3000,
    )


@pytest.fixture
def world(
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
    citizen,
    other_citizen,
    agency_staff,
    agency_admin,
    committee_reviewer,
    operator,
    outsider,
) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    staff_y = make_user(national_code(701), "+989129990701", first_name="Yasaman", last_name="Y")
    users = {
        "citizen_a": citizen,
        "citizen_b": other_citizen,
        "staff_x": agency_staff,
        "staff_y": staff_y,
        "admin_x": agency_admin,
        "committee_reviewer": committee_reviewer,
        "operator": operator,
        "outsider": outsider,
    }
    for user in (agency_staff, staff_y, agency_admin, committee_reviewer, operator):
        enrol_totp(user)

    mous = {
        side: MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name=f"Synthetic Agency {side.upper()}",
            scan=letter("mou.pdf"),
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2099, 1, 1),
        )
        for side in ("x", "y")
    }
    memberships = {
        "x": add_member(agency_staff, mous["x"].agency, MembershipRole.STAFF, operator),
        "y": add_member(staff_y, mous["y"].agency, MembershipRole.STAFF, operator),
    }
    add_member(agency_admin, mous["x"].agency, MembershipRole.ADMIN, operator)
    # Each agency's own system (API client), responsible staff its staff member.
    for side, responsible in (("x", agency_staff), ("y", staff_y)):
        ApiClient.objects.create(
            agency=mous[side].agency,
            mou=mous[side],
            name=f"System {side.upper()}",
            responsible=responsible,
            scopes=list(mous[side].scopes),
            allowed_addresses=["192.0.2.0/24"],
            status=ApiClientStatus.ACTIVE,
            requested_by=responsible,
        )
    invitee = make_user(national_code(702), "+989129990702", first_name="Iman", last_name="I")
    invited = add_member(invitee, mous["x"].agency, MembershipRole.STAFF, operator)
    Invitation.objects.create(
        membership=invited,
        token_hash=Invitation.digest(INVITATION_TOKEN),
        expires_at=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=2),
    )
    for side, submitter in (("x", agency_admin), ("y", staff_y)):
        staff_list = StaffList.objects.create(agency=mous[side].agency, submitted_by=submitter)
        staff_list.rows.create(
            national_code=national_code(710 if side == "x" else 720),
            first_name=f"Pending{side.upper()}",
            last_name="Synthetic",
            position="Clerk",
            mobile=f"+98935111{710 if side == 'x' else 720:04d}",
        )

    certificates, codes = {}, {}
    for side, holder, insurance_number in (
        ("a", citizen, "INS-AAA-111"),
        ("b", other_citizen, "INS-BBB-222"),
    ):
        _registry_record(holder, insurance_number)
        with django_capture_on_commit_callbacks(execute=True):
            certificate = document_services.issue_certificate(holder=holder, language="en")
        with django_capture_on_commit_callbacks(execute=True):
            codes[side] = document_services.move_to_inbox(certificate=certificate).plaintext
        certificate.refresh_from_db()
        assert certificate.has_pdf
        certificates[side] = certificate

    found = {}
    for side, staff, holder in (("x", agency_staff, citizen), ("y", staff_y, other_citizen)):
        code = codes["a" if side == "x" else "b"]
        with django_capture_on_commit_callbacks(execute=True):
            found[side] = redemptions.redeem_access_code(
                staff_member=staff,
                mou=mous[side],
                national_code=holder.national_code,
                code=code,
                client_ip=None,
            )
            inquiry_services.look_up_person(
                staff_member=staff,
                mou=mous[side],
                agency_kind=mous[side].agency.kind,
                national_code=holder.national_code,
                purpose=inquiry_services.purposes_for(mous[side].agency.kind)[0],
                case_reference="1404-CASE-9",
            )

    returned = AccessRequestFactory.create(
        applicant=citizen, status=RequestStatus.SUBMITTED, agency_name="Applicant A Relief"
    )
    agency_services.start_review(access_request=returned, reviewer=committee_reviewer)
    # Returning it leaves the applicant an unread message: opening the request shows it.
    agency_services.return_request(
        access_request=returned, reviewer=committee_reviewer, reasons="Add the letter."
    )
    returned.refresh_from_db()
    requests = {
        "a": returned,
        "b": AccessRequestFactory.create(
            applicant=other_citizen,
            status=RequestStatus.SUBMITTED,
            agency_name="Applicant B Relief",
        ),
    }
    world = World(
        users=users,
        certificates=certificates,
        requests=requests,
        memberships=memberships,
        redemptions=found,
    )
    # What each side's pages may show and the other side's must not.
    world.offered = {
        side: Membership.objects.create(
            user=holder,
            agency=mous[agency_side].agency,
            granted_by=operator,
            accepted_at=None,
        )
        for side, holder, agency_side in (("a", citizen, "x"), ("b", other_citizen, "y"))
    }
    world.markers = {
        "a": [
            certificates["a"].number,
            "INS-AAA-111",
            "Applicant A Relief",
            found["x"].agency.name,
        ],
        "b": [
            certificates["b"].number,
            "INS-BBB-222",
            "Applicant B Relief",
            found["y"].agency.name,
        ],
        "x": [agency_staff.national_code, "PendingX", citizen.national_code],
        "y": [staff_y.national_code, "PendingY", other_citizen.national_code],
    }
    # Sealed, so each person's disclosures have their proofs.
    fresh_log(settings, tmp_path)
    transparency.seal()
    return world


# --- Every URL pattern --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the patterns joined, regex groups and converters still in
    name: str  # namespaced, or the view's dotted path for unnamed patterns

    def __str__(self) -> str:
        return self.name


def all_routes() -> list[Route]:
    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, route, inner)
            else:
                assert isinstance(pattern, URLPattern)
                if pattern.name:
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    name = f"{namespace}:{route}"
                yield Route(route=route, name=name)

    return list(walk(get_resolver(), "", ""))


_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


def _admin_object_id(route: str, world: World) -> str:
    match = _ADMIN_MODEL.match(route)
    assert match, route
    if match["app"] == "accounts" and match["model"] == "user":
        return str(world.users["citizen_a"].pk)
    model = apps.get_model(match["app"], match["model"])
    obj = model._default_manager.order_by("pk").first()
    return str(obj.pk) if obj is not None else "999999"


def url_for(route: Route, world: World) -> str:
    """The route with every parameter filled with a real object of the world, or a plausible
    value where no object fits (a reset key, an app label)."""
    certificate = world.certificates["a"]

    def value(name: str) -> str:
        if name == "number":
            return certificate.number
        if name == "token":
            return INVITATION_TOKEN
        if name == "pk":
            if route.route.startswith("me/disclosures/"):
                holder = certificate.holder.national_code
                return str(DisclosureRecord.objects.filter(national_code=holder)[0].pk)
            if route.route.startswith("agencies/requests/"):
                return str(world.requests["a"].pk)
            if route.route.startswith("agencies/memberships/"):
                return str(world.offered["a"].pk)
            if route.route.startswith("gov/staff/"):
                return str(world.memberships["x"].pk)
            if route.route.startswith("gov/documents/"):
                return str(world.redemptions["x"].pk)
            if route.route.startswith("gov/api-clients/"):
                return str(ApiClient.objects.get(agency=world.redemptions["x"].agency).pk)
            return _admin_object_id(route.route, world)
        if name == "agency_id":
            return str(world.memberships["x"].agency_id)
        if name == "object_id" and route.route.startswith("admin/r/"):
            return str(certificate.pk)
        if name in ("object_id", "id"):
            return _admin_object_id(route.route, world)
        if name in ("inquiry_id", "redemption_id"):
            # The API's own ids; without a bearer token every one is refused alike.
            return "1"
        if name == "content_type_id":
            return str(ContentType.objects.get_for_model(Certificate).pk)
        if name == "action":
            return "suspend"
        if name == "key":
            return "synthetic-key"
        if name == "uidb36":
            return "1"
        if name == "app_label":
            return "agencies"
        if name == "url":
            return "no-such-page/"
        raise AssertionError(f"no value for <{name}> in {route.route}")

    path = _GROUP.sub(lambda m: value(m["name"]), route.route)
    path = _CONVERTER.sub(lambda m: value(m["name"]), path)
    return "/" + path.replace("^", "").replace("$", "")


# --- The database, table by table --------------------------------------------------------------

# Sessions are the client's own state: a GET may keep a pending TOTP secret or a `next` there.
UNCOMPARED_TABLES = {"django_session"}


def database_fingerprint() -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of its rows."""
    fingerprint = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in UNCOMPARED_TABLES:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "  # noqa: S608
                f"FROM {quoted} t"
            )
            count, digest = cursor.fetchone()
            fingerprint[table] = (count, digest)
    return fingerprint


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.security.test_hostile_input import FIGURES

    if FIGURES["inputs"]:
        terminalreporter.write_line(
            f"hostile input sweep: {FIGURES['inputs']} inputs tried, {FIGURES['500s']} 500s seen, "
            f"{FIGURES['error messages']} error messages checked for their language"
        )
