"""Letters far over the size limit: refused while they stream in, never written in full."""

import contextlib
import http.client
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from agencies.models import AccessRequest, StaffList
from tests.agencies.conftest import stored_files
from tests.agencies.test_apply_views import APPLY, form_data

MB = 1024 * 1024


BOUNDARY = "----portal-test-boundary-7d1f"


def _part(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def _fields_part(csrf_token: str | None) -> bytes:
    fields = {key: value for key, value in form_data().items() if key != "letter"}
    parts = b""
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts += _part(name, item)
    if csrf_token is not None:
        parts += _part("csrfmiddlewaretoken", csrf_token)
    return parts


class DiskWatcher(threading.Thread):
    """Samples, every few milliseconds, how many bytes the upload directory holds."""

    def __init__(self, directory: Path) -> None:
        super().__init__(daemon=True)
        self.directory = directory
        self.most = 0
        self.stopping = threading.Event()

    def measure(self) -> int:
        total = 0
        with os.scandir(self.directory) as entries:
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):  # deleted since the listing
                    total += entry.stat().st_size
        self.most = max(self.most, total)
        return total

    def run(self) -> None:
        while not self.stopping.wait(0.002):
            self.measure()


def post_letter_streamed(
    live_server,
    cookies: str,
    *,
    letter_bytes: int,
    csrf_token: str | None,
    token_after_the_file: bool,
    watcher: DiskWatcher,
) -> tuple[int, str]:
    """POST the application with a PDF letter of `letter_bytes`, sent 1 MB at a time."""
    before = _fields_part(None if token_after_the_file else csrf_token)
    letter_head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="letter"; filename="letter.pdf"'
        "\r\nContent-Type: application/pdf\r\n\r\n"
    ).encode()
    after = b"\r\n"
    if token_after_the_file and csrf_token is not None:
        after += _part("csrfmiddlewaretoken", csrf_token)
    after += f"--{BOUNDARY}--\r\n".encode()

    def letter() -> Iterator[bytes]:
        yield b"%PDF-1.4\n" + b"0" * (MB - 9)
        for _ in range(letter_bytes // MB - 1):
            yield b"0" * MB

    host, port = live_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.putrequest("POST", APPLY)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader(
        "Content-Length", str(len(before) + len(letter_head) + letter_bytes + len(after))
    )
    connection.putheader("Cookie", cookies)
    connection.putheader("Accept-Language", "en")
    connection.endheaders()
    connection.send(before + letter_head)
    for piece in letter():
        connection.send(piece)
        watcher.measure()
    connection.send(after)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


@pytest.fixture
def signed_in_cookies(citizen, live_server) -> tuple[str, str]:
    """The cookie header of a signed-in citizen, and the CSRF token that goes with it."""
    client = Client()
    client.force_login(citizen)
    client.get(APPLY)
    token = client.cookies["csrftoken"].value
    session = client.cookies["sessionid"].value
    return f"sessionid={session}; csrftoken={token}", token


@pytest.fixture
def upload_dir(settings, tmp_path) -> Iterator[DiskWatcher]:
    directory = tmp_path / "uploads"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    watcher = DiskWatcher(directory)
    watcher.start()
    yield watcher
    watcher.stopping.set()
    watcher.join()


@pytest.mark.django_db(transaction=True)
def test_a_50_mb_letter_streamed_against_a_5_mb_limit_never_puts_more_than_the_limit_on_disk(
    live_server, signed_in_cookies, upload_dir, media_root, settings
):
    settings.AGENCY_UPLOAD_MAX_BYTES = settings.UPLOAD_MAX_BYTES = 5 * MB
    cookies, token = signed_in_cookies

    status, page = post_letter_streamed(
        live_server,
        cookies,
        letter_bytes=50 * MB,
        csrf_token=token,
        token_after_the_file=False,
        watcher=upload_dir,
    )

    print(f"\nmost bytes ever in the upload directory: {upload_dir.most:,} (limit {5 * MB:,})")
    assert upload_dir.most <= 5 * MB
    assert status == 400
    assert "the largest file accepted is 5.0" in page
    assert "Synthetic Provincial Court" in page  # what the applicant typed is kept
    assert upload_dir.measure() == 0
    assert not AccessRequest.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_the_csrf_check_still_reads_a_token_sent_after_a_refused_file(
    live_server, signed_in_cookies, upload_dir, media_root, settings
):
    settings.AGENCY_UPLOAD_MAX_BYTES = settings.UPLOAD_MAX_BYTES = MB
    cookies, token = signed_in_cookies

    status, page = post_letter_streamed(
        live_server,
        cookies,
        letter_bytes=4 * MB,
        csrf_token=token,
        token_after_the_file=True,
        watcher=upload_dir,
    )

    assert status == 400  # the form's answer, not the CSRF 403: the token was read
    assert "the largest file accepted is 1.0" in page
    assert upload_dir.most <= MB
    assert not AccessRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_without_a_csrf_token_still_gets_the_403(
    live_server, signed_in_cookies, upload_dir, media_root, settings
):
    settings.AGENCY_UPLOAD_MAX_BYTES = settings.UPLOAD_MAX_BYTES = MB
    cookies, _token = signed_in_cookies

    status, page = post_letter_streamed(
        live_server,
        cookies,
        letter_bytes=4 * MB,
        csrf_token=None,
        token_after_the_file=False,
        watcher=upload_dir,
    )

    assert status == 403
    assert "The form could not be sent" in page  # our CSRF page, not Django's
    assert upload_dir.most <= MB
    assert not AccessRequest.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_a_letter_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not(
    client, citizen, media_root, settings
):
    pdf = b"%PDF-1.4\n" + b"0" * 1000
    settings.AGENCY_UPLOAD_MAX_BYTES = settings.UPLOAD_MAX_BYTES = len(pdf)
    client.force_login(citizen)

    over = SimpleUploadedFile("letter.pdf", pdf + b"0", content_type="application/pdf")
    response = client.post(APPLY, form_data(letter=over), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "largest file accepted" in str(response.context["form"].errors["letter"])

    exact = SimpleUploadedFile("letter.pdf", pdf, content_type="application/pdf")
    assert client.post(APPLY, form_data(letter=exact)).status_code == 302
    [stored] = stored_files(media_root)
    assert stored.read_bytes() == pdf


@pytest.mark.django_db
def test_a_staff_list_over_the_streaming_limit_gets_the_forms_own_message(
    client, agency_admin, admin_membership, settings
):
    settings.UPLOAD_MAX_BYTES = MB
    client.force_login(agency_admin)
    huge = SimpleUploadedFile("staff.csv", b"national_code\n" + b"0" * (2 * MB), "text/csv")

    response = client.post("/gov/staff/", {"upload": "", "file": huge}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "too large" in str(response.context["csv_form"].errors["file"])
    assert not StaffList.objects.exists()
