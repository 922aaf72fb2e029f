"""Roles x endpoints x whose object: only the rightful roles get an object's page; anyone else
who gets past the page's gate gets 404 for it (never 403, never 200), and list pages show no
one else's objects. Prints the matrix size and the count of unauthorised 200s.

The agencies' own matrix (tests/agencies/test_roles_matrix.py) covers each workflow action at
the service level; this one covers the HTTP endpoints that show or change an object.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from tests.security.conftest import INVITATION_TOKEN, ROLES, SIGN_IN_PREFIXES, World, all_routes

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SIGNED_IN = frozenset(ROLES) - {"anonymous"}
PANEL = frozenset({"staff_x", "staff_y", "admin_x"})
ADMIN_SITE = frozenset({"committee_reviewer", "operator"})
COMMITTEE = frozenset({"committee_reviewer"})
OPERATOR = frozenset({"operator"})
BOTH = COMMITTEE | OPERATOR
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    name: str  # URL name
    method: str
    obj: str  # "certificate:a", "membership:y", ...
    rightful: frozenset[str]
    reach: frozenset[str]  # roles the page's gate lets in: their wrong object must be a 404
    ok: frozenset[int] = field(default=frozenset({200}))

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name} [{self.obj}]"


def _cases() -> list[Case]:
    cases = []
    for side in ("a", "b"):
        owner = frozenset({f"citizen_{side}"})
        certificate = f"certificate:{side}"
        cases += [
            Case("documents:certificate_detail", "get", certificate, owner, SIGNED_IN),
            Case("documents:certificate_status", "get", certificate, owner, SIGNED_IN),
            Case("documents:certificate_pdf", "get", certificate, owner, SIGNED_IN),
            # Already in the inbox: the owner is sent to it.
            Case(
                "documents:certificate_move_to_inbox",
                "get",
                certificate,
                owner,
                SIGNED_IN,
                ok=frozenset({302}),
            ),
            Case("documents:access_code_replace", "get", certificate, owner, SIGNED_IN),
            # The pages that ask before revoking.
            Case("documents:certificate_revoke", "get", certificate, owner, SIGNED_IN),
            Case("documents:access_code_revoke", "get", certificate, owner, SIGNED_IN),
            # The inclusion proof of one of the person's own disclosures.
            Case("inquiries:my_disclosure_proof", "get", f"disclosure:{side}", owner, SIGNED_IN),
        ]
        cases += [
            Case(f"documents:{name}", "post", certificate, owner, SIGNED_IN)
            for name in (
                "certificate_retry",
                "certificate_revoke",
                "certificate_move_to_inbox",
                "access_code_replace",
                "access_code_revoke",
            )
        ]
        request = f"request:{side}"
        cases += [
            Case("agencies:request_detail", "get", request, owner | COMMITTEE, SIGNED_IN),
            Case("agencies:request_letter", "get", request, owner | COMMITTEE, SIGNED_IN),
            # a's request waits for more information; b's is with the committee (a redirect).
            Case(
                "agencies:resubmit",
                "get",
                request,
                owner,
                SIGNED_IN,
                ok=frozenset({200 if side == "a" else 302}),
            ),
            Case("agencies:resubmit", "post", request, owner, SIGNED_IN),
            Case("agencies:request_notices_read", "post", request, owner, SIGNED_IN),
            # Access an agency asked for: only the person it is for may see or accept it.
            Case("agencies:accept_membership", "get", f"offered:{side}", owner, SIGNED_IN),
            Case("agencies:accept_membership", "post", f"offered:{side}", owner, SIGNED_IN),
        ]
    for side in ("x", "y"):
        admin = frozenset({"admin_x"}) if side == "x" else NOBODY
        staff = frozenset({f"staff_{side}"})
        cases += [
            Case("gov:staff_removal", "get", f"membership:{side}", admin, frozenset({"admin_x"})),
            Case("gov:staff_removal", "post", f"membership:{side}", admin, frozenset({"admin_x"})),
            Case("gov:redeemed_document", "get", f"redemption:{side}", staff, PANEL),
            Case("gov:redeemed_document_pdf", "get", f"redemption:{side}", staff, PANEL),
            # A system's secret: only its own agency's admin may issue one (shown once).
            Case(
                "gov:api_client_secret", "post", f"apiclient:{side}", admin, frozenset({"admin_x"})
            ),
            # Binding a system to a certificate: the empty post is refused with the form (400).
            Case(
                "gov:api_client_certificate",
                "post",
                f"apiclient:{side}",
                admin,
                frozenset({"admin_x"}),
                ok=frozenset({400}),
            ),
        ]
    # The invitation link is its own proof: whoever holds it may open it; a wrong token is a 404.
    everyone = frozenset(ROLES)
    cases += [
        Case("agencies:accept_invitation", "get", "invitation:valid", everyone, everyone),
        Case("agencies:accept_invitation", "get", "invitation:wrong", NOBODY, everyone),
        Case("agencies:accept_invitation", "post", "invitation:wrong", NOBODY, everyone),
    ]
    # The admin site has no owners: each screen is for the role it serves, the others get 403
    # (or the admin's sign-in, for accounts that are not staff).
    admin_screens = {
        "agencies_accessrequest_change": ("request:a", COMMITTEE),
        "agencies_accessrequest_history": ("request:a", COMMITTEE),
        "agencies_agency_change": ("agency:x", BOTH),
        "agencies_mou_change": ("mou:x", BOTH),
        "agencies_mou_history": ("mou:x", BOTH),
        "agencies_mou_scan": ("mou:x", BOTH),
        "agencies_stafflist_change": ("stafflist:x", OPERATOR),
        "agencies_membership_change": ("membership:x", OPERATOR),
        "agencies_membership_remove": ("membership:x", OPERATOR),
        "inquiries_disclosurerecord_change": ("disclosure:a", OPERATOR),
        "documents_certificate_change": ("certificate:a", NOBODY),
        "documents_accesscode_change": ("accesscode:a", NOBODY),
        "documents_redemption_change": ("redemption:x", NOBODY),
        "documents_inboxnotice_change": ("inboxnotice:a", NOBODY),
        "accounts_user_change": ("user:a", NOBODY),
    }
    for screen, (obj, rightful) in admin_screens.items():
        cases.append(Case(f"admin:{screen}", "get", obj, rightful, rightful))
    cases.append(Case("admin:agencies_mou_status", "get", "mou:x", COMMITTEE, COMMITTEE))
    return cases


CASES = _cases()


def _object_args(world: World, case: Case) -> dict[str, object]:
    from agencies.models import ApiClient, StaffList
    from documents.models import InboxNotice
    from inquiries.models import DisclosureRecord

    kind, side = case.obj.split(":")
    if kind == "certificate":
        certificate = world.certificates[side]
        if case.name.startswith("admin:"):
            return {"object_id": certificate.pk}
        return {"number": certificate.number}
    if kind == "invitation":
        return {"token": INVITATION_TOKEN if side == "valid" else "no-such-token-" + "0" * 30}
    if kind == "mou":
        mou = world.redemptions[side].mou
        if case.name == "admin:agencies_mou_status":
            return {"pk": mou.pk, "action": "suspend"}
        return {"pk": mou.pk} if case.name.endswith("_scan") else {"object_id": mou.pk}
    pk = {
        "request": lambda: world.requests[side].pk,
        "membership": lambda: world.memberships[side].pk,
        "offered": lambda: world.offered[side].pk,
        "redemption": lambda: world.redemptions[side].pk,
        "agency": lambda: world.redemptions[side].agency_id,
        "stafflist": lambda: StaffList.objects.get(agency=world.redemptions[side].agency).pk,
        "disclosure": lambda: DisclosureRecord.objects.filter(
            national_code=world.certificates[side].holder.national_code
        ).values_list("pk", flat=True)[0],
        "accesscode": lambda: world.certificates[side].access_codes.values_list("pk", flat=True)[0],
        "inboxnotice": lambda: InboxNotice.objects.filter(
            recipient=world.certificates[side].holder
        ).values_list("pk", flat=True)[0],
        "user": lambda: world.users[f"citizen_{side}"].pk,
        "apiclient": lambda: ApiClient.objects.get(agency=world.redemptions[side].agency).pk,
    }[kind]()
    if case.name.startswith("admin:") and not case.name.endswith("_remove"):
        return {"object_id": pk}
    return {"pk": pk}


def _refused_at_the_gate(response) -> bool:
    if response.status_code == 302:
        location = response["Location"]
        return location.startswith(SIGN_IN_PREFIXES) or location == reverse("mfa_activate_totp")
    return response.status_code == 403


def test_only_the_rightful_roles_get_an_object_and_others_get_404(world):
    clients = {role: world.client(role) for role in ROLES}
    requests = 0
    unauthorised_200s: list[tuple[str, str, int]] = []
    wrong: list[tuple[object, ...]] = []
    for case in CASES:
        url = reverse(case.name, kwargs=_object_args(world, case))
        for role, client in clients.items():
            if case.method == "post" and role in case.rightful:
                continue  # the owners' own changes are tested with each app
            response = getattr(client, case.method)(url)
            requests += 1
            status = response.status_code
            if role in case.rightful:
                if status not in case.ok:
                    wrong.append((str(case), role, status, "expected", set(case.ok)))
                continue
            if 200 <= status < 300:
                unauthorised_200s.append((str(case), role, status))
            elif role in case.reach and status != 404:
                wrong.append((str(case), role, status, "expected", 404))
            elif role not in case.reach and not _refused_at_the_gate(response):
                wrong.append((str(case), role, status, "expected the gate to refuse"))
    print(
        f"\n{len(CASES)} endpoint x object cases x {len(ROLES)} roles: {requests} requests, "
        f"{len(unauthorised_200s)} unauthorised 200s"
    )
    assert unauthorised_200s == []
    assert wrong == []


# Pages that list the signed-in person's (or agency's) objects, and whose objects' markers
# (certificate numbers, registry numbers, agency names, national codes) must never appear there.
LIST_PAGES = {
    "citizen_a": (
        [
            "accounts:dashboard",
            "documents:certificate_list",
            "documents:inbox",
            "inquiries:my_status",
            "inquiries:my_disclosures",
            "agencies:my_requests",
        ],
        "b",
    ),
    "citizen_b": (
        [
            "accounts:dashboard",
            "documents:certificate_list",
            "documents:inbox",
            "inquiries:my_status",
            "inquiries:my_disclosures",
            "agencies:my_requests",
        ],
        "a",
    ),
    "staff_x": (["gov:home", "gov:history", "gov:inquiry", "gov:documents"], "y"),
    "admin_x": (["gov:home", "gov:history", "gov:staff"], "y"),
    "staff_y": (["gov:home", "gov:history", "gov:inquiry", "gov:documents"], "x"),
}


def test_list_pages_show_only_their_readers_objects(world):
    requests, leaks = 0, []
    for role, (names, other_side) in LIST_PAGES.items():
        client = world.client(role)
        own_side = {"a": "b", "b": "a", "x": "y", "y": "x"}[other_side]
        for name in names:
            response = client.get(reverse(name))
            requests += 1
            assert response.status_code == 200, (role, name)
            page = response.content.decode()
            leaks += [
                (role, name, marker) for marker in world.markers[other_side] if marker in page
            ]
        # The check can fail: each side's own history shows its own markers.
        history = "gov:history" if own_side in "xy" else "inquiries:my_disclosures"
        own_page = client.get(reverse(history)).content.decode()
        assert any(marker in own_page for marker in world.markers[own_side]), (role, history)
    print(f"\n{requests} list pages read, {len(leaks)} showed someone else's objects")
    assert leaks == []


# Object pages outside the matrix, and why.
NOT_IN_MATRIX = {
    "documents:verify": "public by design: shows only what the printed certificate shows, masked",
    "agreements:agency": "public by design: an agency's MoUs and monthly counts, never a person",
    "agreements:agency_json": "public by design: the JSON of agreements:agency",
    "account_confirm_email": "allauth's e-mail confirmation: the key in the link is the proof",
    "account_reset_password_from_key": "allauth's password reset: the key in the link is the proof",
    "gov:api_client_revoke": "changes the client for good, so it would change the next cases; "
    "tests/api/test_clients_page.py::test_staff_members_and_other_agencies_cannot_touch_a_client",
    "api-v1:read_inquiry": "a bearer token, not a session, opens it: tests/api/test_inquiries.py::"
    "test_a_client_reads_its_own_past_answer_and_never_another_agencys",
    "api-v1:redemption_pdf": "a bearer token, not a session, opens it: tests/api/"
    "test_redemption.py::test_another_clients_token_cannot_open_the_pdf",
}


def test_every_page_that_takes_an_object_is_in_the_matrix():
    """A new page opened by id or number must join the matrix (or say here why not)."""
    in_matrix = {case.name for case in CASES}
    project_pages = {
        route.name
        for route in all_routes()
        if "<" in route.route and not route.name.startswith("admin:")
    }
    assert project_pages - in_matrix - NOT_IN_MATRIX.keys() == set()
