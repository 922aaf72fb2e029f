"""An agency has at most one MoU in force, and one application open at a time.

The attack as reproduced on main: a second identical application (same applicant, same legal ID)
was accepted; approving it and recording its MoU gave a second MoU in force, the panel silently
switched to the newer one, and ending the newer one left access open through the older.

Decided here: a second application while one is open is refused (not linked), with a message
next to the legal ID; an agency whose MoU is in force may apply again (new scopes, renewal), and
the MoU recorded for that application must name the one it supersedes, which stops granting
access at once and for good. The database enforces both with partial unique constraints.
"""

import datetime

import pytest
from django.db import IntegrityError, transaction

from agencies import selectors, services
from agencies.models import (
    AccessRequest,
    Agency,
    Membership,
    MembershipRole,
    Mou,
    MouAction,
    MouStatus,
    RequestStatus,
)
from agencies.scopes import Scope
from tests.agencies.conftest import enrol_totp, mou_terms
from tests.agencies.factories import AccessRequestFactory, MouFactory, details, legal_id
from tests.agencies.test_apply_views import form_data
from tests.agencies.test_committee_admin import mou_form
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LEGAL_ID = legal_id(7001)


def approve(access_request, reviewer):
    services.start_review(access_request=access_request, reviewer=reviewer)
    services.approve_request(access_request=access_request, reviewer=reviewer, reasons="Lawful.")
    access_request.refresh_from_db()
    return access_request


@pytest.fixture
def first_mou(citizen, committee_reviewer) -> Mou:
    """The agency's MoU in force, recorded for its first application (two scopes)."""
    first = approve(
        services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID)),
        committee_reviewer,
    )
    return services.record_mou(
        agency=first.agency,
        access_request=first,
        recorded_by=committee_reviewer,
        terms=mou_terms(
            number="MOU-FIRST",
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2099, 1, 1),
            scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_FLAG],
        ),
    )


# --- Applications ------------------------------------------------------------------------------


def test_a_second_identical_application_is_refused_while_the_first_is_open(citizen):
    services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID))
    with pytest.raises(services.DuplicateApplication):
        services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID))
    assert AccessRequest.objects.filter(legal_id=LEGAL_ID).count() == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "already open with the committee"), ("fa", "شناسه ملی")],
)
def test_the_form_says_why_next_to_the_legal_id_in_both_languages(
    client, citizen, other_citizen, language, expected
):
    services.submit_request(applicant=other_citizen, details=details(legal_id=legal_id(900)))
    client.force_login(citizen)
    response = client.post(
        "/agencies/apply/", form_data(legal_id=legal_id(900)), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["legal_id"]
    assert expected in errors[0]
    assert AccessRequest.objects.count() == 1


def test_an_approved_application_waiting_for_its_mou_is_still_open(citizen, committee_reviewer):
    approve(
        services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID)),
        committee_reviewer,
    )
    with pytest.raises(services.DuplicateApplication):
        services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID))


def test_a_rejected_application_is_not_reopened_over_a_newer_open_one(citizen, committee_reviewer):
    first = services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID))
    services.start_review(access_request=first, reviewer=committee_reviewer)
    services.reject_request(access_request=first, reviewer=committee_reviewer, reasons="No.")
    services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID))
    with pytest.raises(services.DuplicateApplication):
        services.reopen_request(access_request=first, reviewer=committee_reviewer, reasons="Again.")
    first.refresh_from_db()
    assert first.status == RequestStatus.REJECTED


def test_the_database_refuses_two_open_applications_for_one_legal_id(citizen):
    AccessRequestFactory.create(applicant=citizen, legal_id=LEGAL_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessRequestFactory.create(
            applicant=citizen, legal_id=LEGAL_ID, status=RequestStatus.IN_REVIEW
        )
    # Decided applications do not count.
    AccessRequestFactory.create(applicant=citizen, legal_id=LEGAL_ID, status=RequestStatus.REJECTED)


def test_an_agency_with_an_mou_in_force_may_apply_again(first_mou, citizen):
    renewal = services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID))
    assert renewal.status == RequestStatus.SUBMITTED


# --- MoUs ---------------------------------------------------------------------------------------


