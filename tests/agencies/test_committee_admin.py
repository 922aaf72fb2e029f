"""The committee's and IT's screens in the admin: queue, decisions, MoUs, refusals."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import (
    Decision,
    DecisionOutcome,
    Membership,
    MembershipRole,
    Mou,
    MouAction,
    MouStatus,
    RequestStatus,
)
from tests.agencies.conftest import enrol_totp
from tests.agencies.factories import PDF_BYTES, AccessRequestFactory
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

QUEUE = "/admin/agencies/accessrequest/"


@pytest.fixture
def reviewer_client(client, committee_reviewer):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    return client


@pytest.fixture
def operator_client(client, operator):
    enrol_totp(operator)
    operator.email = "it@sso.example"
    operator.save()
    client.force_login(operator)
    return client


def test_the_queue_filters_by_state_and_searches(reviewer_client, citizen):
    AccessRequestFactory.create(applicant=citizen, agency_name="Synthetic Fund A")
    AccessRequestFactory.create(
        applicant=citizen, agency_name="Synthetic Court B", status=RequestStatus.IN_REVIEW
    )
    response = reviewer_client.get(QUEUE, {"status__exact": "in_review"})
    assert response.status_code == 200
    assert b"Synthetic Court B" in response.content
    assert b"Synthetic Fund A" not in response.content
    response = reviewer_client.get(QUEUE, {"q": "Fund A"})
    assert b"Synthetic Fund A" in response.content
    assert b"Synthetic Court B" not in response.content


def test_the_queue_takes_the_same_number_of_queries_for_many_requests(
    reviewer_client, citizen, django_assert_max_num_queries
):
    AccessRequestFactory.create_batch(3, applicant=citizen)
    with django_assert_max_num_queries(12) as few:
        reviewer_client.get(QUEUE)
    AccessRequestFactory.create_batch(20, applicant=citizen)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(QUEUE)


def test_a_reviewer_takes_a_request_into_review_and_approves_it_with_reasons(
    reviewer_client, submitted_request, committee_reviewer
):
    pk = submitted_request.pk
    page = reviewer_client.get(f"{QUEUE}{pk}/change/")
    assert page.status_code == 200
    assert b"start-review" in page.content
    reviewer_client.post(f"{QUEUE}{pk}/start-review/")
    submitted_request.refresh_from_db()
    assert submitted_request.status == RequestStatus.IN_REVIEW
    response = reviewer_client.post(
        f"{QUEUE}{pk}/decide/", {"outcome": "approve", "reasons": "Lawful basis shown."}
    )
    assert response.status_code == 302
    submitted_request.refresh_from_db()
    assert submitted_request.status == RequestStatus.APPROVED
    decision = Decision.objects.get(request=submitted_request)
    assert (decision.outcome, decision.reviewer, decision.reasons) == (
        DecisionOutcome.APPROVED,
        committee_reviewer,
        "Lawful basis shown.",
    )


def test_a_decision_without_reasons_is_sent_back_to_the_reviewer(
    reviewer_client, request_in_review
):
    response = reviewer_client.post(
        f"{QUEUE}{request_in_review.pk}/decide/", {"outcome": "reject", "reasons": " "}
    )
    assert response.status_code == 400
    assert "reasons" in response.context["form"].errors
    request_in_review.refresh_from_db()
    assert request_in_review.status == RequestStatus.IN_REVIEW


def test_deciding_from_the_wrong_state_says_why_and_changes_nothing(
    reviewer_client, submitted_request
):
    response = reviewer_client.post(
        f"{QUEUE}{submitted_request.pk}/decide/",
        {"outcome": "approve", "reasons": "ok"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert b"Only a request in review can be approved." in response.content
    submitted_request.refresh_from_db()
    assert submitted_request.status == RequestStatus.SUBMITTED


def test_decisions_cannot_be_edited_in_the_admin(reviewer_client, approved_request):
    response = reviewer_client.post(
        f"{QUEUE}{approved_request.pk}/change/", {"agency_name": "Changed"}
    )
    assert response.status_code == 403
    assert reviewer_client.get("/admin/agencies/decision/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [QUEUE, "{QUEUE}{pk}/change/", "{QUEUE}{pk}/decide/", "/admin/agencies/mou/add/"],
)
def test_operators_are_refused_the_committees_screens(operator_client, submitted_request, url):
    url = url.format(QUEUE=QUEUE, pk=submitted_request.pk)
    response = operator_client.post(url, {"outcome": "approve", "reasons": "x"})
    assert response.status_code == 403
    submitted_request.refresh_from_db()
    assert submitted_request.status == RequestStatus.SUBMITTED


@pytest.mark.parametrize("who", ["citizen", "agency_admin", "agency_staff"])
def test_agency_users_and_citizens_never_reach_the_admin(client, submitted_request, who, request):
    user = request.getfixturevalue(who)
    enrol_totp(user)
    client.force_login(user)
    response = client.post(
        f"{QUEUE}{submitted_request.pk}/decide/", {"outcome": "approve", "reasons": "x"}
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    submitted_request.refresh_from_db()
    assert submitted_request.status == RequestStatus.SUBMITTED


# --- MoUs --------------------------------------------------------------------------------------


def mou_form(approved_request, **overrides):
    data = {
        "agency": approved_request.agency_id,
        "access_request": approved_request.pk,
        "number": "۱۴۰۴/ت/۷۷",
        "basis": "this_order",
        "signed_on": "۱۴۰۴/۱۱/۰۱",
        "valid_from": "1404/11/01",
        "valid_until": "1405/11/01",
        "signed_by_insurance_deputy": "Insurance Deputy (synthetic)",
        "signed_by_pensions_manager": "GM Pensions (synthetic)",
        "signed_by_registration_manager": "GM Registration (synthetic)",
        "scopes": ["coverage_flag"],
        "scan": SimpleUploadedFile("mou.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_a_reviewer_records_the_mou_and_it_and_the_applicant_are_told(
    reviewer_client, approved_request, operator, citizen, django_capture_on_commit_callbacks
):
    operator.email = "it@sso.example"
    operator.save()
    form = reviewer_client.get(f"/admin/agencies/mou/add/?access_request={approved_request.pk}")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post("/admin/agencies/mou/add/", mou_form(approved_request))
    assert response.status_code == 302, response.context["adminform"].form.errors
    mou = Mou.objects.get()
    assert mou.number == "1404/ت/77"  # typed in Persian digits
    assert mou.valid_from.isoformat() == "2026-01-21"
    assert mou.status == MouStatus.ACTIVE
    assert list(mou.events.values_list("action", flat=True)) == [MouAction.RECORDED]
    assert mou.it_notified_at is not None
    assert "it@sso.example" in [address for message in mail.outbox for address in message.to]
    membership = Membership.objects.get(user=citizen, agency=approved_request.agency)
    assert membership.role == MembershipRole.ADMIN
    assert approved_request.notices.count() == 2  # the approval, then the MoU


def test_an_mou_cannot_grant_more_than_was_asked(reviewer_client, approved_request):
    response = reviewer_client.post(
        "/admin/agencies/mou/add/",
        mou_form(approved_request, scopes=["coverage_flag", "coverage_history"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "did not ask for" in str(response.context["adminform"].form.errors["scopes"])
    assert not Mou.objects.exists()


def test_a_fake_scan_is_refused(reviewer_client, approved_request):
    fake = SimpleUploadedFile("mou.pdf", b"just text", content_type="application/pdf")
    response = reviewer_client.post(
        "/admin/agencies/mou/add/", mou_form(approved_request, scan=fake), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "not a PDF, JPEG or PNG" in str(response.context["adminform"].form.errors["scan"])
    assert not Mou.objects.exists()


def test_a_reviewer_suspends_reinstates_and_ends_an_mou_with_reasons(
    reviewer_client, agency_mou, committee_reviewer
):
    base = f"/admin/agencies/mou/{agency_mou.pk}/status"
    assert reviewer_client.post(f"{base}/suspend/", {"reasons": ""}).status_code == 400
    reviewer_client.post(f"{base}/suspend/", {"reasons": "Audit finding."})
    agency_mou.refresh_from_db()
    assert agency_mou.status == MouStatus.SUSPENDED
    reviewer_client.post(f"{base}/reinstate/", {"reasons": "Audit closed."})
    reviewer_client.post(f"{base}/end/", {"reasons": "Agency dissolved.", "confirm": "on"})
    agency_mou.refresh_from_db()
    assert agency_mou.status == MouStatus.ENDED
    events = list(agency_mou.events.values_list("action", "actor", "reasons"))
    assert events == [
        (MouAction.SUSPENDED, committee_reviewer.pk, "Audit finding."),
        (MouAction.REINSTATED, committee_reviewer.pk, "Audit closed."),
        (MouAction.ENDED, committee_reviewer.pk, "Agency dissolved."),
    ]


def test_operators_see_mous_waiting_for_it_but_cannot_suspend_them(operator_client, agency_mou):
    response = operator_client.get("/admin/agencies/mou/", {"it": "waiting"})
    assert agency_mou.number.encode() in response.content
    refused = operator_client.post(
        f"/admin/agencies/mou/{agency_mou.pk}/status/suspend/", {"reasons": "x"}
    )
    assert refused.status_code == 403
    operator_client.post(f"/admin/agencies/mou/{agency_mou.pk}/it-actioned/")
    agency_mou.refresh_from_db()
    assert agency_mou.it_actioned_at is not None
    assert agency_mou.status == MouStatus.ACTIVE


def test_the_admin_signs_people_in_with_their_second_factor(client, committee_reviewer):
    enrol_totp(committee_reviewer)
    response = client.get("/admin/login/?next=/admin/agencies/accessrequest/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # A password alone, posted to the admin's own form, signs nobody in.
    client.post(
        "/admin/login/",
        {"username": committee_reviewer.national_code, "password": PASSWORD},
    )
    assert client.get(QUEUE).status_code == 302
    signed_in = client.post(
        "/accounts/login/", {"login": committee_reviewer.national_code, "password": PASSWORD}
    )
    assert "/2fa/authenticate/" in signed_in["Location"]
    assert client.get(QUEUE).status_code == 302


def test_an_mou_under_this_order_needs_its_scan(reviewer_client, approved_request):
    data = mou_form(approved_request)
    del data["scan"]
    response = reviewer_client.post("/admin/agencies/mou/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Attach the scan" in str(response.context["adminform"].form.errors["scan"])
    assert not Mou.objects.exists()


def test_the_agency_admins_are_told_when_the_mou_is_suspended(
    reviewer_client, agency_mou, admin_membership, agency_admin
):
    reviewer_client.post(
        f"/admin/agencies/mou/{agency_mou.pk}/status/suspend/", {"reasons": "Audit finding."}
    )
    notice = agency_admin.agency_notices.get()
    assert "Audit finding." in notice.body
