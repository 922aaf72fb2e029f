from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from agencies.roles import grant_after_migrate


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies")

    def ready(self) -> None:
        # After auth's own handler has made the permissions (auth is installed before us).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="agencies_roles")
