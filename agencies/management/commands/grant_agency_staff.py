"""Grant a submitted staff list: memberships, accounts and invitations. Safe to run twice."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from agencies import services
from agencies.models import StaffList, StaffListStatus
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

    def handle(self, *args: Any, list_id: int, operator: str, **options: Any) -> None:
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
        try:
            report = services.grant_staff_list(staff_list=staff_list, operator=operator_user)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Staff list {list_id} for {staff_list.agency} granted: "
                f"{len(report.created_accounts)} new accounts, "
                f"{len(report.existing_accounts)} existing accounts, "
                f"{len(report.already_members)} already members, "
                f"{report.invitations} invitations sent."
            )
        )
        if report.unreachable:
            self.stdout.write(
                self.style.WARNING(
                    "Cannot be reached by SMS or email, or the account is deactivated; "
                    "follow up by hand: " + ", ".join(report.unreachable)
                )
            )
