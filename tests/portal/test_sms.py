"""SMS backends: locmem, file, console and the HTTP gateway; templated texts in a language."""

import json
import re
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import translation

import portal.sms
from portal import logs, metrics
from portal.sms import (
    SmsMessage,
    get_backend,
    send_sms,
    send_templated_sms,
    send_templated_sms_in_background,
)
from portal.sms.backends.base import BaseSmsBackend
from portal.sms.backends.http import SmsBackend as GatewayBackend
from portal.sms.backends.http import SmsGatewayError
from tests.workers import wait_for

LOCMEM = "portal.sms.backends.locmem.SmsBackend"
FILE = "portal.sms.backends.file.SmsBackend"
CONSOLE = "portal.sms.backends.console.SmsBackend"
GATEWAY = "portal.sms.backends.http.SmsBackend"


def test_the_locmem_backend_collects_messages_in_the_outbox():
    with override_settings(SMS_BACKEND=LOCMEM):
        send_sms(to="+989121234567", body="کد: ۱۲۳")
        sent = get_backend().send_messages(
            [SmsMessage(to="+989121110001", body="a"), SmsMessage(to="+989121110002", body="b")]
        )
    assert sent == 2
    assert portal.sms.outbox == [
        SmsMessage(to="+989121234567", body="کد: ۱۲۳"),
        SmsMessage(to="+989121110001", body="a"),
        SmsMessage(to="+989121110002", body="b"),
    ]


def test_the_file_backend_writes_one_file_per_message(tmp_path):
    directory = tmp_path / "sms" / "nested"
    with override_settings(SMS_BACKEND=FILE, SMS_FILE_PATH=str(directory)):
        send_sms(to="+989121234567", body="کد شما: ۱۲۳۴۵۶")
        send_sms(to="+989121110002", body="second")
    files = sorted(directory.iterdir())
    assert len(files) == 2
    texts = sorted(path.read_text(encoding="utf-8") for path in files)
    assert texts == sorted(
        ["To: +989121234567\n\nکد شما: ۱۲۳۴۵۶\n", "To: +989121110002\n\nsecond\n"]
    )
    assert portal.sms.outbox == []


def test_the_console_backend_writes_to_standard_output(capsys):
    with override_settings(SMS_BACKEND=CONSOLE):
        send_sms(to="+989121234567", body="کد: ۱۲۳")
    out = capsys.readouterr().out
    assert "--- SMS to +989121234567 ---" in out
    assert "کد: ۱۲۳" in out
    assert portal.sms.outbox == []


# --- The HTTP gateway -------------------------------------------------------------------------


