"""An agency sees exactly what its MoU's scopes allow: in the page, and nowhere in its source."""

import datetime

import pytest
import time_machine

from agencies.scopes import Scope
from inquiries.scoping import restrict_to_scopes
from inquiries.selectors import registry_record
from tests.inquiries.conftest import (
    INSURANCE_NUMBER,
    LOOKED_UP,
    MAIN_PENSIONER,
    PENSION_NUMBER,
    PERSON_NAME,
    WORKSHOP_CODE,
    WORKSHOP_NAME,
    lookup_data,
)

pytestmark = pytest.mark.django_db
URL = "/gov/inquiry/"

# What each scope shows (as English text in the page), beyond the others.
SHOWN_BY = {
    Scope.COVERAGE_FLAG: ["Insured today"],
    Scope.COVERAGE_SUMMARY: ["Self-employed, since 2015-03-01", "days in all"],
    Scope.COVERAGE_HISTORY: [WORKSHOP_NAME, WORKSHOP_CODE, "Insurance history"],
    Scope.PENSION_FLAG: ['data-testid="pensioner"'],
    Scope.PENSION_DETAIL: ["Dependent pensioner, Survivor, since 2018-01-01: Active"],
}
# Never shown under any scope.
NEVER = [PERSON_NAME, "Synthetic</", INSURANCE_NUMBER, PENSION_NUMBER, MAIN_PENSIONER, "987654321"]

SCOPE_SETS = [
    [Scope.COVERAGE_FLAG],
    [Scope.COVERAGE_SUMMARY],
    [Scope.COVERAGE_HISTORY],
    [Scope.PENSION_FLAG],
    [Scope.PENSION_DETAIL],
    [Scope.COVERAGE_FLAG, Scope.PENSION_FLAG],
    [Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY],
    list(Scope.values),
]


@pytest.fixture(autouse=True)
def _english_on_a_fixed_day(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids=lambda scopes: "+".join(scopes))
def test_the_page_shows_exactly_the_granted_scopes(
    client, agency_staff, make_panel, registered_person, scopes
):
    make_panel(agency_staff, scopes=scopes)
    client.force_login(agency_staff)
    response = client.post(URL, lookup_data())
    assert response.status_code == 200
    html = response.content.decode()
    result = html[html.index('data-testid="lookup-result"') : html.index("</section>")]
    for scope, texts in SHOWN_BY.items():
        for text in texts:
            if scope in scopes:
                assert text in result, f"{scope} should show {text!r}"
            else:
                assert text not in html, f"{text!r} is outside {scopes} but in the page source"
    for text in NEVER:
        assert text not in html


def test_a_relief_organisation_with_the_coverage_flag_sees_only_yes_or_no(
    client, agency_staff, make_panel, registered_person
):
    make_panel(agency_staff, scopes=[Scope.COVERAGE_FLAG])
    client.force_login(agency_staff)
    html = client.post(URL, lookup_data()).content.decode()
    result = html[html.index('data-testid="lookup-result"') : html.index("</section>")]
    assert '<dd class="col-sm-8" data-testid="insured-today"><span class="badge' in result
    assert ">Yes<" in result
    assert result.count("<dt") == 1


def test_restrict_to_scopes_copies_only_the_granted_fields(registered_person):
    record = registry_record(LOOKED_UP, today=datetime.date(2026, 6, 1))
    flag_only = restrict_to_scopes(record, [Scope.PENSION_FLAG], national_code=LOOKED_UP)
    assert flag_only.found and flag_only.is_pensioner is True
    assert flag_only.insured_today is None
    assert flag_only.current_coverages is None and flag_only.total_insured_days is None
    assert flag_only.periods is None and flag_only.pensions is None

    everything = restrict_to_scopes(record, Scope.values, national_code=LOOKED_UP)
    assert everything.insured_today is True
    assert everything.periods is not None and everything.periods[0].workshop_name == WORKSHOP_NAME
    assert not hasattr(everything.periods[0], "monthly_wage")
    assert everything.pensions is not None
    assert not hasattr(everything.pensions[0], "pension_number")


def test_restrict_to_scopes_answers_no_record_with_nothing_else():
    result = restrict_to_scopes(None, Scope.values, national_code=LOOKED_UP)
    assert not result.found
    assert result.insured_today is None and result.periods is None and result.is_pensioner is None


def test_the_page_names_the_mous_scopes_with_the_languages_list_separator(
    client, agency_staff, make_panel
):
    make_panel(agency_staff, scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_FLAG])
    client.force_login(agency_staff)

    english = client.get(URL).content.decode()
    persian = client.get(URL, HTTP_ACCEPT_LANGUAGE="fa").content.decode()

    assert "Insured now (yes/no), Pensioner (yes/no)." in english
    assert "بیمه‌شده بودن در حال حاضر (بله/خیر)، مستمری‌بگیر بودن (بله/خیر)." in persian
