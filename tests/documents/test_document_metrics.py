"""Operators' metrics: redemptions per agency, certificates by state (read from the database
at scrape time, so every process serves the same figures) and the time a render takes."""

import pytest

from documents.models import Certificate
from tests.scrape import scraped, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, agency_staff, staff_membership):
    client.force_login(agency_staff)
    return client


def test_a_redemption_increments_its_agencys_counter(
    staff_client, citizen, citizen_record, issue, share, agency, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    code = share(certificate)
    name, labels = "portal_agency_redemptions_total", {"agency": str(agency.pk)}
    before = value(scraped(), name, **labels)

    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    with django_capture_on_commit_callbacks(execute=True):
        refused = staff_client.post(
            "/gov/documents/", {"national_code": citizen.national_code, "access_code": wrong}
        )
    assert refused.status_code == 400  # the form again, with the refusal: not a redemption
    with django_capture_on_commit_callbacks(execute=True):
        opened = staff_client.post(
            "/gov/documents/", {"national_code": citizen.national_code, "access_code": code}
        )
    assert opened.status_code == 302

    assert value(scraped(), name, **labels) - before == 1


def test_the_certificate_state_gauges_match_the_database(citizen, citizen_record, issue):
    ready = issue(citizen)
    pending = issue(citizen)
    failed = issue(citizen)
    Certificate.objects.filter(pk=pending.pk).update(rendering_status="pending")
    Certificate.objects.filter(pk=failed.pk).update(rendering_status="failed")

    gauges = scraped()
    for state in ("pending", "rendering", "ready", "failed"):
        in_database = Certificate.objects.filter(rendering_status=state).count()
        assert value(gauges, "portal_certificates", state=state) == in_database, state
    assert value(gauges, "portal_certificates", state="ready") == 1 == len([ready])

    Certificate.objects.filter(pk=ready.pk).update(rendering_status="failed")
    gauges = scraped()
    assert (
        value(gauges, "portal_certificates", state="ready"),
        value(gauges, "portal_certificates", state="failed"),
    ) == (0, 2)


def test_each_render_is_timed(citizen, citizen_record, issue):
    before = scraped()
    issue(citizen)
    issue(citizen)
    after = scraped()
    count = "portal_certificate_render_seconds_count"
    total = "portal_certificate_render_seconds_sum"
    assert value(after, count) - value(before, count) == 2
    assert value(after, total) > value(before, total)
