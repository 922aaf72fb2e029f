"""The certificate PDF path under hostile names and notes, and a 10,000-period history.

Names come from the registry and the note from the holder: both end up in the HTML WeasyPrint
lays out. A listening socket of the test's own stands in for anything on the network (the cloud
metadata address, a local admin port): if WeasyPrint fetched anything it would see a connection.
"""

import datetime
import io
import socket
import threading
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from pypdf import PdfReader
from weasyprint import HTML

from documents import pdf as certificate_pdf
from documents.models import Certificate, InboxNotice
from documents.tasks import render_certificate
from inquiries.models import CoveragePeriod, InsuredPerson
from tests.documents.conftest import pdf_files

pytestmark = pytest.mark.django_db


class Listener:
    """A TCP server on a free loopback port that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def hostile_markup(port: int) -> dict[str, str]:
    local = f"http://127.0.0.1:{port}"
    return {
        "first_name": "<img src=file:///etc/passwd>",
        "last_name": f'<link rel=attachment href="{local}/name.txt">',
        "workshop": "<img src=http://169.254.169.254/latest/meta-data/iam/>",
        "note": f'<img src="{local}/note.png"><link rel="attachment" href="file:///etc/passwd">',
    }


def embedded_files(pdf: bytes) -> list[str]:
    """Names of every file a PDF carries: its attachments and file-attachment annotations."""
    reader = PdfReader(io.BytesIO(pdf))
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                names.append(str(annotation.get_object().get("/FS")))
    return names


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_listener_sees_what_an_unguarded_weasyprint_fetches(listener):
    """The control: without the project's fetcher the same markup reaches the listener."""
    html = f'<link rel="attachment" href="http://127.0.0.1:{listener.port}/x"><p>x</p>'
    pdf = HTML(string=html).write_pdf()
    time.sleep(0.3)
    assert listener.connections >= 1
    assert pdf is not None


def test_hostile_names_and_notes_are_printed_as_text_and_nothing_is_fetched(
    citizen, issue, listener
):
    markup = hostile_markup(listener.port)
    person = InsuredPerson.objects.create(
        national_code=citizen.national_code,
        first_name=markup["first_name"],
        last_name=markup["last_name"],
        birth_date=datetime.date(1990, 3, 21),
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="1000001",
        workshop_name=markup["workshop"],
        coverage_kind="mandatory",
        start_date=datetime.date(2012, 1, 1),
        end_date=datetime.date(2015, 12, 31),
        days=1460,
    )
    certificate = issue(citizen, language="en", note=markup["note"])
    assert certificate.rendering_status == Certificate.Rendering.READY
    pdf = certificate.pdf.read()
    time.sleep(0.3)

    assert listener.connections == 0
    assert embedded_files(pdf) == []
    assert not any(page.images for page in PdfReader(io.BytesIO(pdf)).pages[1:])
    # A long name wraps inside its table cell: compare without the line breaks.
    text = "".join(pdf_text(pdf).split())
    for value in markup.values():
        assert "".join(value.split()) in text


def test_even_raw_markup_reaching_weasyprint_fetches_and_attaches_nothing(listener):
    """Defence in depth: were the template ever to stop escaping, the fetcher still refuses."""
    local = f"http://127.0.0.1:{listener.port}"
    html = (
        f'<link rel="attachment" href="{local}/a.txt">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<link rel="stylesheet" href="{local}/style.css">'
        f'<img src="{local}/i.png"><img src="http://169.254.169.254/latest/meta-data/">'
        f'<p style="background: url({local}/bg.png)">x</p>'
        '<a rel="attachment" href="file:///etc/hostname">x</a>'
    )
    pdf = certificate_pdf.html_to_pdf(html)
    time.sleep(0.3)
    assert listener.connections == 0
    assert embedded_files(pdf) == []
    assert "root:" not in pdf.decode("latin-1")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "https://localhost/",
        "file:///etc/passwd",
        "file:///proc/self/environ",
        "file://localhost/etc/passwd",
        "data:application/pdf;base64,JVBERi0=",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_addresses_outside_the_static_files(url):
    with pytest.raises(ValueError):
        certificate_pdf.StaticFilesOnlyFetcher().fetch(url)


