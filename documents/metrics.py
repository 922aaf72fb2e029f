"""The certificates' states for /metrics, counted in the database when Prometheus scrapes
(portal/metrics.py says why states are read, not kept)."""

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from documents.models import Certificate


def certificate_states() -> Iterator[Metric]:
    counts = dict(
        Certificate.objects.order_by()
        .values_list("rendering_status")
        .annotate(count=Count("pk"))
        .values_list("rendering_status", "count")
    )
    family = GaugeMetricFamily(
        "portal_certificates",
        "Certificates by the state of their PDF: pending, rendering, ready or failed.",
        labels=["state"],
    )
    for state in Certificate.Rendering.values:
        family.add_metric([state], counts.get(state, 0))
    yield family
