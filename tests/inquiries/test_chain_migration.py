"""Migration 0004: the old hash chain's records become the first leaves of the transparency
log; a chain that was already broken stops the migration instead of being sealed as genuine."""

import datetime
import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inquiries import transparency
from inquiries.models import DisclosureRecord, LogLeaf
from tests.agencies.factories import MouFactory
from tests.transparency_log import fresh_log

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("inquiries", "0003_person_indexes_from_natural_keys")]
LATEST = None  # every app's latest migration, so later tests find the schema whole


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def chain_hash(row: dict, previous: str) -> str:
    """Issue 4's record hash, written out again here."""
    content = {**row, "previous_hash": previous}
    content["created_at"] = row["created_at"].astimezone(datetime.UTC).isoformat()
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_chain(mou, staff, count: int) -> list[int]:
    previous, ids = "0" * 64, []
    with connection.cursor() as cursor:
        for n in range(count):
            row = {
                "national_code": "0010000011",
                "agency": mou.agency_id,
                "staff_member": staff.pk,
                "mou": mou.pk,
                "channel": "direct_inquiry",
                "scopes": ["coverage_flag"],
                "record_found": True,
                "purpose": "judicial_case",
                "purpose_detail": "",
                "case_reference": f"C-{n}",
                "confidential": False,
                "client_ip": "127.0.0.1",
                "created_at": datetime.datetime(2026, 11, 1, 8, n, tzinfo=datetime.UTC),
            }
            record_hash = chain_hash(row, previous)
            cursor.execute(
                "INSERT INTO inquiries_disclosurerecord (national_code, agency_id,"
                " staff_member_id, mou_id, channel, scopes, record_found, purpose, purpose_detail,"
                " case_reference, confidential, client_ip, created_at, previous_hash, record_hash)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    row["national_code"],
                    mou.agency_id,
                    staff.pk,
                    mou.pk,
                    row["channel"],
                    json.dumps(row["scopes"]),
                    True,
                    row["purpose"],
                    "",
                    row["case_reference"],
                    False,
                    row["client_ip"],
                    row["created_at"],
                    previous,
                    record_hash,
                ],
            )
            previous = record_hash
            cursor.execute("SELECT max(id) FROM inquiries_disclosurerecord")
            ids.append(cursor.fetchone()[0])
        cursor.execute(
            "INSERT INTO inquiries_disclosurechainhead (id, last_hash) VALUES (1, %s)", [previous]
        )
    return ids


@pytest.fixture
def before_the_log(committee_reviewer, agency_staff):
    mou = MouFactory.create(recorded_by=committee_reviewer)
    migrate(BEFORE)
    yield mou
    migrate(LATEST)


def test_the_old_chain_becomes_the_first_leaves_in_id_order(
    before_the_log, agency_staff, settings, tmp_path
):
    ids = write_chain(before_the_log, agency_staff, 5)
    migrate(LATEST)
    fresh_log(settings, tmp_path)
    assert transparency.seal().sealed == 5
    assert list(LogLeaf.objects.order_by("index").values_list("record_id", flat=True)) == ids
    salts = set(DisclosureRecord.objects.values_list("salt", flat=True))
    assert len(salts) == 5 and "" not in salts  # each its own
    assert transparency.audit().problems == []


def test_a_broken_chain_stops_the_migration_and_names_the_break(
    before_the_log, agency_staff, monkeypatch
):
    ids = write_chain(before_the_log, agency_staff, 4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inquiries_disclosurerecord SET purpose = 'curiosity' WHERE id = %s", [ids[2]]
        )
    with pytest.raises(RuntimeError, match=f"broken at record {ids[2]}"):
        migrate(LATEST)
    monkeypatch.setenv("DISCLOSURE_CHAIN_BREAK_ACCEPTED", str(ids[2]))
    migrate(LATEST)
    assert DisclosureRecord.objects.count() == 4
