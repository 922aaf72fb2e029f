"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the disclosure log for every role.

Triggers fire for the table's owner and superusers too; only someone who may drop the trigger
(the owner) can get past it, and docs/operations.md runs the application under a role that owns
nothing there. SQLite keeps the application's guard (the models' querysets).
"""

from django.db import migrations

TABLES = [
    "inquiries_disclosurerecord",
    "inquiries_logleaf",
    "inquiries_lognode",
    "inquiries_checkpoint",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION inquiries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the disclosure log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION inquiries_refuse_change()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION inquiries_refuse_change()"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS inquiries_refuse_change()")


class Migration(migrations.Migration):

    dependencies = [
        ("inquiries", "0004_transparency_log"),
    ]

    operations = [migrations.RunPython(install, remove)]
