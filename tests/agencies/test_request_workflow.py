"""The request's states and the services that move it, refused from the wrong state or role."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

import portal.sms
from agencies import services
from agencies.models import (
    AWAITING_MOU,
    REQUEST_TRANSITIONS,
    AccessRequest,
    Agency,
    Decision,
    DecisionOutcome,
    Notice,
    RequestAction,
    RequestStatus,
)
from tests.agencies.conftest import enrol_totp
from tests.agencies.factories import AccessRequestFactory, MouFactory, details

pytestmark = pytest.mark.django_db

ALL_STATUSES = list(RequestStatus)


def request_in(status: RequestStatus, applicant) -> AccessRequest:
    return AccessRequestFactory.create(applicant=applicant, status=status)


def test_a_submitted_request_waits_for_the_committee(citizen):
    access_request = services.submit_request(applicant=citizen, details=details())
    assert access_request.status == RequestStatus.SUBMITTED
    assert access_request.applicant == citizen
    assert access_request.agency is None


def test_approval_records_the_decision_creates_the_agency_and_tells_the_applicant(
    request_in_review, committee_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.approve_request(
            access_request=request_in_review, reviewer=committee_reviewer, reasons="Lawful."
        )
    request_in_review.refresh_from_db()
    assert request_in_review.status == RequestStatus.APPROVED
    assert decision.reviewer == committee_reviewer and decision.reasons == "Lawful."
    assert decision.decided_at is not None
    assert request_in_review.agency == Agency.objects.get(legal_id=request_in_review.legal_id)
    notice = Notice.objects.get(recipient=request_in_review.applicant)
    assert "Lawful." in notice.body
    assert notice.delivered_at is not None
    assert [sms.to for sms in portal.sms.outbox] == [request_in_review.applicant.mobile]
    assert mail.outbox[0].to == [request_in_review.contact_email]


def test_the_applicant_is_told_nothing_until_the_transaction_commits(
    request_in_review, committee_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reject_request(
            access_request=request_in_review, reviewer=committee_reviewer, reasons="No basis."
        )
    assert portal.sms.outbox == []
    assert len(callbacks) == 1


def test_a_returned_request_can_be_resubmitted_and_reviewed_again(
    request_in_review, committee_reviewer, citizen
):
    services.return_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Attach statute."
    )
    request_in_review.refresh_from_db()
    assert request_in_review.status == RequestStatus.RETURNED
    original_letter = request_in_review.letter.name
    services.resubmit_request(
        access_request=request_in_review,
        applicant=citizen,
        details=details(legal_basis="Statute attached.", letter=None),
    )
    request_in_review.refresh_from_db()
    assert request_in_review.status == RequestStatus.RESUBMITTED
    assert request_in_review.legal_basis == "Statute attached."
    assert request_in_review.letter.name == original_letter
    services.start_review(access_request=request_in_review, reviewer=committee_reviewer)
    services.approve_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Now complete."
    )
    outcomes = list(request_in_review.decisions.values_list("outcome", flat=True))
    assert outcomes == [DecisionOutcome.RETURNED, DecisionOutcome.APPROVED]


def test_taking_into_review_and_resubmitting_are_in_the_history_with_what_was_judged(
    citizen, committee_reviewer
):
    access_request = services.submit_request(
        applicant=citizen, details=details(legal_basis="Article 5.")
    )
    services.start_review(access_request=access_request, reviewer=committee_reviewer)
    services.return_request(
        access_request=access_request, reviewer=committee_reviewer, reasons="Which statute?"
    )
    services.resubmit_request(
        access_request=access_request,
        applicant=citizen,
        details=details(legal_basis="Article 5 of the Social Security Act.", letter=None),
    )
    started, resubmitted = access_request.events.all()
    assert (started.action, started.actor) == (RequestAction.REVIEW_STARTED, committee_reviewer)
    assert (resubmitted.action, resubmitted.actor) == (RequestAction.RESUBMITTED, citizen)
    assert resubmitted.previous_details["legal_basis"] == "Article 5."
    access_request.refresh_from_db()
    assert access_request.legal_basis == "Article 5 of the Social Security Act."


def test_a_resubmission_with_a_new_letter_keeps_the_letter_the_committee_judged(
    request_in_review, committee_reviewer, citizen
):
    services.return_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Sign it."
    )
    judged = str(AccessRequest.objects.get(pk=request_in_review.pk).letter.name)
    services.resubmit_request(
        access_request=request_in_review, applicant=citizen, details=details()
    )
    request_in_review.refresh_from_db()
    (resubmitted,) = request_in_review.events.filter(action=RequestAction.RESUBMITTED)
    assert request_in_review.letter.name != judged
    assert resubmitted.previous_details["letter"] == judged
    assert default_storage.exists(judged)


def test_a_new_decision_supersedes_the_earlier_one_and_both_stay(
    request_in_review, committee_reviewer
):
    first = services.reject_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="No basis."
    )
    services.reopen_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="New evidence."
    )
    last = services.approve_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Basis shown."
    )
    assert Decision.objects.filter(request=request_in_review).count() == 3
    assert last.supersedes is not None
    assert last.supersedes.supersedes == first
    assert request_in_review.current_decision == last


def test_a_decision_cannot_be_edited_or_deleted(request_in_review, committee_reviewer):
    decision = services.approve_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Lawful."
    )
    decision.reasons = "Something else"
    with pytest.raises(ValidationError):
        decision.save()
    with pytest.raises(ValidationError):
        decision.delete()
    assert Decision.objects.get(pk=decision.pk).reasons == "Lawful."


def test_a_decision_needs_written_reasons(request_in_review, committee_reviewer):
    with pytest.raises(services.TransitionError):
        services.approve_request(
            access_request=request_in_review, reviewer=committee_reviewer, reasons="  "
        )
    request_in_review.refresh_from_db()
    assert request_in_review.status == RequestStatus.IN_REVIEW


def test_an_approved_request_with_an_mou_cannot_be_reopened(approved_request, committee_reviewer):
    from tests.agencies.conftest import mou_terms

    services.record_mou(
        agency=approved_request.agency,
        access_request=approved_request,
        terms=mou_terms(),
        recorded_by=committee_reviewer,
    )
    with pytest.raises(services.TransitionError):
        services.reopen_request(
            access_request=approved_request, reviewer=committee_reviewer, reasons="Again."
        )


# --- Every transition from every state: only the right ones pass -------------------------------

COMMITTEE_ACTIONS = {
    "start_review": lambda r, u: services.start_review(access_request=r, reviewer=u),
    "approve": lambda r, u: services.approve_request(access_request=r, reviewer=u, reasons="x"),
    "reject": lambda r, u: services.reject_request(access_request=r, reviewer=u, reasons="x"),
    "return": lambda r, u: services.return_request(access_request=r, reviewer=u, reasons="x"),
    "reopen": lambda r, u: services.reopen_request(access_request=r, reviewer=u, reasons="x"),
}


def test_the_workflow_table_is_the_lifecycle_the_committee_follows():
    table = {
        action: (set(transition.sources), transition.target)
        for action, transition in REQUEST_TRANSITIONS.items()
    }
    assert table == {
        "resubmit": ({RequestStatus.RETURNED}, RequestStatus.RESUBMITTED),
        "start_review": ({RequestStatus.SUBMITTED, RequestStatus.RESUBMITTED}, "in_review"),
        "approve": ({RequestStatus.IN_REVIEW}, RequestStatus.APPROVED),
        "reject": ({RequestStatus.IN_REVIEW}, RequestStatus.REJECTED),
        "return": ({RequestStatus.IN_REVIEW}, RequestStatus.RETURNED),
        "reopen": ({RequestStatus.APPROVED, RequestStatus.REJECTED}, RequestStatus.IN_REVIEW),
    }
    assert set(COMMITTEE_ACTIONS) | {"resubmit"} == set(REQUEST_TRANSITIONS)


@pytest.mark.parametrize("transition", list(COMMITTEE_ACTIONS))
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_each_committee_transition_runs_only_from_its_states(
    transition, status, citizen, committee_reviewer
):
    action, allowed = COMMITTEE_ACTIONS[transition], REQUEST_TRANSITIONS[transition]
    access_request = request_in(status, citizen)
    assert access_request.allows(transition) == (status in allowed.sources)
    if status in allowed.sources:
        action(access_request, committee_reviewer)
        access_request.refresh_from_db()
        assert access_request.status == allowed.target
    else:
        with pytest.raises(services.TransitionError):
            action(access_request, committee_reviewer)
        access_request.refresh_from_db()
        assert access_request.status == status
        assert not access_request.decisions.exists()
        assert not access_request.events.exists()


# The admin's buttons, each for the committee's actions the table allows from this state.
ADMIN_BUTTONS = {
    "can_start_review": ("start_review",),
    "can_decide": ("approve", "reject", "return"),
    "can_reopen": ("reopen",),
}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_the_admin_shows_the_buttons_the_workflow_table_allows(
    status, client, citizen, committee_reviewer
):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    access_request = request_in(status, citizen)
    page = client.get(f"/admin/agencies/accessrequest/{access_request.pk}/change/")
    assert page.status_code == 200
    shown = {flag: page.context[flag] for flag in ADMIN_BUTTONS}
    assert shown == {
        flag: any(status in REQUEST_TRANSITIONS[action].sources for action in actions)
        for flag, actions in ADMIN_BUTTONS.items()
    }


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_only_a_returned_request_can_be_resubmitted(status, citizen):
    access_request = request_in(status, citizen)
    allowed = REQUEST_TRANSITIONS["resubmit"]
    assert access_request.allows("resubmit") == (status in allowed.sources)
    if status in allowed.sources:
        services.resubmit_request(
            access_request=access_request, applicant=citizen, details=details(letter=None)
        )
        access_request.refresh_from_db()
        assert access_request.status == allowed.target
    else:
        with pytest.raises(services.TransitionError):
            services.resubmit_request(
                access_request=access_request, applicant=citizen, details=details(letter=None)
            )


def test_awaiting_its_mou_means_the_same_in_sql_and_in_python(committee_reviewer):
    requests = []
    for status in RequestStatus:
        requests.append(AccessRequestFactory.create(applicant=committee_reviewer, status=status))
        with_mou = AccessRequestFactory.create(applicant=committee_reviewer, status=status)
        MouFactory.create(access_request=with_mou, recorded_by=committee_reviewer)
        requests.append(with_mou)

    awaiting = set(AccessRequest.objects.filter(AWAITING_MOU))

    assert awaiting == {r for r in requests if r.is_awaiting_mou}
    assert {(r.status, r.has_mou) for r in awaiting} == {(RequestStatus.APPROVED, False)}
