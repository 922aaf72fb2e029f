"""/metrics: Prometheus metrics for operators, only for allowed addresses or with the token;
counted in whichever process the event happened and added up across processes."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from accounts.identity import Ownership, mobile_belongs_to
from accounts.identity.backends import locmem as identity_service
from portal.sms import send_sms
from portal.sms.backends.http import SmsGatewayError
from tests.scrape import samples, value
from tests.workers import tasks_to_the_broker

__all__ = ["tasks_to_the_broker"]  # a fixture used by name

URL = "/metrics"
TOKEN = "synthetic-metrics-token-0123456789"


def scrape(client, **headers) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics, read with the token, by name and labels."""
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200, response.status_code
    return samples(response.content.decode())


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []


# --- Who may read them -------------------------------------------------------------------------


def test_it_is_refused_without_a_token_from_an_address_not_allowed(client):
    response = client.get(URL, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 404
    assert b"portal_" not in response.content


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
        "Bearer",
    ],
)
def test_it_is_refused_with_a_wrong_token(client, authorization):
    response = client.get(URL, REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 404
    assert b"portal_" not in response.content


def test_an_empty_token_setting_lets_no_token_in(client, settings):
    settings.METRICS_TOKEN = ""
    for authorization in ("Bearer ", "Bearer", ""):
        response = client.get(URL, REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION=authorization)
        assert response.status_code == 404


def test_it_is_served_with_the_right_token(client):
    response = client.get(URL, REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert b"portal_http_requests_total" in response.content


def test_the_token_may_come_from_a_file(client, tmp_path):
    """METRICS_TOKEN_FILE, as Docker secrets give it (with a trailing newline)."""
    secret = tmp_path / "metrics_token"
    secret.write_text("token-from-the-file-0123456789\n")
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.METRICS_TOKEN)"],
        env={**os.environ, "PORTAL_ENV_FILE": "", "METRICS_TOKEN_FILE": str(secret)},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "token-from-the-file-0123456789"


def test_it_is_served_to_an_allowed_address_and_network(client, settings):
    settings.METRICS_ALLOWED_IPS = ["192.0.2.10", "198.51.100.0/24"]
    assert client.get(URL, REMOTE_ADDR="192.0.2.10").status_code == 200
    assert client.get(URL, REMOTE_ADDR="198.51.100.77").status_code == 200
    assert client.get(URL, REMOTE_ADDR="192.0.2.11").status_code == 404


def allowed_ips_at_start(value: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.METRICS_ALLOWED_IPS)",
        ],
        env={**os.environ, "PORTAL_ENV_FILE": "", "METRICS_ALLOWED_IPS": value},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_mistyped_allow_list_stops_the_portal_at_start():
    """Better than an allow-list that silently lets nobody (or somebody else) in."""
    good = allowed_ips_at_start("192.0.2.10, 198.51.100.0/24")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "['192.0.2.10', '198.51.100.0/24']"
    bad = allowed_ips_at_start("192.0.2.10,192.0.2.300")
    assert bad.returncode != 0
    assert "METRICS_ALLOWED_IPS" in bad.stderr