def test_the_fetcher_refuses_a_local_port_without_connecting(listener):
    with pytest.raises(ValueError):
        certificate_pdf.StaticFilesOnlyFetcher().fetch(f"http://127.0.0.1:{listener.port}/")
    time.sleep(0.3)
    assert listener.connections == 0


def test_the_fetcher_refuses_a_symlink_in_static_that_points_outside(settings, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "passwd").symlink_to("/etc/passwd")
    settings.STATICFILES_DIRS = [static]
    with pytest.raises(ValueError):
        certificate_pdf.StaticFilesOnlyFetcher().fetch(f"file://{static}/passwd")


# --- A very long history -----------------------------------------------------------------------

LONG_HISTORY = 10_000


@pytest.fixture
def long_history(citizen) -> InsuredPerson:
    """10,000 short periods, oldest first, at numbered workshops."""
    person = InsuredPerson.objects.create(
        national_code=citizen.national_code,
        first_name="سارا",
        last_name="احمدی",
        birth_date=datetime.date(1950, 3, 21),
        gender="F",
    )
    start = datetime.date(1960, 1, 1)
    CoveragePeriod.objects.bulk_create(
        CoveragePeriod(
            person=person,
            workshop_code=f"{1_000_000 + index}",
            workshop_name=f"Workshop {index:05d}",
            coverage_kind="mandatory",
            start_date=start + datetime.timedelta(days=2 * index),
            end_date=start + datetime.timedelta(days=2 * index + 1),
            days=2,
        )
        for index in range(LONG_HISTORY)
    )
    return person


def test_a_10000_period_history_prints_the_latest_periods_and_sums_up_the_rest(
    citizen, long_history, issue, settings
):
    started = time.monotonic()
    certificate = issue(citizen, language="en")
    seconds = time.monotonic() - started
    print(f"\n10,000-period certificate issued and rendered in {seconds:.1f} s")

    assert certificate.rendering_status == Certificate.Rendering.READY
    assert seconds < settings.CELERY_TASK_SOFT_TIME_LIMIT
    pdf = certificate.pdf.read()
    assert len(PdfReader(io.BytesIO(pdf)).pages) <= 6
    text = pdf_text(pdf)
    shown = certificate_pdf.PRINTED_PERIODS
    assert f"Workshop {LONG_HISTORY - 1:05d}" in text
    assert f"Workshop {LONG_HISTORY - shown:05d}" in text
    assert f"Workshop {LONG_HISTORY - shown - 1:05d}" not in text
    earlier = LONG_HISTORY - shown
    assert f"{earlier} earlier periods" in text
    assert f"with {earlier * 2} days," in text
    # The totals still count every period, and the snapshot keeps them all.
    assert f"({LONG_HISTORY * 2} days)" in text
    assert len(certificate.snapshot["periods"]) == LONG_HISTORY


def test_a_short_history_is_printed_whole(citizen_record, citizen, issue):
    certificate = issue(citizen, language="en")
    text = pdf_text(certificate.pdf.read())
    assert "earlier period" not in text


def test_a_render_cut_off_by_the_time_limit_fails_cleanly(
    citizen, monkeypatch, django_capture_on_commit_callbacks, _media_in_tmp
):
    from documents import services

    with django_capture_on_commit_callbacks(execute=False):
        certificate = services.issue_certificate(holder=citizen, language="fa")

    def too_slow(certificate):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(certificate_pdf, "render_certificate_pdf", too_slow)
    with pytest.raises(SoftTimeLimitExceeded):
        render_certificate.delay(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.rendering_status == Certificate.Rendering.FAILED
    assert not certificate.pdf
    assert pdf_files(_media_in_tmp) == []
    assert InboxNotice.objects.filter(
        recipient=citizen, certificate=certificate, kind=InboxNotice.Kind.RENDERING_FAILED
    ).exists()
