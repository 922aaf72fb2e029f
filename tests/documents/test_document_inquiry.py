"""Document inquiry (/gov/documents/): agency staff open a citizen's certificate with its code."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from documents import gov_urls, services
from documents.identifiers import format_access_code
from documents.models import AccessCode, Certificate, InboxNotice, Redemption
from documents.redemptions import RedemptionRefused, RefusalReason, redeem_access_code
from inquiries.models import DisclosureChannel, DisclosureRecord
from portal.digits import to_persian_digits
from tests.conftest import clear_cache

pytestmark = pytest.mark.django_db

INQUIRY = "/gov/documents/"
REFUSAL = "No document can be opened with this national code and access code."


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the English source text


@pytest.fixture
def certificate(citizen, citizen_record, issue) -> Certificate:
    return issue(citizen)


@pytest.fixture
def code(certificate, share) -> str:
    return share(certificate)


@pytest.fixture
def staff_client(client, agency_staff, staff_membership):
    client.force_login(agency_staff)
    return client


def inquire(client, national_code: str, code: str):
    return client.post(INQUIRY, {"national_code": national_code, "access_code": code})


def wrong(code: str) -> str:
    """Another well-formed code: the same but for its last character."""
    return code[:-1] + ("A" if code[-1] != "A" else "B")


def refusal_text(response) -> str:
    """The refusal as the page shows it (the form's errors), for comparing two refusals."""
    errors = re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>.*?</ul>', response.content.decode(), re.S
    )
    return "".join(errors)


# --- Success -----------------------------------------------------------------------------------


def test_a_staff_member_opens_the_certificate_with_the_holders_national_code_and_code(
    staff_client, citizen, certificate, code, agency, agency_staff, agency_mou
):
    # Persian digits in the national code; the code in lower case with spaces instead of a dash.
    typed = format_access_code(code).lower().replace("-", " ")
    response = inquire(staff_client, to_persian_digits(citizen.national_code), typed)

    redemption = Redemption.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("gov:redeemed_document", args=[redemption.pk])
    assert (redemption.certificate, redemption.agency, redemption.staff_member) == (
        certificate,
        agency,
        agency_staff,
    )
    assert AccessCode.objects.get().uses == 1

    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    content = page.content.decode()
    assert "Verified" in content
    assert certificate.formatted_number in content
    assert "سارا احمدی" in content  # the frozen name, from the registry at issue time
    assert "کارگاه نمونه دو" in content  # the frozen coverage
    assert reverse("gov:redeemed_document_pdf", args=[redemption.pk]) in content
    assert code not in content and format_access_code(code) not in content


def test_a_redemption_writes_a_disclosure_on_the_certificate_channel(
    staff_client, citizen, code, agency, agency_staff, agency_mou
):
    inquire(staff_client, citizen.national_code, code)

    disclosure = DisclosureRecord.objects.get()
    assert Redemption.objects.get().disclosure == disclosure
    assert disclosure.channel == DisclosureChannel.CERTIFICATE
    assert disclosure.purpose == "certificate"
    assert disclosure.national_code == citizen.national_code
    assert (disclosure.agency, disclosure.staff_member, disclosure.mou) == (
        agency,
        agency_staff,
        agency_mou,
    )
    # What the certificate shows, not what the MoU grants for direct inquiries.
    assert disclosure.scopes == sorted(
        ["coverage_flag", "coverage_summary", "coverage_history", "pension_flag", "pension_detail"]
    )
    assert disclosure.record_found is True
    assert disclosure.client_ip == "127.0.0.1"


def test_a_certificate_of_no_record_discloses_only_that(staff_client, other_citizen, issue, share):
    certificate = issue(other_citizen)
    assert certificate.snapshot["has_record"] is False
    code = share(certificate)
    inquire(staff_client, other_citizen.national_code, code)
    disclosure = DisclosureRecord.objects.get()
    assert (disclosure.scopes, disclosure.record_found) == (
        ["coverage_flag", "pension_flag"],
        False,
    )


