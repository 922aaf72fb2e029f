from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsinsuredConfig(AppConfig):
    """The old isinsured site: migrating its agencies and users, then switching it off."""

    name = "isinsured"
    verbose_name = _("isinsured migration")

    def ready(self) -> None:
        from isinsured import checks  # noqa: F401
