"""The lookup page is drawn as a frame once per process and filled per request
(portal.frames.render_framed): every answer must be the page an ordinary render() gives for the
same request, whoever drew the frame first, and one lookup's result never shows in another's."""

import re
from unittest import mock

import pytest
from django.contrib import messages
from django.shortcuts import render
from django.test import Client

import inquiries.gov_views
from agencies.models import AgencyKind, MembershipRole
from agencies.scopes import Scope
from documents.models import InboxNotice
from portal import frames
from tests.inquiries.conftest import (
    LOOKED_UP,
    UNKNOWN,
    WORKSHOP_CODE,
    WORKSHOP_NAME,
    lookup_data,
)

pytestmark = pytest.mark.django_db
URL = "/gov/inquiry/"


@pytest.fixture
def both_ways(monkeypatch):
    """Every lookup page drawn twice: framed (what is sent) and by render() (kept to compare).
    CSRF tokens are masked with a fixed string, so the two drawings can be compared whole."""
    pages: list[tuple[str, str]] = []
    framed = frames.render_framed
    greet = {"message": ""}

    def draw_both(request, template_name, context, **kwargs):
        if greet["message"]:
            messages.info(request, greet["message"])
        plain = render(request, template_name, context, status=kwargs.get("status"))
        response = framed(request, template_name, context, **kwargs)
        pages.append((response.content.decode(), plain.content.decode()))
        return response

    monkeypatch.setattr(inquiries.gov_views, "render_framed", draw_both)
    monkeypatch.setattr("django.middleware.csrf._get_new_csrf_string", lambda: "m" * 32)
    return pages, greet


def member(user, make_panel, *, language: str, **panel) -> Client:
    make_panel(user, **panel)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_every_answer_is_the_page_render_gives(
    both_ways, agency_staff, agency_admin, outsider, citizen, make_panel, registered_person
):
    pages, greet = both_ways
    staff = member(
        agency_staff,
        make_panel,
        language="fa",
        scopes=[
            Scope.COVERAGE_FLAG,
            Scope.COVERAGE_SUMMARY,
            Scope.COVERAGE_HISTORY,
            Scope.PENSION_DETAIL,
        ],
    )
    # Another agency of the same kind, with other scopes: the same frame, its own scopes.
    colleague = member(outsider, make_panel, language="fa", scopes=[Scope.PENSION_FLAG])
    # Another agency's admin: another menu, other scopes, an unread badge, a message.
    admin = member(
        agency_admin,
        make_panel,
        language="fa",
        kind=AgencyKind.JUDICIAL,
        role=MembershipRole.ADMIN,
        scopes=[Scope.COVERAGE_FLAG],
    )
    for reader in (agency_admin, outsider):
        InboxNotice.objects.create(recipient=reader, kind=InboxNotice.Kind.CODE_ISSUED)
    english = member(citizen, make_panel, language="en", scopes=[Scope.COVERAGE_HISTORY])

    assert staff.get(URL).status_code == 200
    assert staff.post(URL, lookup_data()).status_code == 200
    assert staff.post(URL, lookup_data(UNKNOWN)).status_code == 200
    court = lookup_data(purpose="judicial_case", case_reference="CASE-1")
    assert admin.post(URL, court).status_code == 200
    greet["message"] = "A message <b>for</b> this request"
    assert admin.post(f"{URL}?next=%22%3E%3Cscript%3E", court).status_code == 200
    greet["message"] = ""
    assert admin.get(URL).status_code == 200
    assert english.post(URL, lookup_data()).status_code == 200
    assert staff.post(URL, lookup_data()).status_code == 200
    assert colleague.post(URL, lookup_data()).status_code == 200

    assert len(pages) == 9
    for sent, rendered in pages:
        assert sent == rendered
    found, unknown, by_admin, with_message, _, in_english, again, by_colleague = (
        page for page, _ in pages[1:]
    )
    assert WORKSHOP_NAME in found and WORKSHOP_NAME in again
    assert WORKSHOP_NAME not in unknown and WORKSHOP_NAME not in by_colleague
    assert "data-unread-count" in by_admin and "data-unread-count" in by_colleague
    assert "data-unread-count" not in found
    assert "A message &lt;b&gt;for&lt;/b&gt; this request" in with_message
    # The language form returns to this request's own address, query string and all.
    assert 'value="/gov/inquiry/?next=%22%3E%3Cscript%3E"' in with_message
    assert 'value="/gov/inquiry/"' in by_admin
    assert "Insurance history" in in_english and WORKSHOP_CODE in in_english
    assert frames.MARKER not in "".join(sent for sent, _ in pages)


def test_one_frame_serves_a_language_and_role(agency_staff, make_panel, registered_person):
    staff = member(agency_staff, make_panel, language="en")
    with mock.patch.object(frames, "_draw_frame", wraps=frames._draw_frame) as drawn:
        staff.get(URL)
        staff.post(URL, lookup_data())
        staff.post(URL, lookup_data(UNKNOWN))
        staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "fa"
        staff.post(URL, lookup_data())
    assert drawn.call_count == 2


def test_a_lookup_is_checked_and_recorded_as_before(agency_staff, make_panel, registered_person):
    """The frame changes the page's drawing only: the answer is still per lookup."""
    from inquiries.models import DisclosureRecord

    staff = member(agency_staff, make_panel, language="en", scopes=[Scope.COVERAGE_HISTORY])
    for code in (LOOKED_UP, UNKNOWN, LOOKED_UP):
        page = staff.post(URL, lookup_data(code)).content.decode()
        assert re.search(r"Result for national code \S*" + code[:3], page)
    assert DisclosureRecord.objects.count() == 3
