"""Reading the portal's Prometheus metrics in tests, as Prometheus would read /metrics."""

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scraped() -> Samples:
    from portal import metrics

    return samples(metrics.exposition().decode())


def value(scraped: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for one not (yet) exposed, as a counter never counted."""
    return scraped.get((name, frozenset(labels.items())), 0.0)
