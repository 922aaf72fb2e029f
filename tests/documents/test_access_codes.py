"""The personal inbox and access codes: shown once, texted, hashed at rest, revoked, replaced."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import portal.sms
from documents import services
from documents.identifiers import access_code_digest, normalize_access_code
from documents.models import AccessCode, Certificate, InboxNotice

pytestmark = pytest.mark.django_db

CODE_ON_PAGE = re.compile(r"data-access-code>([A-Z0-9]{5}-[A-Z0-9]{5})<")


def _code_on(response) -> str:
    match = CODE_ON_PAGE.search(response.content.decode())
    assert match, "the page shows no access code"
    return match[1]


def _move(client, certificate, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:certificate_move_to_inbox", args=[certificate.number]),
            {"valid_days": "30", "max_uses": "3", **data},
        )
    return response


def test_moving_to_the_inbox_shows_the_code_once_and_texts_it(
    client, citizen, issue, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    client.force_login(citizen)
    response = _move(client, certificate, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = _code_on(response)
    assert len(normalize_access_code(code)) == 10
    assert [message.to for message in portal.sms.outbox] == [citizen.mobile]
    assert code in portal.sms.outbox[0].body

    certificate.refresh_from_db()
    assert certificate.inboxed_at is not None
    access_code = AccessCode.objects.get(certificate=certificate)
    assert access_code.code_digest == access_code_digest(code)
    assert (access_code.max_uses, access_code.uses) == (3, 0)

    # Never again: not on the inbox, not on the certificate's page.
    for url in [
        reverse("documents:inbox"),
        reverse("documents:certificate_detail", args=[certificate.number]),
    ]:
        page = client.get(url).content.decode()
        assert code not in page and normalize_access_code(code) not in page
    # A second move goes to the inbox instead of making another code.
    again = _move(client, certificate, django_capture_on_commit_callbacks)
    assert again.status_code == 302
    assert AccessCode.objects.filter(certificate=certificate).count() == 1


def _all_text_in_the_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                chunks.append(" ".join(str(value) for value in row))
    return "\n".join(chunks)


def test_no_plaintext_code_is_stored_anywhere_in_the_database(
    client, citizen, issue, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    client.force_login(citizen)
    response = _move(client, certificate, django_capture_on_commit_callbacks)
    code = _code_on(response)
    client.get(reverse("documents:inbox"))  # sessions, notices and all

    dump = _all_text_in_the_database()
    assert dump  # the dump did read the tables
    assert certificate.number in dump
    assert normalize_access_code(code) not in dump
    assert code not in dump
    assert normalize_access_code(code).lower() not in dump.lower()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("valid_days", "0"),
        ("valid_days", "91"),
        ("valid_days", "ten"),
        ("max_uses", "0"),
        ("max_uses", "11"),
        ("max_uses", ""),
    ],
)
def test_out_of_range_choices_get_an_error_next_to_their_field(
    client, citizen, issue, django_capture_on_commit_callbacks, field, value
):
    certificate = issue(citizen)
    client.force_login(citizen)
    response = _move(client, certificate, django_capture_on_commit_callbacks, **{field: value})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not AccessCode.objects.exists()
    assert not portal.sms.outbox


def test_persian_digits_are_accepted_in_the_choices(
    client, citizen, issue, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    client.force_login(citizen)
    _move(client, certificate, django_capture_on_commit_callbacks, valid_days="۷", max_uses="٥")
    access_code = AccessCode.objects.get()
    assert access_code.max_uses == 5
    assert access_code.valid_until - access_code.created_at == datetime.timedelta(days=7)


def test_a_code_never_outlives_its_certificate(citizen, issue, settings):
    settings.CERTIFICATE_VALIDITY_DAYS = 10
    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate, valid_days=90, max_uses=3)
    assert issued.access_code.valid_until == certificate.valid_until


def test_a_revoked_or_expired_certificate_cannot_be_shared(citizen, issue):
    revoked = services.revoke_certificate(certificate=issue(citizen))
    with pytest.raises(services.DocumentError):
        services.move_to_inbox(certificate=revoked)
    expired = issue(citizen)
    Certificate.objects.filter(pk=expired.pk).update(
        issued_at=timezone.now() - datetime.timedelta(days=40),
        valid_until=timezone.now() - datetime.timedelta(days=10),
    )
    expired.refresh_from_db()
    with pytest.raises(services.DocumentError):
        services.move_to_inbox(certificate=expired)


def test_replacing_a_code_stops_the_old_one_at_once(citizen, issue):
    certificate = issue(citizen)
    first = services.move_to_inbox(certificate=certificate)
    second = services.replace_access_code(certificate=certificate, valid_days=5, max_uses=1)
    first.access_code.refresh_from_db()
    assert first.access_code.state() == "replaced"
    assert second.access_code.state() == "active"
    assert second.plaintext != first.plaintext
    assert AccessCode.objects.filter(certificate=certificate, revoked_at__isnull=True).count() == 1


def test_the_replace_page_shows_the_new_code_once(
    client, citizen, issue, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    services.move_to_inbox(certificate=certificate)
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:access_code_replace", args=[certificate.number]),
            {"valid_days": "10", "max_uses": "2"},
        )
    code = _code_on(response)
    live = AccessCode.objects.get(certificate=certificate, revoked_at__isnull=True)
    assert live.code_digest == access_code_digest(code)
    assert code in portal.sms.outbox[-1].body


def test_revoking_a_code_ends_it_and_leaves_a_notice(client, citizen, issue):
    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate)
    client.force_login(citizen)
    client.post(reverse("documents:access_code_revoke", args=[certificate.number]))
    issued.access_code.refresh_from_db()
    assert issued.access_code.state() == "revoked"
    assert InboxNotice.objects.filter(kind=InboxNotice.Kind.CODE_REVOKED).count() == 1


def test_revoking_the_certificate_revokes_its_code(citizen, issue):
    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate)
    services.revoke_certificate(certificate=certificate)
    issued.access_code.refresh_from_db()
    assert issued.access_code.state() == "certificate_revoked"


def test_a_code_expires_with_time(citizen, issue, time_machine):
    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate, valid_days=2)
    assert issued.access_code.state() == "active"
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2, seconds=1))
    assert issued.access_code.state() == "expired"


def test_a_code_with_all_uses_spent_is_used_up(citizen, issue):
    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate, max_uses=1)
    AccessCode.objects.filter(pk=issued.access_code.pk).update(uses=1)
    issued.access_code.refresh_from_db()
    assert issued.access_code.state() == "used_up"
    assert issued.access_code.uses_left == 0


def test_uses_can_never_exceed_the_limit_in_the_database(citizen, issue):
    from django.db import IntegrityError, transaction

    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate, max_uses=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessCode.objects.filter(pk=issued.access_code.pk).update(uses=3)


def test_the_inbox_shows_each_code_state_without_the_code(client, citizen, issue):
    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate, valid_days=10, max_uses=4)
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("documents:inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-code-state="active"' in page
    assert "4 of 4" in page
    assert issued.plaintext not in page


def test_unread_notices_are_counted_in_the_navigation(client, citizen, issue):
    certificate = issue(citizen)
    InboxNotice.objects.create(
        recipient=citizen,
        certificate=certificate,
        kind=InboxNotice.Kind.REDEEMED,
        details={"agency": "دادگستری نمونه"},
    )
    InboxNotice.objects.create(
        recipient=citizen, kind=InboxNotice.Kind.FAILED_ATTEMPT, details={"agency": "x"}
    )
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("documents:certificate_list")).content.decode()
    assert re.search(r"data-unread-count>2<", page)
    # Every page's navigation carries the count, not only the documents pages.
    dashboard = client.get(reverse("accounts:dashboard")).content.decode()
    assert re.search(r"data-unread-count>2<", dashboard)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert "دادگستری نمونه opened this certificate" in inbox

    client.post(reverse("documents:inbox_mark_read"))
    page = client.get(reverse("documents:certificate_list")).content.decode()
    assert "data-unread-count" not in page


def test_the_inbox_takes_a_fixed_number_of_queries(
    client, citizen, issue, django_assert_max_num_queries
):
    for _ in range(4):
        certificate = issue(citizen)
        services.move_to_inbox(certificate=certificate)
        services.replace_access_code(certificate=certificate)
    client.force_login(citizen)
    with django_assert_max_num_queries(8):
        client.get(reverse("documents:inbox"))


def test_the_persian_sms_keeps_one_digit_script_beside_the_code(
    client, citizen, issue, django_capture_on_commit_callbacks
):
    citizen.language = "fa"
    citizen.save(update_fields=["language"])
    certificate = issue(citizen)
    client.force_login(citizen)
    code = _code_on(_move(client, certificate, django_capture_on_commit_callbacks))

    body = portal.sms.outbox[-1].body
    assert code in body  # the code as it is typed: Latin letters and ASCII digits
    assert not re.search(r"[0-9]", body.replace(code, "")), body