def test_the_holder_is_told_which_agency_opened_the_certificate(
    staff_client, client, citizen, certificate, code, agency
):
    inquire(staff_client, citizen.national_code, code)
    notice = InboxNotice.objects.get(kind=InboxNotice.Kind.REDEEMED)
    assert notice.recipient == citizen
    assert notice.certificate == certificate
    assert notice.details["agency"] == agency.name

    client.force_login(citizen)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert f"{agency.name} opened this certificate with its access code." in inbox
    assert 'data-testid="redemption"' in inbox
    detail = client.get(reverse("documents:certificate_detail", args=[certificate.number]))
    assert agency.name in detail.content.decode()
    assert 'data-testid="redemption"' in detail.content.decode()


def test_reloading_the_document_page_does_not_spend_another_use(staff_client, citizen, code):
    location = inquire(staff_client, citizen.national_code, code)["Location"]
    for _ in range(3):
        assert staff_client.get(location).status_code == 200
    assert AccessCode.objects.get().uses == 1
    assert Redemption.objects.count() == DisclosureRecord.objects.count() == 1


def test_agency_admins_can_redeem_too(client, citizen, code, agency, agency_admin, operator):
    from tests.agencies.conftest import add_member, enrol_totp

    enrol_totp(agency_admin)
    add_member(agency_admin, agency, "admin", operator)
    client.force_login(agency_admin)
    assert inquire(client, citizen.national_code, code).status_code == 302


# --- Refusals ----------------------------------------------------------------------------------


def _refused_cases(citizen, other_citizen, issue, share, make_staff, agency):
    """(name, national code, code) for every way an inquiry can be wrong."""
    now = timezone.now()

    def fresh(**options) -> tuple[Certificate, str]:
        certificate = issue(citizen)
        return certificate, share(certificate, **options)

    cases = []
    _certificate, good = fresh()
    cases.append(("unknown national code", "0010000097", good))
    cases.append(("someone else's national code", other_citizen.national_code, good))
    cases.append(("wrong code", citizen.national_code, wrong(good)))

    certificate, expired = fresh()
    AccessCode.objects.filter(certificate=certificate).update(
        valid_until=now - datetime.timedelta(minutes=1)
    )
    cases.append(("expired code", citizen.national_code, expired))

    certificate, revoked = fresh()
    services.revoke_access_code(access_code=AccessCode.objects.get(certificate=certificate))
    cases.append(("revoked code", citizen.national_code, revoked))

    certificate, replaced = fresh()
    services.replace_access_code(certificate=certificate)
    cases.append(("replaced code", citizen.national_code, replaced))

    certificate, used_up = fresh(max_uses=1)
    AccessCode.objects.filter(certificate=certificate).update(uses=1)
    cases.append(("used-up code", citizen.national_code, used_up))

    other_agency = make_staff().agency_memberships.get().agency
    _certificate, bound = fresh(bound_agency=other_agency)
    cases.append(("code bound to another agency", citizen.national_code, bound))

    certificate, of_revoked = fresh()
    services.revoke_certificate(certificate=certificate)
    # A revoked certificate's code is revoked with it; make sure the certificate alone refuses.
    AccessCode.objects.filter(certificate=certificate).update(revoked_at=None, end_reason="")
    cases.append(("revoked certificate", citizen.national_code, of_revoked))

    certificate, of_expired = fresh()
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=now - datetime.timedelta(days=40), valid_until=now - datetime.timedelta(days=1)
    )
    cases.append(("expired certificate", citizen.national_code, of_expired))

    certificate, of_unready = fresh()
    Certificate.objects.filter(pk=certificate.pk).update(
        rendering_status=Certificate.Rendering.FAILED, pdf="", pdf_sha256=""
    )
    cases.append(("certificate without its PDF", citizen.national_code, of_unready))
    return cases