class LocalGateway(ThreadingHTTPServer):
    """A gateway on 127.0.0.1 that keeps what it received: /send accepts, /fail answers 500,
    /moved redirects."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.received: list[dict] = []


class GatewayHandler(BaseHTTPRequestHandler):
    server: LocalGateway

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.received.append(
            {
                "path": self.path,
                "method": "POST",
                "headers": dict(self.headers),
                "body": self.rfile.read(length),
            }
        )
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 500 if self.path == "/fail" else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "queued"}')

    def do_GET(self) -> None:
        self.server.received.append(
            {"path": self.path, "method": "GET", "headers": dict(self.headers), "body": b""}
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[LocalGateway]:
    server = LocalGateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def backend_for(server: LocalGateway, path: str) -> GatewayBackend:
    """The real gateway backend, pointed at the local plain-HTTP server after its https check.

    Only the check is sidestepped: the request goes over the network to the server.
    """
    with override_settings(
        SMS_GATEWAY_URL="https://sms.example/send",
        SMS_GATEWAY_TOKEN="s3cret-token",
        SMS_GATEWAY_SENDER="3000123",
        SMS_GATEWAY_TIMEOUT=5,
    ):
        backend = GatewayBackend()
    host, port = server.server_address[:2]
    backend.url = f"http://{host!s}:{port}{path}"
    return backend


@pytest.mark.parametrize("url", ["", "http://sms.example/send", "ftp://sms.example/"])
def test_the_gateway_backend_refuses_an_address_that_is_not_https(url):
    with (
        override_settings(SMS_BACKEND=GATEWAY, SMS_GATEWAY_URL=url),
        pytest.raises(ImproperlyConfigured, match="https"),
    ):
        send_sms(to="+989121234567", body="x")


def test_the_gateway_backend_posts_the_documented_json(gateway):
    sent = backend_for(gateway, "/send").send_messages(
        [
            SmsMessage(to="+989121234567", body="کد شما: ۱۲۳۴۵۶"),
            SmsMessage(to="+989121110002", body="second"),
        ]
    )
    assert sent == 2
    received = gateway.received
    assert [request["path"] for request in received] == ["/send", "/send"]
    first = received[0]
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["headers"]["Authorization"] == "Bearer s3cret-token"
    assert json.loads(first["body"].decode("utf-8")) == {
        "from": "3000123",
        "to": "+989121234567",
        "text": "کد شما: ۱۲۳۴۵۶",
    }
    assert json.loads(received[1]["body"])["to"] == "+989121110002"


def test_the_gateway_backend_raises_its_own_error_when_the_gateway_fails(gateway):
    with pytest.raises(SmsGatewayError, match="500"):
        backend_for(gateway, "/fail").send_messages([SmsMessage(to="+989121234567", body="x")])


def test_the_gateway_backend_raises_its_own_error_when_nothing_listens():
    server = LocalGateway()
    backend = backend_for(server, "/send")
    server.server_close()  # the port is now closed
    with pytest.raises(SmsGatewayError):
        backend.send_messages([SmsMessage(to="+989121234567", body="x")])


def test_the_gateway_backend_does_not_follow_redirects(gateway):
    # Following one would turn the POST into a GET, count it as sent, and carry the bearer
    # token to wherever the Location points.
    with pytest.raises(SmsGatewayError, match="302"):
        backend_for(gateway, "/moved").send_messages([SmsMessage(to="+989121234567", body="x")])
    assert [request["path"] for request in gateway.received] == ["/moved"]


# --- Texts as templates -----------------------------------------------------------------------


@pytest.fixture
def probe_template(tmp_path, settings):
    """An SMS template that says which language it was rendered in."""
    (tmp_path / "sms").mkdir()
    (tmp_path / "sms" / "probe.txt").write_text(
        "{% load i18n %}{% get_current_language as lang %}  {{ lang }}: {{ code }}\n",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_it_renders_a_templated_sms_in_the_given_language(probe_template, language):
    with translation.override("fa" if language == "en" else "en"):
        send_templated_sms(
            to="+989121234567", template_name="probe", context={"code": "42"}, language=language
        )
        active_after = translation.get_language()
    assert portal.sms.outbox == [SmsMessage(to="+989121234567", body=f"{language}: 42")]
    assert active_after == ("fa" if language == "en" else "en")


def test_it_renders_the_project_sms_templates_with_their_context():
    send_templated_sms(
        to="+989121234567",
        template_name="verification_code",
        context={"code": "123456"},
        language="en",
    )
    send_templated_sms(
        to="+989121234567",
        template_name="password_reset_code",
        context={"code": "654321"},
        language="en",
    )
    verification, reset = (message.body for message in portal.sms.outbox)
    assert verification == "Your Social Security portal verification code: 123456"
    assert "654321" in reset
    assert reset.startswith("Your Social Security portal password reset code")


def test_it_renders_the_project_sms_templates_in_persian():
    send_templated_sms(
        to="+989121234567",
        template_name="verification_code",
        context={"code": "HKHV-MXWZ"},
        language="fa",
    )
    body = portal.sms.outbox[0].body
    assert "HKHV-MXWZ" in body
    # Persian words around the code, once the catalogue is compiled.
    assert re.fullmatch(r"[^A-Za-z]*HKHV-MXWZ[^A-Za-z]*", body), body


class RefusingGateway(BaseSmsBackend):
    """A gateway that refuses every text, noting the request id it was called under."""

    request_ids: list[str] = []

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        self.request_ids.append(logs.current_request_id())
        raise SmsGatewayError("the gateway answered 500")


def test_a_text_sent_in_the_background_keeps_the_request_id_and_a_failure_is_only_logged(
    settings, caplog
):
    """The request that sent it has answered already: a refused text is logged under that
    request's id, and counted, never raised."""
    settings.SMS_BACKEND = f"{__name__}.RefusingGateway"
    settings.SMS_SEND_IN_BACKGROUND = True
    failures = metrics.SMS_FAILURES._value.get()
    token = logs.bind_request_id("background-sms-test")
    try:
        send_templated_sms_in_background(
            to="+989121234567", template_name="verification_code", context={"code": "1"},
            language="en",
        )  # fmt: skip
    finally:
        logs.unbind_request_id(token)

    wait_for(lambda: metrics.SMS_FAILURES._value.get() == failures + 1, timeout=10, what="it")
    assert RefusingGateway.request_ids == ["background-sms-test"]
    logged = "an SMS sent in the background failed"
    wait_for(lambda: any(r.getMessage() == logged for r in caplog.records), timeout=10, what=logged)
