"""Logs are one JSON object per line, and every line a request causes, including those of the
Celery tasks it sends, carries the request's id (X-Request-ID, echoed in the response)."""

import io
import json
import logging
import re
import time

import pytest
from django.urls import reverse

from documents.models import Certificate
from tests.workers import worker_json_lines

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@pytest.fixture
def console():
    """What the configured console handler (its filter and formatter included) writes."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def json_lines(text: str) -> list[dict]:
    """Every line written, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def request_lines(text: str, path: str) -> list[dict]:
    return [line for line in json_lines(text) if line.get("path") == path]


@pytest.mark.django_db
def test_a_request_gets_an_id_that_is_echoed_and_logged_on_its_json_line(client, console):
    response = client.get("/healthz")
    request_id = response["X-Request-ID"]
    assert SAFE_ID.match(request_id)

    (line,) = request_lines(console.getvalue(), "/healthz")
    assert line["request_id"] == request_id
    assert (line["method"], line["status"], line["view"]) == ("GET", 200, "healthz")
    assert line["level"] == "INFO"
    assert line["duration_ms"] >= 0


@pytest.mark.django_db
def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.django_db
def test_a_short_safe_incoming_id_is_kept(client, console):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.9_c-01")
    assert response["X-Request-ID"] == "lb-7f3a.9_c-01"
    (line,) = request_lines(console.getvalue(), "/healthz")
    assert line["request_id"] == "lb-7f3a.9_c-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    [
        "x" * 65,  # too long to be an id
        "abc def",
        'abc"},{"level":"CRITICAL',  # an attempt to forge a log field
        "abc\\ndef",
        "<script>",
        "سلام",
        "",
    ],
)
def test_an_unsafe_incoming_id_is_replaced(client, console, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert SAFE_ID.match(response["X-Request-ID"])
    lines = json_lines(console.getvalue())
    assert lines  # one object per line, none broken by what the client sent
    assert all(line.get("request_id") != incoming for line in lines)


@pytest.mark.django_db
def test_a_line_logged_while_the_request_is_answered_carries_its_id(client, console):
    """Not just the request's own line: Django's "Not Found" warning, written deeper down."""
    client.get("/no-such-page-for-the-log/", HTTP_X_REQUEST_ID="view-line-test-1")
    lines = json_lines(console.getvalue())
    django_lines = [line for line in lines if line.get("logger") == "django.request"]
    assert django_lines
    assert {line["request_id"] for line in django_lines} == {"view-line-test-1"}
    assert all(line.get("level") == "WARNING" for line in django_lines)


@pytest.mark.worker
def test_the_request_id_reaches_the_log_lines_of_the_task_it_sent(celery_worker, client, citizen):
    """The certificate's render runs in a real worker process; its log lines carry the id of
    the request that issued the certificate."""
    client.force_login(citizen)
    response = client.post(
        reverse("documents:certificate_new"),
        {"language": "en", "note": ""},
        HTTP_X_REQUEST_ID="issue-req-4242",
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(holder=citizen)
    deadline = time.monotonic() + 60
    while certificate.rendering_status != Certificate.Rendering.READY:
        assert time.monotonic() < deadline, "the render did not finish"
        time.sleep(0.2)
        certificate.refresh_from_db()

    log = celery_worker.log_path.read_text()
    task_lines = [
        line
        for line in worker_json_lines(log)
        if line.get("task") == "documents.tasks.render_certificate"
        and line.get("request_id") == "issue-req-4242"
    ]
    assert task_lines, log[-3000:]
    assert {line["task_id"] for line in task_lines} == {line["task_id"] for line in task_lines[:1]}
