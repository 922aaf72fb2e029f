"""Fill the database with synthetic demo data, the same on every run.

Each app of the project contributes its own part in a `demo` module with a function
`seed(*, stdout) -> None`; this command finds those modules, the way the admin finds
`admin` modules, so that `portal` never imports the apps that come after it. The parts run in
`INSTALLED_APPS` order (accounts before agencies before inquiries before documents), all in one
transaction: a failure leaves the database as it was and prints no credentials.
"""

import io
from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction
from django.utils.module_loading import module_has_submodule

DEMO_MODULE = "demo"


def demo_modules() -> list[ModuleType]:
    """The `demo` modules of the project's own apps, in INSTALLED_APPS order.

    Third-party apps are skipped: a package of theirs that happens to be called `demo` is not
    ours to run.
    """
    base_dir = Path(settings.BASE_DIR).resolve()
    modules = []
    for app_config in apps.get_app_configs():
        if not Path(app_config.path).resolve().is_relative_to(base_dir):
            continue
        if module_has_submodule(app_config.module, DEMO_MODULE):
            module = import_module(f"{app_config.name}.{DEMO_MODULE}")
            if not callable(getattr(module, "seed", None)):
                raise CommandError(f"{module.__name__} has no seed(*, stdout) function.")
            modules.append(module)
    return modules


class Command(BaseCommand):
    help = (
        "Create synthetic demo data (one user of each role, and whatever later apps add). "
        "Safe to run again: it changes nothing that is already in place and prints the same "
        "credentials."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--not-production",
            action="store_true",
            help=(
                "Run even though DEBUG is off. The demo users have published passwords and "
                "TOTP secrets: use this only on a demo or test server, never in production."
            ),
        )

    def handle(self, *args, **options) -> None:
        if not (settings.DEBUG or getattr(settings, "TESTING", False) or options["not_production"]):
            raise CommandError(
                "DEBUG is off, so this may be a production server. The demo accounts have "
                "published passwords; run with --not-production only on a demo or test server."
            )
        # Parts write into a buffer, printed only once the transaction has committed, so that
        # a failed run never shows credentials that do not exist.
        buffer = io.StringIO()
        out = OutputWrapper(buffer)
        with transaction.atomic():
            for module in demo_modules():
                app_label = module.__name__.rpartition(".")[0]
                out.write(self.style.MIGRATE_HEADING(f"Demo data: {app_label}"))
                module.seed(stdout=out)
        self.stdout.write(buffer.getvalue(), ending="")
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
