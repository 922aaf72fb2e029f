import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from inquiries.disclosures import GENESIS_HASH, record_disclosure, verify_chain
from inquiries.models import DisclosureChannel, DisclosureRecord
from tests.agencies.factories import MouFactory


@pytest.fixture
def mou(committee_reviewer):
    return MouFactory.create(recorded_by=committee_reviewer)


def disclose(mou, staff, national_code="0010000011", **extra) -> DisclosureRecord:
    return record_disclosure(
        national_code=national_code,
        staff_member=staff,
        mou=mou,
        channel=DisclosureChannel.DIRECT_INQUIRY,
        scopes=["coverage_flag"],
        record_found=True,
        purpose="judicial_case",
        client_ip="127.0.0.1",
        **extra,
    )


def test_records_form_a_chain_from_the_genesis_hash(mou, agency_staff):
    first, second = disclose(mou, agency_staff), disclose(mou, agency_staff)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.record_hash
    assert verify_chain() == (2, None)


def test_n_disclosures_make_exactly_n_records(mou, agency_staff):
    for _ in range(7):
        disclose(mou, agency_staff)
    assert DisclosureRecord.objects.count() == 7
    assert verify_chain() == (7, None)


def test_the_application_refuses_to_update_or_delete_a_record(mou, agency_staff):
    record = disclose(mou, agency_staff)
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        DisclosureRecord.objects.filter(pk=record.pk).update(purpose="x")
    with pytest.raises(PermissionError):
        DisclosureRecord.objects.all().delete()


def test_verify_disclosures_names_a_record_edited_in_the_database(mou, agency_staff):
    records = [disclose(mou, agency_staff) for _ in range(4)]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inquiries_disclosurerecord SET purpose = 'curiosity' WHERE id = %s",
            [records[2].pk],
        )
    chain_break = verify_chain()[1]
    assert chain_break is not None and chain_break.record_id == records[2].pk
    with pytest.raises(CommandError, match=f"record {records[2].pk}"):
        call_command("verify_disclosures")


def test_verify_disclosures_names_the_record_after_a_deleted_one(mou, agency_staff):
    records = [disclose(mou, agency_staff) for _ in range(4)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM inquiries_disclosurerecord WHERE id = %s", [records[1].pk])
    chain_break = verify_chain()[1]
    assert chain_break is not None and chain_break.record_id == records[2].pk


def test_verify_disclosures_notices_the_newest_record_deleted(mou, agency_staff):
    records = [disclose(mou, agency_staff) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM inquiries_disclosurerecord WHERE id = %s", [records[-1].pk])
    checked, chain_break = verify_chain()
    assert checked == 2
    assert chain_break is not None and "missing" in chain_break.problem


def test_verify_disclosures_reports_an_intact_log(mou, agency_staff, capsys):
    disclose(mou, agency_staff)
    call_command("verify_disclosures")
    assert "intact: 1 records checked" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_disclosures_still_form_one_chain(committee_reviewer, agency_staff):
    mou = MouFactory.create(recorded_by=committee_reviewer)
    errors: list[BaseException] = []

    def write_some() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    disclose(mou, agency_staff)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write_some) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert verify_chain() == (60, None)
