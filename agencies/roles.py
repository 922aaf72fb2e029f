"""What each staff role may read of the agencies' history, as Django view permissions on its
role group.

The admin shows a read-only inline (decisions, request events, MoU events, invitations, staff
list rows) only to someone with that model's view permission; without these grants a committee
reviewer opening a returned request saw no decisions and no reasons. The data migration
`0006_role_groups_view_history` grants them on existing databases; `grant_history_views` runs
again after every `migrate` (and after a test database is flushed), so a group re-made by
`assign_role` gets them too.
"""

from typing import Any

from django.apps import apps as global_apps

from accounts.roles import Role

HISTORY_VIEWS: dict[Role, tuple[str, ...]] = {
    Role.COMMITTEE_REVIEWER: ("decision", "requestevent", "mouevent"),
    Role.OPERATOR: ("mouevent", "invitation", "stafflistrow"),
}


def grant_history_views(apps: Any = global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models in HISTORY_VIEWS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        permissions = Permission.objects.filter(
            content_type__app_label="agencies",
            codename__in=[f"view_{model}" for model in models],
        )
        group.permissions.add(*permissions)


def grant_after_migrate(sender: Any, **kwargs: Any) -> None:
    grant_history_views(kwargs.get("apps") or global_apps)
