"""`manage.py retire_isinsured [--force --reason "..."] [--undo]`: the cut-over."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import User
from isinsured import services
from isinsured.management.commands.migrate_isinsured import _os_user


class Command(BaseCommand):
    help = (
        "Switch isinsured off: every request under /isinsured/ (and on ISINSURED_LEGACY_HOSTS) "
        "gets the 'service moved' page with HTTP 410. Refused while any valid row of the latest "
        "migration run is not migrated, unless --force with --reason. --undo switches it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Switch off despite unmigrated rows."
        )
        parser.add_argument("--reason", default="", help="Why (required with --force).")
        parser.add_argument("--undo", action="store_true", help="Reverse the cut-over.")
        parser.add_argument("--operator", metavar="NATIONAL_CODE", help="Recorded as who did it.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["operator"]:
            actor = User.objects.filter(national_code=options["operator"]).first()
            if actor is None:
                raise CommandError(
                    _("No account has the national code %(code)s.") % {"code": options["operator"]}
                )
        try:
            if options["undo"]:
                if options["force"]:
                    raise CommandError(_("--undo and --force do not go together."))
                event = services.restore_isinsured(
                    actor=actor, os_user=_os_user(), reason=options["reason"]
                )
                self.stdout.write(
                    _(
                        "isinsured is switched back on (event #%(event)d); /isinsured/ paths "
                        "answer as before."
                    )
                    % {"event": event.pk}
                )
                return
            event = services.retire_isinsured(
                actor=actor, os_user=_os_user(), force=options["force"], reason=options["reason"]
            )
        except services.MigrationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            _("isinsured is switched off (event #%(event)d)%(forced)s: /isinsured/ answers 410.")
            % {
                "event": event.pk,
                "forced": _(", forced with %(count)d rows not migrated")
                % {"count": event.unmigrated_rows}
                if event.forced
                else "",
            }
        )
