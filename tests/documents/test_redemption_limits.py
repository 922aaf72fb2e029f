"""Failed document inquiries are limited per staff member, per (agency, holder) and per agency;
a holder-wide lock needs several agencies. The holder gets one summary notice per window.

The attack these tests reproduce: ten wrong attempts by another agency's two staff members made
the right, agency-bound code answer 429 for the agency it was meant for, and left the holder one
notice per attempt.
"""

import datetime
import threading

import pytest
from django.core.checks import Error
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from documents.checks import check_redemption_limits
from documents.models import AccessCode, InboxNotice, Redemption
from documents.redemptions import (
    RedemptionLimit,
    RedemptionRefused,
    RedemptionThrottled,
    redeem_access_code,
)
from tests.documents.test_document_inquiry import INQUIRY, inquire, wrong

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def certificate(citizen, citizen_record, issue):
    return issue(citizen)


@pytest.fixture
def client_for(client):
    def _client_for(user):
        user_client = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
        user_client.force_login(user)
        return user_client

    return _client_for


def failed_attempt_notices():
    return InboxNotice.objects.filter(kind=InboxNotice.Kind.FAILED_ATTEMPT)


def agency_of(staff_member):
    return staff_member.agency_memberships.get().agency


def attempt(staff_member, national_code: str, code: str):
    """One redemption through the service; returns what happened, as a word."""
    mou = agency_of(staff_member).mous.get()
    try:
        redeem_access_code(
            staff_member=staff_member,
            mou=mou,
            national_code=national_code,
            code=code,
            client_ip=None,
        )
    except RedemptionRefused:
        return "refused"
    except RedemptionThrottled as throttled:
        return throttled.limit
    return "redeemed"


# --- The reproduced attack ---------------------------------------------------------------------


def test_another_agencys_wrong_attempts_leave_the_right_agencys_redemption_working(
    citizen, certificate, share, agency, staff_client_of_agency, make_staff, client_for
):
    code = share(certificate, bound_agency=agency)
    other_agency_staff = make_staff()
    guessers = [other_agency_staff, make_staff(agency_of(other_agency_staff))]
    for guesser in guessers:
        guesser_client = client_for(guesser)
        for _ in range(5):
            assert inquire(guesser_client, citizen.national_code, wrong(code)).status_code == 400

    response = inquire(staff_client_of_agency, citizen.national_code, code)

    assert response.status_code == 302
    assert Redemption.objects.get().agency == agency
    [notice] = failed_attempt_notices()
    assert notice.recipient == citizen
    assert notice.details["attempts"] == 10
    assert notice.details["agencies"] == [agency_of(other_agency_staff).name]


@pytest.fixture
def staff_client_of_agency(client_for, agency_staff, staff_membership):
    return client_for(agency_staff)


# --- Each limit --------------------------------------------------------------------------------


def test_an_agency_that_failed_ten_times_for_a_holder_is_paused_for_that_holder_only(
    citizen, other_citizen, certificate, share, issue, make_staff, client_for
):
    code = share(certificate)
    first = make_staff()
    other_agency = agency_of(first)
    colleagues = [first, make_staff(other_agency), make_staff(other_agency)]
    for guesser in colleagues[:2]:
        for _ in range(5):
            assert (
                inquire(client_for(guesser), citizen.national_code, wrong(code)).status_code == 400
            )

    # A third colleague, with no failure of their own, is paused for this holder...
    response = inquire(client_for(colleagues[2]), citizen.national_code, code)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60 * 60
    assert "Your agency has made too many failed attempts with this national code" in (
        response.content.decode()
    )
    assert AccessCode.objects.get(certificate=certificate).uses == 0
    # ...but not for another holder.
    other_code = share(issue(other_citizen))
    assert (
        inquire(client_for(colleagues[2]), other_citizen.national_code, other_code).status_code
        == 302
    )


