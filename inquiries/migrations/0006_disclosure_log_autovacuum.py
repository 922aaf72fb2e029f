"""Autovacuum for the disclosure log at the organization's size (PostgreSQL only).

The log only grows (migration 0005), so the defaults would wait for 20% more rows before an
insert-driven vacuum (PostgreSQL 13+) or an analyze: at hundreds of millions of records that is
one enormous freeze pass now and then, stale visibility maps (index scans that visit the heap)
and stale statistics for the newest days, which are the ones people ask about. Instead: vacuum
and analyze after every million new records, whatever the table's size. See docs/operations.md.
"""

from django.db import migrations

TABLES = ["inquiries_disclosurerecord", "inquiries_logleaf"]
SETTINGS = {
    "autovacuum_vacuum_insert_scale_factor": "0",
    "autovacuum_vacuum_insert_threshold": "1000000",
    "autovacuum_analyze_scale_factor": "0",
    "autovacuum_analyze_threshold": "1000000",
}


def apply(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    options = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET ({options})")


def revert(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0005_append_only_triggers")]

    operations = [migrations.RunPython(apply, revert)]