def test_the_newer_mou_must_name_the_one_it_supersedes(first_mou, citizen, committee_reviewer):
    second = approve(
        services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID)),
        committee_reviewer,
    )
    assert second.agency_id == first_mou.agency_id
    with pytest.raises(services.TransitionError, match="MOU-FIRST"):
        services.record_mou(
            agency=second.agency,
            access_request=second,
            recorded_by=committee_reviewer,
            terms=mou_terms(number="MOU-SECOND", scopes=[Scope.COVERAGE_FLAG]),
        )
    first_mou.refresh_from_db()
    assert first_mou.status == MouStatus.ACTIVE
    assert Mou.objects.count() == 1


def test_a_superseded_mou_stops_granting_access_at_once_and_ending_the_newer_does_not_reopen_it(
    first_mou, citizen, agency_staff, committee_reviewer, operator
):
    agency = first_mou.agency
    Membership.objects.create(
        user=agency_staff, agency=agency, role=MembershipRole.STAFF, granted_by=operator
    )
    assert selectors.panel_membership_for(agency_staff) is not None
    second = approve(
        services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID)),
        committee_reviewer,
    )
    newer = services.record_mou(
        agency=agency,
        access_request=second,
        recorded_by=committee_reviewer,
        terms=mou_terms(
            number="MOU-SECOND",
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2099, 1, 1),
            scopes=[Scope.COVERAGE_FLAG],
            supersedes=first_mou,
        ),
    )
    first_mou.refresh_from_db()
    # Recorded on both, with an event on each.
    assert first_mou.status == MouStatus.SUPERSEDED
    assert newer.supersedes == first_mou
    assert first_mou.superseded_by == newer
    assert first_mou.events.filter(action=MouAction.SUPERSEDED, reasons__contains="MOU-SECOND")
    assert newer.events.filter(action=MouAction.RECORDED, reasons__contains="MOU-FIRST")
    # One MoU in force: the panel follows the newer one's scopes.
    assert list(Mou.objects.in_force_on(datetime.date.today()).filter(agency=agency)) == [newer]
    panel = selectors.panel_membership_for(agency_staff)
    assert panel is not None
    assert panel[1] == newer
    services.end_mou(mou=newer, actor=committee_reviewer, reasons="Agreement ended.")
    assert selectors.active_mou_for(agency_id=agency.pk) is None
    assert selectors.panel_membership_for(agency_staff) is None
    first_mou.refresh_from_db()
    assert first_mou.status == MouStatus.SUPERSEDED
    assert not first_mou.allows("reinstate")


def test_the_database_refuses_two_open_mous_for_one_agency(committee_reviewer):
    mou = MouFactory.create(recorded_by=committee_reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        MouFactory.create(
            recorded_by=committee_reviewer, agency=mou.agency, status=MouStatus.SUSPENDED
        )
    MouFactory.create(recorded_by=committee_reviewer, agency=mou.agency, status=MouStatus.ENDED)


def test_a_circular_mou_found_later_is_recorded_as_superseded_by_the_one_in_force(
    first_mou, operator
):
    circular = services.record_circular_mou(
        agency=first_mou.agency,
        number="C1-OLD",
        signed_on=datetime.date(2015, 5, 1),
        scopes=[Scope.COVERAGE_FLAG],
        recorded_by=operator,
        reasons="Migrated from isinsured.",
        signatory="(not recorded)",
    )
    assert circular.status == MouStatus.SUPERSEDED
    first_mou.refresh_from_db()
    assert first_mou.status == MouStatus.ACTIVE
    assert first_mou.supersedes == circular


def test_the_admin_form_asks_which_mou_is_superseded_and_records_it(
    client, first_mou, citizen, committee_reviewer
):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    second = approve(
        services.submit_request(applicant=citizen, details=details(legal_id=LEGAL_ID)),
        committee_reviewer,
    )
    page = client.get(f"/admin/agencies/mou/add/?access_request={second.pk}")
    assert page.context["adminform"].form.initial["supersedes"] == str(first_mou.pk)
    refused = client.post(
        "/admin/agencies/mou/add/", mou_form(second, number="T-2"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200
    assert "MOU-FIRST" in refused.context["adminform"].form.errors["supersedes"][0]
    recorded = client.post(
        "/admin/agencies/mou/add/", mou_form(second, number="T-2", supersedes=first_mou.pk)
    )
    assert recorded.status_code == 302
    assert Mou.objects.get(number="T-2").supersedes == first_mou
    assert Agency.objects.count() == 1
    other = make_user("0010000089", "+989121110008")
    assert not Membership.objects.filter(user=other).exists()
