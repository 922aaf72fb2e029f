"""IT grants a staff list; each person is invited by a single-use, expiring link."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from accounts.roles import Role
from agencies import outbox, services
from agencies.models import (
    Invitation,
    Membership,
    MembershipRole,
    RemovalRequestStatus,
    StaffList,
    StaffListStatus,
)
from tests.agencies.conftest import enrol_totp
from tests.agencies.factories import national_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long synthetic passphrase 7"


def link_from(text: str) -> str:
    match = re.search(r"https?://[^\s]+/agencies/invitations/([^/\s]+)/", text)
    assert match, text
    return match.group(1)


@pytest.fixture
def staff_list(admin_membership, agency, agency_admin, citizen) -> StaffList:
    """Two people: one new to the portal, whose mobile the identity service confirms, and the
    citizen who already has an account."""
    identity_service.register(national_code(101), "+989350000101")
    return services.submit_staff_list(
        agency=agency,
        submitted_by=agency_admin,
        rows=[
            {
                "national_code": national_code(101),
                "first_name": "Nima",
                "last_name": "Synthetic",
                "position": "Clerk",
                "mobile": "+989350000101",
                "email": "nima@court.example",
            },
            {
                "national_code": citizen.national_code,
                "first_name": "Sara",
                "last_name": "Ahmadi",
                "position": "Judge's assistant",
                # Not the citizen's own number: an invitation must not go here.
                "mobile": "+989350000102",
                "email": "someone-else@example.com",
            },
        ],
    )


def grant(staff_list, operator, capture):
    with capture(execute=True):
        return services.grant_staff_list(staff_list=staff_list, operator=operator)


def test_granting_creates_memberships_on_new_and_existing_accounts(
    staff_list, operator, citizen, django_capture_on_commit_callbacks
):
    report = grant(staff_list, operator, django_capture_on_commit_callbacks)
    assert report.created_accounts == [national_code(101)]
    assert report.existing_accounts == [citizen.national_code]
    newcomer = User.objects.get(national_code=national_code(101))
    assert not newcomer.has_usable_password()
    assert (newcomer.mobile, newcomer.email) == ("+989350000101", "")
    # The panel's role comes with accepting, not with being asked for.
    assert not newcomer.has_role(Role.AGENCY_STAFF)
    citizen.refresh_from_db()
    assert citizen.has_usable_password()
    assert (citizen.mobile, citizen.email) == ("+989121110001", "")
    assert Membership.objects.filter(agency=staff_list.agency, is_active=True).count() == 3
    assert Membership.objects.filter(agency=staff_list.agency, accepted_at=None).count() == 2
    staff_list.refresh_from_db()
    assert (staff_list.status, staff_list.granted_by) == (StaffListStatus.GRANTED, operator)
    assert all(row.membership_id for row in staff_list.rows.all())


def test_the_link_goes_by_sms_to_the_confirmed_mobile_and_the_account_holder_is_only_told(
    staff_list, operator, citizen, django_capture_on_commit_callbacks
):
    grant(staff_list, operator, django_capture_on_commit_callbacks)
    assert sorted(sms.to for sms in portal.sms.outbox) == sorted(["+989350000101", citizen.mobile])
    links = [sms.to for sms in portal.sms.outbox if "/agencies/invitations/" in sms.body]
    assert links == ["+989350000101"]
    # Never by email: the list's addresses are nobody's proven ones.
    assert not mail.outbox
    assert "+989350000102" not in [sms.to for sms in portal.sms.outbox]


def test_only_a_hash_of_the_token_is_stored(
    staff_list, operator, django_capture_on_commit_callbacks
):
    token = invite_newcomer(staff_list, operator, django_capture_on_commit_callbacks)
    stored = list(Invitation.objects.values_list("token_hash", flat=True))
    assert token not in stored
    assert all(len(digest) == 64 for digest in stored)


def test_granting_twice_changes_nothing(staff_list, operator, django_capture_on_commit_callbacks):
    grant(staff_list, operator, django_capture_on_commit_callbacks)
    counts = (User.objects.count(), Membership.objects.count(), Invitation.objects.count())
    sent = len(portal.sms.outbox)
    report = grant(staff_list, operator, django_capture_on_commit_callbacks)
    assert report.invitations == 0
    assert (User.objects.count(), Membership.objects.count(), Invitation.objects.count()) == counts
    assert len(portal.sms.outbox) == sent


def test_sending_an_invitation_twice_sends_it_once(
    staff_list, operator, django_capture_on_commit_callbacks
):
    grant(staff_list, operator, django_capture_on_commit_callbacks)
    sent = len(portal.sms.outbox)
    for invitation in Invitation.objects.all():
        assert outbox.send_invitation(invitation_id=invitation.pk) is False
    assert len(portal.sms.outbox) == sent


def test_the_command_grants_and_is_safe_to_run_again(staff_list, operator, capsys):
    call_command("grant_agency_staff", str(staff_list.pk), operator=operator.national_code)
    assert "1 new accounts, 1 existing accounts" in capsys.readouterr().out
    call_command("grant_agency_staff", str(staff_list.pk), operator=operator.national_code)
    assert "already granted" in capsys.readouterr().out
    assert Invitation.objects.count() == 1  # the newcomer's; the account holder gets a notice


def test_the_command_refuses_someone_who_is_not_an_operator(staff_list, committee_reviewer):
    # The message is in the active language, which an earlier test's request may have left.
    with translation.override("en"), pytest.raises(CommandError, match="IT operators"):
        call_command(
            "grant_agency_staff", str(staff_list.pk), operator=committee_reviewer.national_code
        )
    assert not Invitation.objects.exists()


def test_an_operator_grants_from_the_admin(client, staff_list, operator):
    enrol_totp(operator)
    client.force_login(operator)
    response = client.post(
        "/admin/agencies/stafflist/",
        {"action": "grant_access", "_selected_action": [staff_list.pk]},
    )
    assert response.status_code == 302
    staff_list.refresh_from_db()
    assert staff_list.status == StaffListStatus.GRANTED


def test_the_committee_cannot_grant_from_the_admin(client, staff_list, committee_reviewer):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    assert client.get("/admin/agencies/stafflist/").status_code == 403
    staff_list.refresh_from_db()
    assert staff_list.status == StaffListStatus.SUBMITTED


# --- The invitation link -----------------------------------------------------------------------


def invite_newcomer(staff_list, operator, capture) -> str:
    grant(staff_list, operator, capture)
    sms = next(s for s in portal.sms.outbox if s.to == "+989350000101")
    return link_from(sms.body)


def test_the_link_sets_a_password_once(
    client, staff_list, operator, django_capture_on_commit_callbacks
):
    token = invite_newcomer(staff_list, operator, django_capture_on_commit_callbacks)
    url = f"/agencies/invitations/{token}/"
    assert client.get(url).status_code == 200
    mismatch = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 400
    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert authenticate(national_code=national_code(101), password=NEW_PASSWORD) is not None
    assert client.get(url).status_code == 404
    again = client.post(url, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert again.status_code == 404


def test_an_expired_link_does_not_work(
    client, staff_list, operator, settings, django_capture_on_commit_callbacks
):
    token = invite_newcomer(staff_list, operator, django_capture_on_commit_callbacks)
    later = timezone.now() + settings.AGENCY_INVITATION_TTL + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.get(f"/agencies/invitations/{token}/").status_code == 404


def test_a_new_invitation_replaces_the_old_link(
    client, staff_list, operator, django_capture_on_commit_callbacks
):
    token = invite_newcomer(staff_list, operator, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user__national_code=national_code(101))
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(membership=membership)
    assert client.get(f"/agencies/invitations/{token}/").status_code == 404
    newest = link_from(portal.sms.outbox[-1].body)
    assert client.get(f"/agencies/invitations/{newest}/").status_code == 200


def test_a_made_up_token_is_refused(client):
    assert client.get("/agencies/invitations/not-a-real-token/").status_code == 404


# --- Removing access ---------------------------------------------------------------------------


def test_an_operator_removes_access_and_the_request_is_closed(
    client, staff_membership, agency_admin, admin_membership, operator, agency_staff
):
    services.request_removal(
        membership=staff_membership, requested_by=agency_admin, reasons="Left the agency."
    )
    enrol_totp(operator)
    client.force_login(operator)
    url = f"/admin/agencies/membership/{staff_membership.pk}/remove/"
    assert b"Left the agency." in client.get(url).content
    client.post(url, {"reasons": "Left the agency."})
    staff_membership.refresh_from_db()
    assert not staff_membership.is_active
    assert staff_membership.removed_by == operator
    assert staff_membership.removal_requests.get().status == RemovalRequestStatus.DONE
    agency_staff = User.objects.get(pk=agency_staff.pk)
    assert not agency_staff.has_role(Role.AGENCY_STAFF)


def test_a_removed_person_asked_for_again_gets_access_back(
    staff_membership,
    agency_admin,
    admin_membership,
    operator,
    agency_staff,
    django_capture_on_commit_callbacks,
):
    services.remove_membership(membership=staff_membership, operator=operator, reasons="Left.")
    staff_list = services.submit_staff_list(
        agency=staff_membership.agency,
        submitted_by=agency_admin,
        rows=[
            {
                "national_code": agency_staff.national_code,
                "first_name": "Back",
                "last_name": "Again",
                "position": "Clerk",
                "mobile": agency_staff.mobile,
                "email": "",
            }
        ],
    )
    grant(staff_list, operator, django_capture_on_commit_callbacks)
    staff_membership.refresh_from_db()
    assert staff_membership.is_active and staff_membership.removed_at is None
    assert staff_membership.role == MembershipRole.STAFF
    # ...once they accept it again.
    assert staff_membership.accepted_at is None
    services.accept_membership(membership=staff_membership, user=agency_staff)
    assert User.objects.get(pk=agency_staff.pk).has_role(Role.AGENCY_STAFF)


def test_accepting_an_invitation_does_not_reactivate_a_deactivated_account(
    client, staff_list, operator, citizen, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    token = invite_newcomer(staff_list, operator, django_capture_on_commit_callbacks)
    User.objects.filter(national_code=national_code(101)).update(is_active=False)
    client.post(
        f"/agencies/invitations/{token}/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    newcomer = User.objects.get(national_code=national_code(101))
    assert newcomer.check_password(NEW_PASSWORD)
    assert not newcomer.is_active
    assert Membership.objects.get(user=newcomer).accepted_at is None
    assert StaffList.objects.get().rows.get(national_code=citizen.national_code).outcome == (
        "awaiting_acceptance"
    )


def test_a_deactivated_account_is_reported_for_follow_up(
    staff_list, operator, citizen, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    report = grant(staff_list, operator, django_capture_on_commit_callbacks)
    assert report.unreachable == [citizen.national_code]


def test_an_invitation_whose_mobile_the_service_no_longer_confirms_is_revoked_unsent(
    staff_membership, operator
):
    identity_service.reset()  # the service no longer links the staff member's mobile to them
    invitation = services.invite_member(membership=staff_membership)
    assert outbox.send_invitation(invitation_id=invitation.pk) is False
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and invitation.sent_at is None
    assert not portal.sms.outbox
