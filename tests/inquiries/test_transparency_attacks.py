"""Attacks on the disclosure log by someone with write access to the database (issue 12).

On main each of the first three left `verify_disclosures` reporting the log intact, and
`_base_manager` updated and deleted records (the hash-chain versions of these tests are in the
issue 12 report). Here the attacker first meets the triggers (PostgreSQL); the detection tests
then play someone who got past them (the tables' owner), and the audit must name the damage.
"""

import contextlib

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from inquiries import transparency
from inquiries.disclosures import record_disclosure
from inquiries.models import Checkpoint, DisclosureChannel, DisclosureRecord, LogLeaf, LogNode
from inquiries.notes import SignerKey
from tests.agencies.factories import MouFactory
from tests.transparency_log import fresh_log

LOG_TABLES = [
    "inquiries_disclosurerecord",
    "inquiries_logleaf",
    "inquiries_lognode",
    "inquiries_checkpoint",
]


@pytest.fixture
def mou(committee_reviewer):
    return MouFactory.create(recorded_by=committee_reviewer)


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path):
    return fresh_log(settings, tmp_path)


def disclose(mou, staff, national_code="0010000011"):
    return record_disclosure(
        national_code=national_code,
        staff_member=staff,
        mou=mou,
        channel=DisclosureChannel.DIRECT_INQUIRY,
        scopes=["coverage_flag"],
        record_found=True,
        purpose="judicial_case",
        client_ip="127.0.0.1",
    )