def test_an_agency_whose_staff_fail_too_often_is_paused_for_every_holder(
    settings, citizen, certificate, share, make_staff, client_for
):
    settings.DOCUMENT_INQUIRY_AGENCY_FAILURES = (6, 60 * 60)
    code = share(certificate)
    first = make_staff()
    other_agency = agency_of(first)
    guessers = [first, make_staff(other_agency), make_staff(other_agency)]
    unknown_holders = ["0010000097", "0010000100", "0010000119", "0010000127", "0010000135"]
    for guesser in guessers[:2]:
        for holder in unknown_holders[:3]:
            assert inquire(client_for(guesser), holder, wrong(code)).status_code == 400

    response = inquire(client_for(guessers[2]), citizen.national_code, code)

    assert response.status_code == 429
    assert "Your agency has made too many failed attempts." in response.content.decode()
    assert AccessCode.objects.get().uses == 0


def test_failures_by_several_agencies_pause_the_holder_for_everyone(
    citizen, certificate, share, make_staff
):
    code = share(certificate)
    outcomes = []
    # Five agencies, each up to its own limit for this holder (10): 50 failures in all.
    for _ in range(5):
        first = make_staff()
        for guesser in [first, make_staff(agency_of(first))]:
            outcomes += [attempt(guesser, citizen.national_code, wrong(code)) for _ in range(5)]
    assert outcomes == ["refused"] * 50

    assert attempt(make_staff(), citizen.national_code, code) == RedemptionLimit.HOLDER
    assert AccessCode.objects.get().uses == 0


def test_one_agency_alone_cannot_pause_the_holder_for_everyone(
    citizen, certificate, share, make_staff, agency, staff_membership, agency_staff
):
    code = share(certificate)
    first = make_staff()
    guessers = [first] + [make_staff(agency_of(first)) for _ in range(9)]
    outcomes = [attempt(g, citizen.national_code, wrong(code)) for g in guessers for _ in range(5)]
    assert outcomes.count("refused") == 10
    assert set(outcomes[10:]) == {RedemptionLimit.AGENCY_HOLDER}

    assert attempt(agency_staff, citizen.national_code, code) == "redeemed"


def test_the_limits_are_checked_so_one_agency_can_never_reach_the_holder_wide_lock(settings):
    assert check_redemption_limits(None) == []
    # Fixed windows that do not line up let one agency fail twice its allowance within one of
    # the holder's windows; the holder-wide lock must stay above that.
    settings.DOCUMENT_INQUIRY_HOLDER_FAILURES = (20, 60 * 60)
    [problem] = check_redemption_limits(None)
    assert isinstance(problem, Error)
    settings.DOCUMENT_INQUIRY_HOLDER_FAILURES = (50, 2 * 60 * 60)
    assert len(check_redemption_limits(None)) == 1


def test_a_paused_agency_does_not_count_against_the_staff_member_or_the_holder(
    settings, citizen, certificate, share, make_staff
):
    settings.DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES = (2, 60 * 60)
    code = share(certificate)
    guesser = make_staff()
    outcomes = [attempt(guesser, citizen.national_code, wrong(code)) for _ in range(5)]
    assert outcomes == ["refused", "refused"] + [RedemptionLimit.AGENCY_HOLDER] * 3
    # The paused attempts were not checked, so the staff member still has three left elsewhere.
    others = ["0010000097", "0010000097", "0010000100", "0010000100"]
    assert [attempt(guesser, holder, wrong(code)) for holder in others] == [
        "refused",
        "refused",
        "refused",
        RedemptionLimit.STAFF,
    ]


# --- The holder's summary notice ---------------------------------------------------------------


