"""/healthz against a live server whose PostgreSQL or Redis goes away and comes back.

The shared services are never stopped: the server reaches them through tests.faults.TcpProxy,
which the test cuts (open connections reset, new ones refused) and restores on the same port.
"""

import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import _test_database_url
from tests.faults import PortalServer, TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

OUTAGE_SECONDS = 3
RECOVERY_LIMIT_SECONDS = 15
ALL_UP = {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def _health(server: PortalServer) -> tuple[int, dict[str, str]]:
    status, _url, body = server.request("/healthz")
    return status, json.loads(body)


@pytest.fixture
def proxied_server(django_db_setup, django_db_blocker, tmp_path: Path):
    """A gunicorn portal whose database and Redis (cache and broker) are behind proxies."""
    with django_db_blocker.unblock():
        database = urlsplit(_test_database_url())
    redis = urlsplit(settings.REDIS_URL)
    database_proxy = TcpProxy(database.port or 5432, database.hostname or "127.0.0.1")
    redis_proxy = TcpProxy(redis.port or 6379, redis.hostname or "127.0.0.1")
    server = PortalServer(
        log=tmp_path / "gunicorn.log",
        DATABASE_URL=database._replace(
            netloc=f"{database.username}@127.0.0.1:{database_proxy.port}"
        ).geturl(),
        REDIS_URL=redis._replace(netloc=f"127.0.0.1:{redis_proxy.port}").geturl(),
    )
    try:
        yield server, {"database": database_proxy, "redis": redis_proxy}
    finally:
        server.stop()
        database_proxy.close()
        redis_proxy.close()


@pytest.mark.parametrize(
    ("service", "failing"),
    [("database", {"database"}), ("redis", {"cache", "broker"})],
    ids=["postgresql", "redis"],
)
def test_healthz_names_the_missing_service_and_recovers_without_a_restart(
    proxied_server, service, failing, figures
):
    server, proxies = proxied_server
    # Warm up: the server holds open connections that the cut has to break.
    assert _health(server) == (200, ALL_UP)
    assert _health(server)[0] == 200

    proxies[service].cut()
    outage_started = time.monotonic()
    answers = []
    while time.monotonic() - outage_started < OUTAGE_SECONDS:
        started = time.monotonic()
        answers.append((*_health(server), time.monotonic() - started))
    for status, body, _seconds in answers:
        assert status == 503, body
        assert body["status"] == "unavailable"
        assert {part for part in ("database", "cache", "broker") if body[part] == "down"} == failing
    slowest_down_answer = max(seconds for *_rest, seconds in answers)

    proxies[service].restore()
    restored = time.monotonic()
    outage = restored - outage_started
    while (status := _health(server)[0]) != 200:
        assert status == 503
        assert time.monotonic() - restored < RECOVERY_LIMIT_SECONDS, "/healthz did not recover"
        time.sleep(0.1)
    recovery = time.monotonic() - restored
    assert _health(server) == (200, ALL_UP)

    assert server.process.poll() is None
    assert server.log.read_text().count("Booting worker") == 1, "gunicorn restarted its worker"
    figures(
        f"{service} cut for {outage:.1f} s: "
        f"{len(answers)} answers of 503 (slowest {slowest_down_answer:.2f} s), "
        f"200 again {recovery:.2f} s after the restore"
    )