@contextlib.contextmanager
def past_the_triggers():
    """The attacker got past the triggers (on PostgreSQL only an owner or superuser can)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify_fails(*args) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("verify_disclosures", *args)
    return str(refused.value)


def cut_the_log_to(size: int) -> None:
    """Remove every trace of leaves from `size` on: leaves, nodes over them, checkpoints."""
    with past_the_triggers():
        for leaf in LogLeaf.objects.filter(index__gte=size).values_list("record_id", flat=True):
            sql("DELETE FROM inquiries_disclosurerecord WHERE id = %s", [leaf])
        sql('DELETE FROM inquiries_logleaf WHERE "index" >= %s', [size])
        for key in LogNode.objects.values_list("key", flat=True):
            level, index = key >> 56, key & ((1 << 56) - 1)
            if (index + 1) << level > size:
                sql("DELETE FROM inquiries_lognode WHERE key = %s", [key])
        sql("DELETE FROM inquiries_checkpoint WHERE tree_size > %s", [size])


def rehash_the_tree() -> None:
    """Rebuild every leaf and node from the records as they now are (no key: no checkpoint)."""
    with past_the_triggers():
        sql("DELETE FROM inquiries_logleaf")
        sql("DELETE FROM inquiries_lognode")
        transparency._seal_batch(up_to=10**9, batch_size=10**6)


def test_deleting_the_newest_sealed_disclosure_is_reported(mou, agency_staff):
    records = [disclose(mou, agency_staff) for _ in range(3)]
    transparency.seal()
    with past_the_triggers():
        sql("DELETE FROM inquiries_disclosurerecord WHERE id = %s", [records[-1].pk])
    message = verify_fails()
    assert f"disclosure record {records[-1].pk} (leaf 2) has been deleted" in message


def test_deleting_the_newest_disclosure_with_its_leaf_and_checkpoint_is_reported(mou, agency_staff):
    """The head row's successor: the attacker removes the record, its leaf, the nodes over it
    and the checkpoints that counted it. The archive outside the database still has them."""
    disclose(mou, agency_staff)
    disclose(mou, agency_staff)
    transparency.seal()
    disclose(mou, agency_staff)
    transparency.seal()
    cut_the_log_to(2)
    message = verify_fails()
    assert "covers 3 disclosures but the log has 2: sealed disclosures were removed" in message
    # An auditor's own copy catches it as well, without the archive.
    kept = transparency.Path(transparency.archive_path(Checkpoint(tree_size=3)))
    message = verify_fails("--no-archive", "--checkpoint", str(kept))
    assert f"checkpoint from {kept} covers 3 disclosures but the log has 2" in message


def test_editing_a_sealed_disclosure_is_reported(mou, agency_staff):
    records = [disclose(mou, agency_staff) for _ in range(4)]
    transparency.seal()
    with past_the_triggers():
        sql(
            "UPDATE inquiries_disclosurerecord SET purpose = 'curiosity' WHERE id = %s",
            [records[2].pk],
        )
    message = verify_fails()
    assert f"disclosure record {records[2].pk} (leaf 2) was changed after it was sealed" in message


def test_editing_a_disclosure_and_rehashing_the_tree_is_reported(mou, agency_staff):
    records = [disclose(mou, agency_staff) for _ in range(4)]
    transparency.seal()
    with past_the_triggers():
        sql(
            "UPDATE inquiries_disclosurerecord SET purpose = 'curiosity' WHERE id = %s",
            [records[1].pk],
        )
    rehash_the_tree()
    message = verify_fails("--no-archive")
    assert "was changed after it was sealed" not in message  # the leaves were rewritten too
    assert "stored checkpoint of size 4: the log is not an extension of it" in message


def test_rewriting_the_tree_and_every_stored_checkpoint_is_caught_by_a_kept_checkpoint(
    mou, agency_staff, tmp_path
):
    records = [disclose(mou, agency_staff) for _ in range(4)]
    transparency.seal()
    kept = tmp_path / "auditor-copy"
    kept.write_text(Checkpoint.objects.get().note, encoding="utf-8")
    with past_the_triggers():
        sql("DELETE FROM inquiries_disclosurerecord WHERE id = %s", [records[0].pk])
        sql("DELETE FROM inquiries_checkpoint")
    rehash_the_tree()
    message = verify_fails("--no-archive", "--checkpoint", str(kept))
    assert f"checkpoint from {kept} covers 4 disclosures but the log has 3" in message


def test_a_checkpoint_forged_with_another_key_is_reported(mou, agency_staff, log_key):
    disclose(mou, agency_staff)
    transparency.seal()
    forger = SignerKey(name=log_key.name, seed=b"\x07" * 32)
    note = Checkpoint.objects.get().note
    forged = forger.sign(note.rpartition("\n\n")[0] + "\n")
    with past_the_triggers():
        sql("UPDATE inquiries_checkpoint SET note = %s", [forged])
    message = verify_fails("--no-archive")
    assert "stored checkpoint of size 1: its signature does not verify" in message


def test_a_disclosure_slipped_in_with_an_old_id_is_reported(mou, agency_staff):
    """A record that appears below sealed ones was inserted with a chosen id after them (the
    sequencer never leaves one behind: it seals only ids no open transaction can undercut)."""
    first = disclose(mou, agency_staff)
    second = disclose(mou, agency_staff)
    third = disclose(mou, agency_staff)
    transparency.seal()
    with past_the_triggers():
        sql("DELETE FROM inquiries_disclosurerecord WHERE id = %s", [second.pk])
        sql("DELETE FROM inquiries_logleaf")
        sql("DELETE FROM inquiries_lognode")
        sql("DELETE FROM inquiries_checkpoint")
    transparency.seal()
    sql(
        "INSERT INTO inquiries_disclosurerecord (id, national_code, agency_id, staff_member_id,"
        " mou_id, channel, scopes, record_found, purpose, purpose_detail, case_reference,"
        " confidential, created_at, salt) SELECT %s, national_code, agency_id, staff_member_id,"
        " mou_id, channel, scopes, record_found, purpose, purpose_detail, case_reference,"
        " confidential, created_at, salt FROM inquiries_disclosurerecord WHERE id = %s",
        [second.pk, first.pk],
    )
    message = verify_fails("--no-archive")
    assert f"disclosure record {second.pk} is not in the log although later ones are" in message
    assert third.pk > second.pk


def test_the_base_manager_cannot_update_or_delete_a_record(mou, agency_staff):
    record = disclose(mou, agency_staff)
    with pytest.raises(PermissionError):
        DisclosureRecord._base_manager.filter(pk=record.pk).update(purpose="curiosity")
    with pytest.raises(PermissionError):
        DisclosureRecord._base_manager.filter(pk=record.pk).delete()
    with pytest.raises(PermissionError):
        LogLeaf._base_manager.all().delete()
    assert DisclosureRecord.objects.get().purpose == "judicial_case"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", LOG_TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET {column} = {column}",
        "DELETE FROM {table}",
        "TRUNCATE {table} CASCADE",
    ],
)
def test_postgresql_refuses_raw_updates_deletes_and_truncates_for_every_role(
    mou, agency_staff, table, statement
):
    disclose(mou, agency_staff)
    disclose(mou, agency_staff)
    transparency.seal()
    column = {"inquiries_lognode": "hash", "inquiries_logleaf": "hash"}.get(table, "id")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement.format(table=table, column=column))
    assert DisclosureRecord.objects.count() == 2
    assert transparency.audit().problems == []
