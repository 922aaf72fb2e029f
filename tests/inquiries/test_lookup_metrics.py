"""Operators' metrics: every agency lookup counts for its agency, once it is committed."""

import pytest

from inquiries.models import DisclosureRecord
from tests.inquiries.conftest import UNKNOWN, lookup_data
from tests.scrape import scraped, value

pytestmark = pytest.mark.django_db
URL = "/gov/inquiry/"


def test_a_lookup_increments_its_agencys_counter(
    client, agency_staff, make_panel, registered_person, django_capture_on_commit_callbacks
):
    mou = make_panel(agency_staff)
    client.force_login(agency_staff)
    agency = str(mou.agency_id)
    before = scraped()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, lookup_data()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, lookup_data(UNKNOWN)).status_code == 200  # "no record" counts
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, lookup_data("123"))  # refused by the form: no lookup

    after = scraped()
    assert DisclosureRecord.objects.count() == 2
    assert (
        value(after, "portal_agency_lookups_total", agency=agency)
        - value(before, "portal_agency_lookups_total", agency=agency)
        == 2
    )


def test_a_lookup_rolled_back_is_not_counted(
    client, agency_staff, make_panel, registered_person, django_capture_on_commit_callbacks
):
    """Counted on commit: an answer that was never given is not a lookup."""
    mou = make_panel(agency_staff)
    client.force_login(agency_staff)
    agency = str(mou.agency_id)
    before = value(scraped(), "portal_agency_lookups_total", agency=agency)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(URL, lookup_data()).status_code == 200
    assert callbacks  # the count waits for the commit, which the test never makes
    assert value(scraped(), "portal_agency_lookups_total", agency=agency) == before
