"""Every lookup updated nine indexes of the disclosure log; three repeated the first column of
`disclosure_person_time` or `disclosure_agency_time`. Only the indexes are dropped: Django's own
AlterField would also drop and re-add the agency's foreign key, validating every record again."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "inquiries_disclosurerecord"
INDEXES = {
    "inquiries_disclosurerecord_agency_id_3a1b01ed": "(agency_id)",
    "inquiries_disclosurerecord_national_code_ad280fec": "(national_code)",
    "inquiries_disclosurerecord_national_code_ad280fec_like": "(national_code varchar_pattern_ops)",
}


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    for name, columns in INDEXES.items():
        if "pattern_ops" in columns and schema_editor.connection.vendor != "postgresql":
            continue
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {TABLE} {columns}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0009_api_client_certificates"),
        ("inquiries", "0007_disclosure_api_channel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="disclosurerecord",
                    name="agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agencies.agency",
                        verbose_name="agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="disclosurerecord",
                    name="national_code",
                    field=models.CharField(max_length=10, verbose_name="national code"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        )
    ]
