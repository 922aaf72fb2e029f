import datetime

import pytest
import time_machine
from django.core.management import call_command

from accounts.demo import demo_user
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord, PensionRole
from inquiries.selectors import registry_record
from portal.validators import national_code_is_valid


def seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_the_demo_registry_covers_every_case_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    seed()
    counts = (
        InsuredPerson.objects.count(),
        CoveragePeriod.objects.count(),
        PensionRecord.objects.count(),
    )
    seed()
    assert counts == (
        InsuredPerson.objects.count(),
        CoveragePeriod.objects.count(),
        PensionRecord.objects.count(),
    )
    assert all(
        national_code_is_valid(code)
        for code in InsuredPerson.objects.values_list("national_code", flat=True)
    )
    assert PensionRecord.objects.filter(role=PensionRole.MAIN).exists()
    assert PensionRecord.objects.filter(role=PensionRole.DEPENDENT).exists()
    assert InsuredPerson.objects.filter(coverage_periods__isnull=True).exists()
    assert CoveragePeriod.objects.filter(end_date__isnull=True).exists()


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC), tick=False)
def test_the_demo_citizen_is_insured_now_with_a_gap_and_an_overlap(settings):
    settings.DEBUG = True
    seed()
    record = registry_record(demo_user("citizen").national_code)
    assert record is not None
    assert record.status.insured_today
    first_job = (datetime.date(2014, 9, 30) - datetime.date(2010, 4, 1)).days + 1
    # The second and third jobs overlap in June 2019: those days count once.
    since_2016 = (datetime.date(2026, 11, 28) - datetime.date(2016, 1, 1)).days + 1
    assert record.status.total_insured_days == first_job + since_2016


@pytest.mark.django_db
def test_the_demo_citizen_has_a_few_disclosures_and_a_second_run_adds_none(settings, tmp_path):
    from inquiries.models import DisclosureRecord
    from inquiries.selectors import disclosures_for_person
    from tests.transparency_log import fresh_log, seal_and_audit

    settings.DEBUG = True
    fresh_log(settings, tmp_path)
    seed()
    seed()
    citizen = demo_user("citizen")
    assert disclosures_for_person(citizen.national_code).count() == 3
    assert DisclosureRecord.objects.count() == 3
    audit = seal_and_audit()
    assert (audit.problems, audit.leaves) == ([], 3)
