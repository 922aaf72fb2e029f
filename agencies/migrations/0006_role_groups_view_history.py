"""Committee reviewers and operators may read the history inlines (decisions, request and MoU
events, invitations, staff list rows): view permissions on their role groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HISTORY_VIEWS = {
    "committee_reviewer": ("decision", "requestevent", "mouevent"),
    "operator": ("mouevent", "invitation", "stafflistrow"),
}


def grant_history_views(apps, schema_editor):
    # Permissions are normally made after all migrations; make agencies' now to grant them.
    app_config = apps.get_app_config("agencies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models in HISTORY_VIEWS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="agencies",
                codename__in=[f"view_{model}" for model in models],
            )
        )


def withdraw_history_views(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, models in HISTORY_VIEWS.items():
        for group in Group.objects.filter(name=role):
            group.permissions.remove(
                *group.permissions.filter(
                    content_type__app_label="agencies",
                    codename__in=[f"view_{model}" for model in models],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0005_staff_rows_identity_and_acceptance"),
        ("accounts", "0002_create_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_history_views, withdraw_history_views)]