def test_a_forged_x_forwarded_for_does_not_make_an_address_allowed(client, settings):
    settings.METRICS_ALLOWED_IPS = ["192.0.2.10"]
    response = client.get(URL, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert response.status_code == 404


def test_behind_trusted_proxies_the_client_address_is_the_one_the_portal_uses(client, settings):
    """One proxy of ours appends the client's address: that one counts, not the forged one."""
    settings.METRICS_ALLOWED_IPS = ["192.0.2.10"]
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        allowed = client.get(
            URL, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5, 192.0.2.10"
        )
        forged = client.get(
            URL, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10, 203.0.113.5"
        )
    assert (allowed.status_code, forged.status_code) == (200, 404)


def test_it_answers_only_get(client):
    response = client.post(URL, REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code in (403, 405)  # the CSRF check comes first


# --- What they count ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_and_timed_per_view(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    client.get("/no-such-page-0123456789/")
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("portal_http_requests_total", view="healthz", method="GET", status="200") == 3
    assert delta("portal_http_request_duration_seconds_count", view="healthz") == 3
    assert delta("portal_http_request_duration_seconds_sum", view="healthz") > 0
    # An unknown path is one label, whatever the path: no label per address tried.
    assert delta("portal_http_requests_total", view="<unmatched>", method="GET", status="404") == 1
    assert not any("no-such-page" in str(labels) for _, labels in after)


def test_identity_service_failures_are_counted(client):
    before = value(scrape(client), "portal_identity_service_failures_total")
    identity_service.unavailable = True
    assert mobile_belongs_to("0010000011", "+989121110001") == Ownership.UNAVAILABLE
    assert mobile_belongs_to("0010000011", "+989121110001") == Ownership.UNAVAILABLE
    identity_service.unavailable = False
    identity_service.register("0010000011", "+989121110001")
    assert mobile_belongs_to("0010000011", "+989121110001") == Ownership.YES
    assert value(scrape(client), "portal_identity_service_failures_total") - before == 2


def test_sms_gateway_failures_are_counted(client):
    before = value(scrape(client), "portal_sms_failures_total")
    # Nothing listens on port 9 of the loopback: the gateway is unreachable.
    with (
        override_settings(
            SMS_BACKEND="portal.sms.backends.http.SmsBackend",
            SMS_GATEWAY_URL="https://127.0.0.1:9/send",
            SMS_GATEWAY_TIMEOUT=2,
        ),
        pytest.raises(SmsGatewayError),
    ):
        send_sms(to="+989121110001", body="synthetic")
    send_sms(to="+989121110001", body="synthetic")  # the locmem backend: no failure
    assert value(scrape(client), "portal_sms_failures_total") - before == 1


@pytest.mark.django_db
def test_the_queue_depth_is_zero_on_the_embedded_default(client, settings):
    settings.CELERY_BROKER_URL = "memory://"  # the embedded default's broker, whatever CI runs
    assert value(scrape(client), "portal_celery_queue_length", queue="celery") == 0


@pytest.mark.redis
@pytest.mark.django_db
def test_the_queue_depth_is_the_length_of_the_brokers_queue(client, tasks_to_the_broker):
    """Tasks sent while no worker of this queue runs wait in its Redis list."""
    from portal.celery import app
    from portal.tasks import clear_expired_sessions

    queue = "metrics-test-queue"
    with override_settings(METRICS_CELERY_QUEUES=["celery", queue]):
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete(queue)  # type: ignore[attr-defined]
        before = value(scrape(client), "portal_celery_queue_length", queue=queue)
        for _ in range(3):
            clear_expired_sessions.apply_async(queue=queue)
        after = value(scrape(client), "portal_celery_queue_length", queue=queue)
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete(queue)  # type: ignore[attr-defined]
    assert (before, after) == (0, 3)


# --- Across processes --------------------------------------------------------------------------

COUNT_IN_ANOTHER_PROCESS = """
import django
django.setup()
from portal import metrics
metrics.count_sms_failure()
metrics.count_lookup(agency_id=7)
"""

SCRAPE_IN_ANOTHER_PROCESS = """
import django
django.setup()
from portal import metrics
print(metrics.exposition().decode())
"""


def test_counters_add_up_across_processes(tmp_path):
    """Two processes count (as two gunicorn workers, or a web and a Celery worker would);
    a third, which counted nothing, serves the sum."""
    metrics_dir = tmp_path / "metrics"
    env = {
        **{key: value for key, value in os.environ.items() if key != "REDIS_URL"},
        "PORTAL_ENV_FILE": "",
        # Counting a lookup waits for a commit, so it needs a database, any database.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }

    def run(code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run(COUNT_IN_ANOTHER_PROCESS)
    run(COUNT_IN_ANOTHER_PROCESS)
    scraped = samples(run(SCRAPE_IN_ANOTHER_PROCESS))
    assert value(scraped, "portal_sms_failures_total") == 2
    assert value(scraped, "portal_agency_lookups_total", agency="7") == 2


def test_clear_metrics_empties_the_multiprocess_directory(tmp_path, monkeypatch):
    from django.core.management import call_command

    (tmp_path / "counter_web1-12.db").write_bytes(b"\0" * 16)
    (tmp_path / "histogram_worker2-7.db").write_bytes(b"\0" * 16)
    (tmp_path / "keep.txt").write_text("not a metrics file")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    call_command("clear_metrics", stdout=io.StringIO())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.txt"]
