"""Prometheus metrics for operators, served at /metrics (docs/operations.md: what to alert on).

Events are counted where they happen, in whichever process: gunicorn's workers answer requests
and look people up, Celery's workers render certificates and send SMS. A process's own counters
would show only its share, so with `PROMETHEUS_MULTIPROC_DIR` set (the production shape) every
process writes its values to its own file in that directory, and /metrics adds the files up,
whichever process answers the scrape. The files are named after the host and the process, so
containers that share the directory (web and worker in docker-compose.yml) never write to the
same file.

States are not events: how many certificates are pending or failed, how long the broker's queue
is. Those are read when Prometheus scrapes, from PostgreSQL and Redis, which every process
shares; a gauge kept in one process would be wrong as soon as there are two. Later apps add
theirs with `add_scrape_time_collector` (documents: the certificates' states), since this module
must not import them.
"""

import hmac
import ipaddress
import logging
import os
import re
import socket
from collections.abc import Callable, Iterable, Iterator

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import values as prometheus_values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from portal.throttle import client_address

logger = logging.getLogger(__name__)

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def _process_identifier() -> str:
    # No "_": prometheus_client reads the metric type from the file name up to the first one.
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())
    return f"{host}-{os.getpid()}"


if MULTIPROCESS_DIR:
    os.makedirs(MULTIPROCESS_DIR, exist_ok=True)
    # Before any metric below is made: each takes its storage from this class.
    prometheus_values.ValueClass = prometheus_values.MultiProcessValue(
        process_identifier=_process_identifier
    )

UNMATCHED_VIEW = "<unmatched>"  # one label for every path no URL pattern matched
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

HTTP_REQUESTS = Counter(
    "portal_http_requests",
    "Requests answered, by view (URL pattern name), method and status code.",
    ["view", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching the portal to its response, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
AGENCY_LOOKUPS = Counter(
    "portal_agency_lookups",
    "Direct inquiries answered to an agency's staff (each wrote a disclosure), by agency id.",
    ["agency"],
)
AGENCY_REDEMPTIONS = Counter(
    "portal_agency_redemptions",
    "Certificates opened by an agency with the holder's access code, by agency id.",
    ["agency"],
)
CERTIFICATE_RENDER_SECONDS = Histogram(
    "portal_certificate_render_seconds",
    "Time a worker took to render and store a certificate's PDF.",
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
)
IDENTITY_SERVICE_FAILURES = Counter(
    "portal_identity_service_failures",
    "Questions to the identity service (mobile owner) that got no usable answer.",
)
SMS_FAILURES = Counter(
    "portal_sms_failures",
    "SMS the backend (the gateway in production) failed to send.",
)


# --- Counting: one call from where the event happens ------------------------------------------


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "other"  # a client can send any method name
    HTTP_REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    HTTP_REQUEST_SECONDS.labels(view=view).observe(seconds)


def count_lookup(*, agency_id: int) -> None:
    """Counted when the lookup's transaction commits: a rolled-back answer was never given."""
    transaction.on_commit(lambda: AGENCY_LOOKUPS.labels(agency=str(agency_id)).inc())


def count_redemption(*, agency_id: int) -> None:
    """Counted when the redemption's transaction commits."""
    transaction.on_commit(lambda: AGENCY_REDEMPTIONS.labels(agency=str(agency_id)).inc())


def observe_render(*, seconds: float) -> None:
    CERTIFICATE_RENDER_SECONDS.observe(seconds)


def count_identity_failure() -> None:
    IDENTITY_SERVICE_FAILURES.inc()


def count_sms_failure() -> None:
    SMS_FAILURES.inc()


# --- Read at scrape time ----------------------------------------------------------------------

ScrapeTimeCollector = Callable[[], Iterable[Metric]]
_scrape_time_collectors: list[ScrapeTimeCollector] = []


def add_scrape_time_collector(collect: ScrapeTimeCollector) -> None:
    """Have `collect()` yield metrics read from shared state each time /metrics is scraped."""
    if collect not in _scrape_time_collectors:
        _scrape_time_collectors.append(collect)


def celery_queue_lengths() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "portal_celery_queue_length",
        "Tasks waiting in the broker's queue (LLEN of its Redis list); 0 when tasks run "
        "in-process (the embedded default).",
        labels=["queue"],
    )
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        for queue in settings.METRICS_CELERY_QUEUES:
            family.add_metric([queue], 0)
    else:
        client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
        try:
            for queue in settings.METRICS_CELERY_QUEUES:
                family.add_metric([queue], client.llen(queue))
        finally:
            client.close()
    yield family


add_scrape_time_collector(celery_queue_lengths)


class _ScrapeTime:
    """Runs every scrape-time collector; one whose store is down is left out (and logged), so
    the rest still reach Prometheus and an `absent()` alert names what is missing."""

    def collect(self) -> Iterator[Metric]:
        for collect in _scrape_time_collectors:
            try:
                metrics = list(collect())
            except Exception:
                logger.exception("metrics: %s could not be read", collect.__qualname__)
                continue
            yield from metrics


class _ThisProcess:
    """Without PROMETHEUS_MULTIPROC_DIR (development, tests): this process's own metrics."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition() -> bytes:
    """The text Prometheus reads: the counters of every process, then the states."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS_DIR:
        MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
    else:
        registry.register(_ThisProcess())
    registry.register(_ScrapeTime())
    return generate_latest(registry)


# --- Who may read them ------------------------------------------------------------------------


def may_read_metrics(request: HttpRequest) -> bool:
    """With the bearer token (`METRICS_TOKEN`, compared in constant time), or from an address
    in `METRICS_ALLOWED_IPS`, derived as everywhere else in the portal (never from a raw
    X-Forwarded-For)."""
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    bearer = scheme.lower() == "bearer" and given
    if token and bearer and hmac.compare_digest(given.encode(), token.encode()):
        return True
    if not settings.METRICS_ALLOWED_IPS:
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except (ValueError, PermissionDenied):
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_IPS
    )
