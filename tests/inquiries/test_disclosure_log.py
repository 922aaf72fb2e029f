import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from inquiries import transparency
from inquiries.disclosures import record_disclosure
from inquiries.models import Checkpoint, DisclosureChannel, DisclosureRecord, LogLeaf
from tests.agencies.factories import MouFactory
from tests.transparency_log import fresh_log, seal_and_audit


@pytest.fixture
def mou(committee_reviewer):
    return MouFactory.create(recorded_by=committee_reviewer)


@pytest.fixture
def log_key(settings, tmp_path):
    return fresh_log(settings, tmp_path)


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


def test_the_sequencer_seals_records_in_id_order_and_signs_a_checkpoint(mou, agency_staff, log_key):
    records = [disclose(mou, agency_staff) for _ in range(7)]
    result = transparency.seal()
    assert result.sealed == 7
    assert list(LogLeaf.objects.order_by("index").values_list("record_id", flat=True)) == [
        record.pk for record in records
    ]
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.tree_size == 7
    assert checkpoint.note.startswith(f"{log_key.name}\n7\n")
    assert transparency.audit().problems == []


def test_sealing_twice_seals_nothing_twice(mou, agency_staff, log_key):
    disclose(mou, agency_staff)
    assert transparency.seal().sealed == 1
    assert transparency.seal().sealed == 0
    assert Checkpoint.objects.count() == 1
    disclose(mou, agency_staff)
    assert transparency.seal().sealed == 1
    assert list(Checkpoint.objects.order_by("tree_size").values_list("tree_size", flat=True)) == [
        1,
        2,
    ]


def test_records_sealed_in_small_batches_make_the_same_tree(mou, agency_staff, log_key):
    for _ in range(13):
        disclose(mou, agency_staff)
    transparency.seal(batch_size=3)
    audit = transparency.audit()
    assert (audit.problems, audit.leaves, audit.checkpoints) == ([], 13, 1)


def test_each_checkpoint_is_archived_in_a_file_of_its_own(mou, agency_staff, log_key, settings):
    disclose(mou, agency_staff)
    transparency.seal()
    disclose(mou, agency_staff)
    transparency.seal()
    archived = sorted(
        p.name for p in transparency.Path(settings.TRANSPARENCY_ARCHIVE_DIR).iterdir()
    )
    assert archived == ["checkpoint-000000000001", "checkpoint-000000000002"]


def test_without_a_signing_key_nothing_is_sealed(mou, agency_staff, settings, tmp_path):
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    disclose(mou, agency_staff)
    with pytest.raises(transparency.ImproperlyConfigured, match="transparency_keygen"):
        transparency.seal()
    assert not LogLeaf.objects.exists()


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


def test_verify_disclosures_reports_an_intact_log(mou, agency_staff, log_key, capsys):
    disclose(mou, agency_staff)
    transparency.seal()
    disclose(mou, agency_staff)
    call_command("verify_disclosures")
    out = capsys.readouterr().out
    assert "intact: 2 records, 1 sealed (1 awaiting the sequencer), 1 checkpoints" in out
    assert "consistent with 1 checkpoints kept outside" in out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_disclosures_are_all_sealed_once(
    committee_reviewer, agency_staff, settings, tmp_path
):
    """Six writers and a sequencer running at once: every committed record gets one leaf."""
    fresh_log(settings, tmp_path)
    mou = MouFactory.create(recorded_by=committee_reviewer)
    errors: list[BaseException] = []
    done = threading.Event()

    def write_some() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    disclose(mou, agency_staff)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def seal_meanwhile() -> None:
        try:
            while not done.is_set():
                transparency.seal()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    sequencer = threading.Thread(target=seal_meanwhile)
    sequencer.start()
    threads = [threading.Thread(target=write_some) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    sequencer.join()
    assert errors == []
    audit = seal_and_audit()
    assert (audit.problems, audit.records, audit.leaves, audit.awaiting) == ([], 60, 60, 0)
    assert list(LogLeaf.objects.order_by("index").values_list("record_id", flat=True)) == list(
        DisclosureRecord.objects.order_by("pk").values_list("pk", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_holds_the_writers_lock_from_its_record_until_it_commits(
    committee_reviewer, agency_staff
):
    """The sequencer's exclusive lock waits for every writer whose record is not committed:
    so no id below the sealed ones can still appear."""
    from inquiries.disclosures import WRITERS_LOCK

    mou = MouFactory.create(recorded_by=committee_reviewer)
    written, release = threading.Event(), threading.Event()

    def write_and_wait() -> None:
        try:
            with transaction.atomic():
                disclose(mou, agency_staff)
                written.set()
                release.wait(10)
        finally:
            connection.close()

    def sequencer_may_lock() -> bool:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [WRITERS_LOCK])
            return cursor.fetchone()[0]

    writer = threading.Thread(target=write_and_wait)
    writer.start()
    try:
        assert written.wait(10)
        assert not sequencer_may_lock()
    finally:
        release.set()
        writer.join()
    assert sequencer_may_lock()