def test_every_refusal_is_the_same_answer(
    staff_client, citizen, other_citizen, citizen_record, issue, share, make_staff, agency
):
    cases = _refused_cases(citizen, other_citizen, issue, share, make_staff, agency)
    answers = {}
    for name, national_code, code in cases:
        clear_cache()  # more cases than the failure limit allows in a window
        response = inquire(staff_client, national_code, code)
        assert response.status_code == 400, name
        assert REFUSAL in response.content.decode(), name
        assert code not in response.content.decode(), name
        answers[name] = refusal_text(response)
    assert len(set(answers.values())) == 1, answers
    assert not Redemption.objects.exists()
    assert not DisclosureRecord.objects.exists()
    assert set(AccessCode.objects.values_list("uses", flat=True)) <= {0, 1}
    assert AccessCode.objects.filter(uses=1, max_uses=1).count() == 1  # only the one set so


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("expire", RefusalReason.CODE_EXPIRED),
        ("revoke", RefusalReason.CODE_REVOKED),
        ("use_up", RefusalReason.CODE_USED_UP),
        ("revoke_certificate", RefusalReason.CODE_REVOKED),
    ],
)
def test_the_service_refuses_for_the_right_reason(
    citizen, certificate, code, agency_staff, staff_membership, agency_mou, setup, reason
):
    access_code = AccessCode.objects.get()
    if setup == "expire":
        AccessCode.objects.update(valid_until=timezone.now())
    elif setup == "revoke":
        services.revoke_access_code(access_code=access_code)
    elif setup == "use_up":
        AccessCode.objects.update(uses=access_code.max_uses)
    else:
        services.revoke_certificate(certificate=certificate)
    with pytest.raises(RedemptionRefused) as refused:
        redeem_access_code(
            staff_member=agency_staff,
            mou=agency_mou,
            national_code=citizen.national_code,
            code=code,
            client_ip=None,
        )
    assert refused.value.reason == reason


def test_a_code_is_refused_once_its_uses_are_spent(staff_client, citizen, certificate, share):
    code = share(certificate, max_uses=2)
    assert inquire(staff_client, citizen.national_code, code).status_code == 302
    assert inquire(staff_client, citizen.national_code, code).status_code == 302
    assert inquire(staff_client, citizen.national_code, code).status_code == 400
    assert AccessCode.objects.get().uses == 2
    assert Redemption.objects.count() == 2


def test_a_bound_code_opens_only_for_its_agency(
    client, staff_client, citizen, certificate, share, agency, make_staff
):
    code = share(certificate, bound_agency=agency)
    client_of_other = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
    client_of_other.force_login(make_staff())
    assert inquire(client_of_other, citizen.national_code, code).status_code == 400
    assert inquire(staff_client, citizen.national_code, code).status_code == 302


def test_an_unbound_code_opens_for_any_agency_with_an_mou(
    client, citizen, certificate, code, make_staff
):
    client.force_login(make_staff())
    assert inquire(client, citizen.national_code, code).status_code == 302


def test_malformed_input_gets_messages_next_to_the_fields(staff_client, citizen, code):
    response = inquire(staff_client, "0010000012", "ABC")
    assert response.status_code == 400
    content = response.content.decode()
    assert "national code" in content.lower()
    assert "An access code has 10 characters" in content
    assert REFUSAL not in content
    empty = staff_client.post(INQUIRY, {})
    assert empty.status_code == 400
    assert "Enter the access code the holder gave you." in empty.content.decode()
    assert AccessCode.objects.get().uses == 0


# --- Failed attempts: limits and the holder's notices ----------------------------------------


def test_the_sixth_failure_of_a_staff_member_gets_429(staff_client, citizen, code):
    for _ in range(5):
        assert inquire(staff_client, citizen.national_code, wrong(code)).status_code == 400
    # Even the right code waits until the window ends.
    response = inquire(staff_client, citizen.national_code, code)
    assert response.status_code == 429
    assert "You have made too many failed attempts" in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    assert AccessCode.objects.get().uses == 0


