"""Staff lists name people; they never choose an existing person's contact details, and no list
lets an agency admin end up holding an account for someone else's national code (issue 11)."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from agencies import admission, services
from agencies.models import Membership, StaffList, StaffListRow, StaffListStatus
from inquiries.models import InsuredPerson
from tests.agencies.conftest import enrol_totp
from tests.agencies.factories import national_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

STRANGER = national_code(4401)
STRANGERS_MOBILE = "+989350004401"
ADMINS_EMAIL = "admin@court.example"
NEW_PASSWORD = "a long synthetic passphrase 9"
INVITATION_LINK = re.compile(r"/agencies/invitations/([^/\s]+)/")


@pytest.fixture
def stranger_in_registry(db) -> InsuredPerson:
    return InsuredPerson.objects.create(
        national_code=STRANGER,
        first_name="Parisa",
        last_name="Registry",
        birth_date=datetime.date(1980, 5, 5),
        gender="F",
    )


def row(code: str, mobile: str, email: str = "", **names: str) -> dict[str, str]:
    return {
        "national_code": code,
        "first_name": names.get("first_name", "Made"),
        "last_name": names.get("last_name", "Up"),
        "position": "Clerk",
        "mobile": mobile,
        "email": email,
    }


def submit(agency, agency_admin, *rows: dict[str, str]) -> StaffList:
    return services.submit_staff_list(agency=agency, submitted_by=agency_admin, rows=list(rows))


def grant_in_the_admin(operator, staff_list, capture) -> Client:
    enrol_totp(operator)
    it = Client(HTTP_ACCEPT_LANGUAGE="en")
    it.force_login(operator)
    with capture(execute=True):
        response = it.post(
            "/admin/agencies/stafflist/",
            # The operator has checked any names that differ from the registry with the agency
            # (test_granting_in_the_admin_shows_the_differing_names_and_waits_for_the_operator).
            {
                "action": "grant_access",
                "_selected_action": [staff_list.pk],
                "accept_name_differences": "1",
            },
        )
    assert response.status_code == 302
    return it


def messages_to(mobile: str, email: str) -> list[str]:
    texts = [sms.body for sms in portal.sms.outbox if sms.to == mobile]
    return texts + [str(message.body) for message in mail.outbox if email in message.to]


# --- Item 3: the reproduced attack -------------------------------------------------------------


def test_a_strangers_code_with_the_admins_own_mobile_reaches_no_phone_and_makes_no_account(
    client,
    agency,
    agency_admin,
    admin_membership,
    operator,
    stranger_in_registry,
    django_capture_on_commit_callbacks,
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(agency_admin)
    response = client.post(
        "/gov/staff/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-national_code": STRANGER,
            "form-0-first_name": "Made",
            "form-0-last_name": "Up",
            "form-0-position": "Clerk",
            "form-0-mobile": agency_admin.mobile,
            "form-0-email": ADMINS_EMAIL,
        },
    )
    assert response.status_code == 302
    staff_list = StaffList.objects.get()
    it = grant_in_the_admin(operator, staff_list, django_capture_on_commit_callbacks)

    # Nothing the admin can read carries a link, and no account for the stranger exists.
    reached_the_admin = messages_to(agency_admin.mobile, ADMINS_EMAIL)
    assert not any(INVITATION_LINK.search(text) for text in reached_the_admin)
    assert not User.objects.filter(national_code=STRANGER).exists()
    assert not Membership.objects.filter(user__national_code=STRANGER).exists()
    # So there is nothing to sign in to, and no registry data to see.
    assert not client.login(national_code=STRANGER, password=NEW_PASSWORD)
    # The operator sees why.
    outcome = StaffListRow.objects.get().outcome
    assert outcome == "mobile_not_confirmed"
    page = it.get(f"/admin/agencies/stafflist/{staff_list.pk}/change/")
    assert b"not registered to this national code" in page.content


def test_a_strangers_code_with_their_own_mobile_and_the_admins_email_invites_their_phone_only(
    agency, agency_admin, admin_membership, operator, django_capture_on_commit_callbacks
):
    identity_service.register(STRANGER, STRANGERS_MOBILE)
    staff_list = submit(agency, agency_admin, row(STRANGER, STRANGERS_MOBILE, ADMINS_EMAIL))
    grant_in_the_admin(operator, staff_list, django_capture_on_commit_callbacks)

    assert not any(INVITATION_LINK.search(text) for text in messages_to("-", ADMINS_EMAIL))
    assert not mail.outbox
    invited = User.objects.get(national_code=STRANGER)
    # The list's email is not the person's: it is never put on the account.
    assert (invited.mobile, invited.email) == (STRANGERS_MOBILE, "")
    assert not invited.mobile_verified and not invited.identity_proven
    [sms] = [sms for sms in portal.sms.outbox if sms.to == STRANGERS_MOBILE]
    assert INVITATION_LINK.search(sms.body)


def test_the_invitation_link_proves_the_mobile_and_the_identity_and_accepts_the_membership(
    client, agency, agency_admin, admin_membership, operator, django_capture_on_commit_callbacks
):
    identity_service.register(STRANGER, STRANGERS_MOBILE)
    staff_list = submit(agency, agency_admin, row(STRANGER, STRANGERS_MOBILE))
    grant_in_the_admin(operator, staff_list, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user__national_code=STRANGER)
    assert membership.accepted_at is None
    link = INVITATION_LINK.search(portal.sms.outbox[-1].body)
    assert link
    response = client.post(
        link.group(0), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    invited = User.objects.get(national_code=STRANGER)
    assert invited.mobile_verified and invited.identity_proven
    membership.refresh_from_db()
    assert membership.accepted_at is not None


def test_an_unavailable_identity_service_leaves_the_row_pending_and_the_sweep_invites_later(
    agency, agency_admin, admin_membership, operator, django_capture_on_commit_callbacks
):
    identity_service.register(STRANGER, STRANGERS_MOBILE)
    identity_service.unavailable = True
    staff_list = submit(agency, agency_admin, row(STRANGER, STRANGERS_MOBILE))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.grant_staff_list(staff_list=staff_list, operator=operator)
    assert report.identity_pending == [STRANGER]
    assert StaffListRow.objects.get().outcome == "identity_pending"
    assert not User.objects.filter(national_code=STRANGER).exists()
    assert not portal.sms.outbox

    # Still down: the identity sweep tries again and changes nothing.
    admission.admit_identity_pending_rows()
    assert StaffListRow.objects.get().outcome == "identity_pending"

    identity_service.unavailable = False
    with django_capture_on_commit_callbacks(execute=True):
        admission.admit_identity_pending_rows()
    assert StaffListRow.objects.get().outcome == "invited"
    assert [sms.to for sms in portal.sms.outbox] == [STRANGERS_MOBILE]
    # A second sweep sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        admission.admit_identity_pending_rows()
    assert len(portal.sms.outbox) == 1


# --- Existing accounts -------------------------------------------------------------------------


def test_an_existing_accounts_mobile_and_email_are_untouched_and_the_membership_waits_for_them(
    client, agency, agency_admin, admin_membership, operator, citizen,
    other_citizen, django_capture_on_commit_callbacks,
):  # fmt: skip
    citizen.email = "sara@home.example"
    citizen.save(update_fields=["email"])
    staff_list = submit(
        agency, agency_admin, row(citizen.national_code, agency_admin.mobile, ADMINS_EMAIL)
    )
    grant_in_the_admin(operator, staff_list, django_capture_on_commit_callbacks)

    citizen.refresh_from_db()
    assert (citizen.mobile, citizen.email) == ("+989121110001", "sara@home.example")
    assert citizen.check_password(PASSWORD)
    # No link that sets a password goes anywhere; the admin's phone and email hear nothing.
    assert not any(INVITATION_LINK.search(sms.body) for sms in portal.sms.outbox)
    assert not messages_to(agency_admin.mobile, ADMINS_EMAIL)
    membership = Membership.objects.get(user=citizen, agency=agency)
    assert membership.accepted_at is None

    # The panel stays closed until the person accepts, from their own account.
    enrol_totp(citizen)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(citizen)
    assert client.get("/gov/").status_code == 403
    accept_url = f"/agencies/memberships/{membership.pk}/accept/"
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(other_citizen)
    assert other.post(accept_url).status_code == 404
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(agency_admin)
    assert admin.post(accept_url).status_code == 404
    page = client.get(accept_url)
    assert page.status_code == 200 and agency.name.encode() in page.content
    assert client.post(accept_url).status_code == 302
    membership.refresh_from_db()
    assert membership.accepted_at is not None
    assert client.get("/gov/").status_code == 200


# --- Names compared with the registry ----------------------------------------------------------


def test_names_that_differ_from_the_registry_are_flagged_in_the_admin_and_the_command(
    agency, agency_admin, admin_membership, operator, stranger_in_registry, capsys
):
    identity_service.register(STRANGER, STRANGERS_MOBILE)
    staff_list = submit(
        agency,
        agency_admin,
        row(STRANGER, STRANGERS_MOBILE, first_name="Made", last_name="Up"),
        row(national_code(4402), "+989350004402"),  # not in the registry: nothing to compare
    )
    assert list(StaffListRow.objects.values_list("name_check", flat=True)) == [
        "differs",
        "not_in_registry",
    ]
    enrol_totp(operator)
    it = Client(HTTP_ACCEPT_LANGUAGE="en")
    it.force_login(operator)
    listing = it.get("/admin/agencies/stafflist/")
    assert b"Names differ from the registry: 1" in listing.content
    page = it.get(f"/admin/agencies/stafflist/{staff_list.pk}/change/")
    assert b"Differs from the registry" in page.content

    with pytest.raises(CommandError, match="differ from the registry"):
        call_command("grant_agency_staff", str(staff_list.pk), operator=operator.national_code)
    assert STRANGER in capsys.readouterr().out
    staff_list.refresh_from_db()
    assert staff_list.status == StaffListStatus.SUBMITTED
    call_command(
        "grant_agency_staff",
        str(staff_list.pk),
        operator=operator.national_code,
        accept_name_differences=True,
    )
    staff_list.refresh_from_db()
    assert staff_list.status == StaffListStatus.GRANTED


def test_granting_in_the_admin_shows_the_differing_names_and_waits_for_the_operator(
    agency,
    agency_admin,
    admin_membership,
    operator,
    stranger_in_registry,
    django_capture_on_commit_callbacks,
):
    identity_service.register(STRANGER, STRANGERS_MOBILE)
    staff_list = submit(
        agency, agency_admin, row(STRANGER, STRANGERS_MOBILE, first_name="Made", last_name="Up")
    )
    enrol_totp(operator)
    it = Client(HTTP_ACCEPT_LANGUAGE="en")
    it.force_login(operator)
    grant = {"action": "grant_access", "_selected_action": [staff_list.pk]}

    asked = it.post("/admin/agencies/stafflist/", grant)
    assert asked.status_code == 200
    assert b"differ from the registry" in asked.content
    assert [(r.national_code, r.first_name, r.last_name) for r in asked.context["rows"]] == [
        (STRANGER, "Made", "Up")
    ]
    staff_list.refresh_from_db()
    assert staff_list.status == StaffListStatus.SUBMITTED
    assert not Membership.objects.filter(agency=agency).exclude(pk=admin_membership.pk).exists()
    assert not User.objects.filter(national_code=STRANGER).exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = it.post("/admin/agencies/stafflist/", {**grant, "accept_name_differences": "1"})
    assert confirmed.status_code == 302
    staff_list.refresh_from_db()
    assert staff_list.status == StaffListStatus.GRANTED


def test_names_written_with_arabic_letters_or_other_spacing_match_the_registry(
    agency, agency_admin, admin_membership, stranger_in_registry
):
    InsuredPerson.objects.filter(pk=stranger_in_registry.pk).update(
        first_name="علی رضا", last_name="کریمی"
    )
    submit(
        agency,
        agency_admin,
        row(STRANGER, STRANGERS_MOBILE, first_name="علي\u200cرضا", last_name=" كريمي "),
    )
    assert StaffListRow.objects.get().name_check == "match"


def test_an_unproven_account_accepts_only_once_its_verified_mobile_is_confirmed(
    client, agency, agency_admin, admin_membership, operator, django_capture_on_commit_callbacks
):
    from tests.conftest import make_user

    person = make_user(national_code(4403), "+989350004403", identity_verified_at=None)
    identity_service.reset()  # the service does not (yet) link this mobile to the code
    staff_list = submit(agency, agency_admin, row(person.national_code, "+989350004499"))
    grant_in_the_admin(operator, staff_list, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user=person)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(person)
    listing = client.get("/agencies/requests/")
    assert f"/agencies/memberships/{membership.pk}/accept/".encode() in listing.content

    refused = client.post(f"/agencies/memberships/{membership.pk}/accept/")
    assert refused.status_code == 400
    assert b"prove your identity" in refused.content
    membership.refresh_from_db()
    assert membership.accepted_at is None

    identity_service.register(person.national_code, "+989350004403")
    assert client.post(f"/agencies/memberships/{membership.pk}/accept/").status_code == 302
    person.refresh_from_db()
    assert person.identity_proven
    membership.refresh_from_db()
    assert membership.accepted_at is not None
