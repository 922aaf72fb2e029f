"""An agency has at most one MoU in force or suspended, and at most one application open.

Before the constraints: where an agency already has several open MoUs, each newer one supersedes
the one before it (the older ones stop granting access, with an event saying so). Several open
applications for one legal ID cannot be merged without the committee: the migration stops and
names them, to be decided (all but one) first.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


OPEN_MOU = ("active", "suspended")
OPEN_REQUEST = ("submitted", "in_review", "returned", "resubmitted")


def supersede_parallel_mous(apps, schema_editor):
    Mou = apps.get_model("agencies", "Mou")
    MouEvent = apps.get_model("agencies", "MouEvent")
    agencies = (
        Mou.objects.filter(status__in=OPEN_MOU)
        .values("agency")
        .annotate(open=models.Count("pk"))
        .filter(open__gt=1)
        .values_list("agency", flat=True)
    )
    for agency_id in agencies:
        mous = list(
            Mou.objects.filter(agency_id=agency_id, status__in=OPEN_MOU).order_by(
                "valid_from", "recorded_at", "pk"
            )
        )
        for older, newer in zip(mous, mous[1:], strict=False):
            older.status = "superseded"
            older.save(update_fields=["status"])
            newer.supersedes = older
            newer.save(update_fields=["supersedes"])
            MouEvent.objects.create(
                mou=older,
                action="superseded",
                actor_id=newer.recorded_by_id,
                reasons=f"Superseded by MoU {newer.number} (two MoUs were in force at once).",
            )


def refuse_parallel_applications(apps, schema_editor):
    AccessRequest = apps.get_model("agencies", "AccessRequest")
    duplicated = list(
        AccessRequest.objects.filter(status__in=OPEN_REQUEST)
        .values("legal_id")
        .annotate(open=models.Count("pk"))
        .filter(open__gt=1)
        .values_list("legal_id", flat=True)
    )
    if duplicated:
        raise RuntimeError(
            "Several open agency applications share a legal ID; the committee must decide all "
            f"but one of each before this migration: {', '.join(duplicated)}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0006_role_groups_view_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='mou',
            name='supersedes',
            field=models.OneToOneField(blank=True, help_text="The agency's earlier MoU, which stopped granting access when this one was recorded.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='agencies.mou', verbose_name='supersedes the MoU'),
        ),
        migrations.AlterField(
            model_name='mou',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('suspended', 'Suspended'), ('ended', 'Ended'), ('superseded', 'Superseded by a newer MoU')], default='active', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='mouevent',
            name='action',
            field=models.CharField(choices=[('recorded', 'Recorded'), ('suspended', 'Suspended'), ('reinstated', 'Reinstated'), ('ended', 'Ended'), ('superseded', 'Superseded by a newer MoU'), ('it_actioned', 'Actioned by IT')], max_length=20, verbose_name='action'),
        ),
        migrations.RunPython(supersede_parallel_mous, migrations.RunPython.noop),
        migrations.RunPython(refuse_parallel_applications, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('submitted', 'in_review', 'returned', 'resubmitted'))), fields=('legal_id',), name='access_request_one_open_per_legal_id', violation_error_message='An application for this legal-entity national ID is already open.'),
        ),
        migrations.AddConstraint(
            model_name='mou',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('active', 'suspended'))), fields=('agency',), name='mou_one_open_per_agency', violation_error_message='This agency already has an MoU in force or suspended; a new one must supersede it.'),
        ),
    ]
