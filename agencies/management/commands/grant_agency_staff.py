"""Grant a submitted staff list: memberships, accounts and invitations. Safe to run twice."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from agencies import services
from agencies.models import NameCheck, StaffList, StaffListStatus
from portal.validators import clean_national_code


class Command(BaseCommand):
    help = "Grant the staff list with this id: memberships, new accounts, invitations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("list_id", type=int, help="The staff list's id (see the admin).")
        parser.add_argument(
            "--operator",
            required=True,
            help="National code of the operator granting it (recorded as who granted).",
        )
        parser.add_argument(
            "--accept-name-differences",
            action="store_true",
            help="Grant even though some typed names differ from the registry's (checked "
            "with the agency).",
        )

    def handle(
        self,
        *args: Any,
        list_id: int,
        operator: str,
        accept_name_differences: bool = False,
        **options: Any,
    ) -> None:
        try:
            operator_user = User.objects.get(national_code=clean_national_code(operator))
        except Exception as error:
            raise CommandError(f"No operator account with national code {operator!r}.") from error
        try:
            staff_list = StaffList.objects.select_related("agency").get(pk=list_id)
        except StaffList.DoesNotExist:
            raise CommandError(f"There is no staff list {list_id}.") from None
        if staff_list.status == StaffListStatus.GRANTED:
            self.stdout.write(f"Staff list {list_id} was already granted; nothing to do.")
            return
        # Shown before anything is granted: a name unlike the registry's may be a typo, or a
        # list naming someone who does not work at the agency.
        differing = staff_list.rows.filter(name_check=NameCheck.DIFFERS).order_by("pk")
        if differing:
            self.stdout.write(self.style.WARNING("Names that differ from the registry:"))
            for row in differing:
                self.stdout.write(f"  {row.national_code}: {row.first_name} {row.last_name}")
            if not accept_name_differences:
                raise CommandError(
                    f"{len(differing)} names differ from the registry; nothing was granted. "
                    "Check them with the agency, then run again with "
                    "--accept-name-differences to grant anyway."
                )
        try:
            report = services.grant_staff_list(staff_list=staff_list, operator=operator_user)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Staff list {list_id} for {staff_list.agency} granted: "
                f"{len(report.created_accounts)} new accounts, "
                f"{len(report.existing_accounts)} existing accounts (asked to accept from "
                f"their own account), {len(report.already_members)} already members, "
                f"{report.invitations} invitations sent."
            )
        )
        for codes, problem in (
            (
                report.mobile_not_confirmed,
                "Not invited, no account made: the identity service says the typed mobile is "
                "not registered to these national codes",
            ),
            (
                report.identity_pending,
                "Pending: the identity service did not answer; asked again every 15 minutes",
            ),
            (
                report.mobile_in_use,
                "Not invited: another account holds the confirmed mobile; follow up by hand",
            ),
            (
                report.unreachable,
                "Cannot be reached by SMS, or the account is deactivated; follow up by hand",
            ),
        ):
            if codes:
                self.stdout.write(self.style.WARNING(f"{problem}: " + ", ".join(codes)))