def test_the_holder_gets_one_notice_per_window_summing_up_the_failed_attempts(
    client, citizen, certificate, share, agency, agency_staff, staff_membership, make_staff
):
    code = share(certificate)
    other = make_staff()
    for _ in range(3):
        attempt(agency_staff, citizen.national_code, wrong(code))
    attempt(other, citizen.national_code, wrong(code))

    [notice] = failed_attempt_notices()
    assert notice.details["attempts"] == 4
    assert notice.details["agencies"] == [agency.name, agency_of(other).name]
    assert notice.read_at is None

    client.force_login(citizen)
    client.post(reverse("documents:inbox_mark_read"))
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert (
        "4 failed attempts were made to open a certificate with your national code and a wrong "
        f"access code, by: {agency.name}, {agency_of(other).name}." in inbox
    )

    # A later attempt within the window updates the same notice and marks it unread again.
    attempt(other, citizen.national_code, wrong(code))
    [notice] = failed_attempt_notices()
    assert (notice.details["attempts"], notice.read_at) == (5, None)

    # Once the window has passed, the next failure starts a new notice.
    failed_attempt_notices().update(created_at=timezone.now() - datetime.timedelta(hours=2))
    attempt(other, citizen.national_code, wrong(code))
    assert sorted(n.details["attempts"] for n in failed_attempt_notices()) == [1, 5]


def test_the_summary_reads_in_persian_with_persian_digits(
    client, citizen, certificate, share, agency_staff, staff_membership
):
    code = share(certificate)
    for _ in range(3):
        attempt(agency_staff, citizen.national_code, wrong(code))
    client.force_login(citizen)
    inbox = client.get(reverse("documents:inbox"), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "۳ تلاش ناموفق" in inbox


def test_an_older_notice_of_a_single_attempt_still_reads(client, citizen, agency):
    InboxNotice.objects.create(
        recipient=citizen, kind=InboxNotice.Kind.FAILED_ATTEMPT, details={"agency": agency.name}
    )
    client.force_login(citizen)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert f"{agency.name} tried to open a certificate with your national code" in inbox


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_failures_leave_one_notice_that_counts_them_all(
    citizen, citizen_record, issue, share, make_staff
):
    code = share(issue(citizen))
    first = make_staff()
    guessers = [first] + [make_staff(agency_of(first)) for _ in range(1)]
    barrier = threading.Barrier(8)
    errors: list[str] = []

    def guess(staff_member) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = attempt(staff_member, citizen.national_code, wrong(code))
            if outcome != "refused":
                errors.append(str(outcome))
        except Exception as error:  # reported, so the test fails with the reason
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(guessers[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    [notice] = failed_attempt_notices()
    assert notice.details["attempts"] == 8


def test_the_inquiry_page_still_answers_every_refusal_alike(
    citizen, certificate, share, agency, staff_client_of_agency, make_staff, client_for
):
    bound_elsewhere = share(certificate, bound_agency=agency_of(make_staff()))
    wrong_answer = inquire(staff_client_of_agency, citizen.national_code, wrong(bound_elsewhere))
    other_agency = inquire(staff_client_of_agency, citizen.national_code, bound_elsewhere)
    unknown = inquire(staff_client_of_agency, "0010000097", bound_elsewhere)
    assert {r.status_code for r in (wrong_answer, other_agency, unknown)} == {400}
    assert INQUIRY.encode() in unknown.content


@pytest.mark.parametrize(
    ("setting", "english"),
    [
        ("DOCUMENT_INQUIRY_STAFF_FAILURES", "You have made too many failed attempts."),
        ("DOCUMENT_INQUIRY_AGENCY_FAILURES", "Your agency has made too many failed attempts."),
        (
            "DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES",
            "Your agency has made too many failed attempts with this national code.",
        ),
        ("DOCUMENT_INQUIRY_HOLDER_FAILURES", "by several agencies"),
    ],
)
def test_each_pause_says_whose_limit_and_for_how_long_in_both_languages(
    settings, citizen, certificate, share, staff_client_of_agency, setting, english
):
    from tests.portal.test_translations import latin_words

    code = share(certificate)
    setattr(settings, setting, (0, 30 * 60))
    response = inquire(staff_client_of_agency, citizen.national_code, code)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 30 * 60
    assert english in response.content.decode()
    assert "up to 30 minutes" in response.content.decode()

    persian = staff_client_of_agency.post(
        INQUIRY,
        {"national_code": citizen.national_code, "access_code": code},
        HTTP_ACCEPT_LANGUAGE="fa",
    )
    assert persian.status_code == 429
    assert "۳۰ دقیقه" in persian.content.decode()
    assert latin_words(persian.content.decode()) == set()
    assert AccessCode.objects.get().uses == 0