def test_the_eleventh_failure_of_an_agency_for_a_holder_gets_429_whoever_of_it_tries(
    citizen, code, make_staff, agency, client
):
    guessers = [make_staff(agency), make_staff(agency), make_staff(agency)]
    clients = []
    for guesser in guessers:
        guesser_client = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
        guesser_client.force_login(guesser)
        clients.append(guesser_client)
    for guesser_client in clients[:2]:
        for _ in range(5):
            assert inquire(guesser_client, citizen.national_code, wrong(code)).status_code == 400
    response = inquire(clients[2], citizen.national_code, code)
    assert response.status_code == 429
    assert "this national code" in response.content.decode()
    assert AccessCode.objects.get().uses == 0
    # Another agency is not held back by this one's failures (tests/documents/
    # test_redemption_limits.py has the rest of the limits).
    other_agency = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
    other_agency.force_login(make_staff())
    assert inquire(other_agency, citizen.national_code, code).status_code == 302


def test_a_locked_out_staff_member_cannot_lock_the_holder_out(
    staff_client, citizen, code, make_staff, client
):
    for _ in range(12):
        inquire(staff_client, citizen.national_code, wrong(code))
    colleague = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
    colleague.force_login(make_staff())
    assert inquire(colleague, citizen.national_code, code).status_code == 302


def test_a_successful_redemption_does_not_count_as_a_failure(staff_client, citizen, code):
    for _ in range(4):
        inquire(staff_client, citizen.national_code, wrong(code))
    assert inquire(staff_client, citizen.national_code, code).status_code == 302
    assert inquire(staff_client, citizen.national_code, wrong(code)).status_code == 400
    assert inquire(staff_client, citizen.national_code, wrong(code)).status_code == 429


def test_malformed_input_does_not_count_as_a_failure(staff_client, citizen, code):
    for _ in range(8):
        assert inquire(staff_client, citizen.national_code, "O0O0").status_code == 400
    assert inquire(staff_client, citizen.national_code, code).status_code == 302


def test_the_holder_is_told_of_failed_attempts_with_the_agencys_name(
    staff_client, client, citizen, code, agency
):
    inquire(staff_client, citizen.national_code, wrong(code))
    inquire(staff_client, citizen.national_code, wrong(code))
    [notice] = InboxNotice.objects.filter(kind=InboxNotice.Kind.FAILED_ATTEMPT)
    assert notice.recipient == citizen
    assert (notice.details["attempts"], notice.details["agencies"]) == (2, [agency.name])

    client.force_login(citizen)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert (
        "2 failed attempts were made to open a certificate with your national code and a wrong "
        f"access code, by: {agency.name}." in inbox
    )


def test_a_national_code_without_an_account_leaves_no_notice(staff_client, code):
    inquire(staff_client, "0010000097", code)
    assert not InboxNotice.objects.filter(kind=InboxNotice.Kind.FAILED_ATTEMPT).exists()


# --- One transaction ---------------------------------------------------------------------------


def test_a_failure_after_the_redemption_rolls_everything_back(
    citizen, code, agency_staff, staff_membership, agency_mou
):
    real_create = InboxNotice.objects.create

    def failing_create(**fields):
        if fields.get("kind") == InboxNotice.Kind.REDEEMED:
            raise RuntimeError("the database went away")
        return real_create(**fields)

    with (
        mock.patch.object(InboxNotice.objects, "create", side_effect=failing_create),
        pytest.raises(RuntimeError),
    ):
        redeem_access_code(
            staff_member=agency_staff,
            mou=agency_mou,
            national_code=citizen.national_code,
            code=code,
            client_ip=None,
        )
    assert AccessCode.objects.get().uses == 0
    assert not Redemption.objects.exists()
    assert not DisclosureRecord.objects.exists()
    assert not InboxNotice.objects.filter(kind=InboxNotice.Kind.REDEEMED).exists()
    # Not the staff member's fault: it does not count as a failed attempt either (four real
    # failures and the crash would be five, and the sixth attempt would be refused).
    for _ in range(4):
        with pytest.raises(RedemptionRefused):
            redeem_access_code(
                staff_member=agency_staff,
                mou=agency_mou,
                national_code=citizen.national_code,
                code=wrong(code),
                client_ip=None,
            )
    assert redeem_access_code(
        staff_member=agency_staff,
        mou=agency_mou,
        national_code=citizen.national_code,
        code=code,
        client_ip=None,
    )


