"""The blank lookup form is drawn once per process and reused: never across agency kinds,
languages or confidential delays, and never for a form with errors."""

import pytest
from django.test import Client
from django.utils import translation

from agencies.models import AgencyKind
from tests.inquiries.conftest import lookup_data

pytestmark = pytest.mark.django_db
URL = "/gov/inquiry/"


def panel_client(user, make_panel, *, kind: str, language: str = "en") -> Client:
    make_panel(user, kind=kind)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_court_form_is_not_served_to_a_relief_agency_or_back(agency_staff, outsider, make_panel):
    court = panel_client(agency_staff, make_panel, kind=AgencyKind.JUDICIAL)
    relief = panel_client(outsider, make_panel, kind=AgencyKind.SUPPORT_RELIEF)
    for _ in range(2):
        assert b'name="confidential"' in court.get(URL).content
        assert b'name="confidential"' not in relief.get(URL).content


def test_each_language_gets_its_own_form(agency_staff, make_panel):
    persian = panel_client(agency_staff, make_panel, kind=AgencyKind.JUDICIAL, language="fa")
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(agency_staff)
    with translation.override("fa"):
        persian_label = str(translation.gettext("Purpose in words"))
    assert persian_label != "Purpose in words"
    for _ in range(2):
        assert persian_label in persian.get(URL).content.decode()
        english_page = english.get(URL).content.decode()
        assert "Purpose in words" in english_page
        assert persian_label not in english_page


def test_the_confidential_delay_in_the_form_follows_the_setting(agency_staff, make_panel, settings):
    court = panel_client(agency_staff, make_panel, kind=AgencyKind.JUDICIAL)
    settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS = 90
    assert "after 90 days" in court.get(URL).content.decode()
    settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS = 45
    page = court.get(URL).content.decode()
    assert "after 45 days" in page
    assert "after 90 days" not in page


def test_a_form_with_errors_is_drawn_with_them_after_a_blank_one(agency_staff, make_panel):
    court = panel_client(agency_staff, make_panel, kind=AgencyKind.JUDICIAL)
    court.get(URL)  # the blank form, now cached
    response = court.post(URL, lookup_data(case_reference="", purpose_detail="Typed by staff"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the case reference" in page
    assert "Typed by staff" in page