# --- Codes never in URLs -----------------------------------------------------------------------


def test_codes_never_appear_in_a_url(staff_client, citizen, code):
    page = staff_client.get(INQUIRY).content.decode()
    assert f'<form method="post" action="{INQUIRY}"' in page
    # No URL of the section takes anything but a redemption's number.
    for pattern in gov_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert set(pattern.pattern.converters) <= {"pk"}
    # A code put in a query string by hand is dropped at once: nothing is redeemed by a GET.
    response = staff_client.get(
        INQUIRY, {"national_code": citizen.national_code, "access_code": code}
    )
    assert (response.status_code, response["Location"]) == (302, INQUIRY)
    assert not Redemption.objects.exists()
    success = inquire(staff_client, citizen.national_code, code)
    assert code not in success["Location"]
    assert format_access_code(code) not in success["Location"]


def test_the_code_is_masked_in_error_reports(rf, citizen, code):
    from django.contrib.auth.models import AnonymousUser
    from django.views.debug import SafeExceptionReporterFilter

    from documents import gov_views

    request = rf.post(INQUIRY, {"national_code": citizen.national_code, "access_code": code})
    request.user = AnonymousUser()
    gov_views.document_inquiry(request)  # anonymous: redirected, but the marks are set
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["access_code"] != code
    assert cleansed["national_code"] == citizen.national_code


# --- The document and its PDF ------------------------------------------------------------------


def test_the_pdf_downloads_only_for_the_redeeming_staff_member(
    staff_client, client, citizen, certificate, code, agency, make_staff
):
    redemption_url = inquire(staff_client, citizen.national_code, code)["Location"]
    redemption = Redemption.objects.get()
    pdf_url = reverse("gov:redeemed_document_pdf", args=[redemption.pk])

    response = staff_client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert f'filename="certificate-{certificate.number}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    for other in [make_staff(), make_staff(agency)]:  # another agency; a colleague
        other_client = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
        other_client.force_login(other)
        assert other_client.get(pdf_url).status_code == 404
        assert other_client.get(redemption_url).status_code == 404


def test_the_document_closes_after_its_window(staff_client, citizen, certificate, code):
    redemption_url = inquire(staff_client, citizen.national_code, code)["Location"]
    redemption = Redemption.objects.get()
    assert redemption.pdf_available_until <= redemption.redeemed_at + datetime.timedelta(minutes=15)
    Redemption.objects.update(pdf_available_until=timezone.now() - datetime.timedelta(seconds=1))
    assert (
        staff_client.get(reverse("gov:redeemed_document_pdf", args=[redemption.pk])).status_code
        == 404
    )
    closed = staff_client.get(redemption_url)
    assert closed.status_code == 410
    assert "no longer available to you" in closed.content.decode()
    assert "سارا" not in closed.content.decode()


def test_the_document_closes_when_the_holder_revokes_the_certificate(
    staff_client, citizen, certificate, code
):
    inquire(staff_client, citizen.national_code, code)
    redemption = Redemption.objects.get()
    services.revoke_certificate(certificate=certificate)
    assert (
        staff_client.get(reverse("gov:redeemed_document_pdf", args=[redemption.pk])).status_code
        == 404
    )


# --- Who may open the section ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["gov:documents", "gov:redeemed_document", "gov:redeemed_document_pdf"]
)
def test_anonymous_visitors_and_citizens_are_turned_away(client, citizen, name):
    from tests.agencies.conftest import enrol_totp

    url = reverse(name) if name == "gov:documents" else reverse(name, args=[1])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    enrol_totp(citizen)
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    assert client.post(INQUIRY, {"national_code": citizen.national_code}).status_code == 403


def test_the_panel_links_to_document_inquiry(staff_client):
    assert INQUIRY.encode() in staff_client.get("/gov/").content
