"""Starting a migration of isinsured's agencies, MoUs and users into the portal.

A run goes: `start_run` (the command: the validated rows into the database, one transaction)
-> `apply_organizations` -> `apply_chunk`, the tasks in `isinsured.chunks`, which say how each
step is safe to run twice. Matching is by natural keys (legal ID, organization code, MoU number,
national code, legacy user id), so another run over the same people changes nothing.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from isinsured import chunks
from isinsured.legacy_file import LegacyFile
from isinsured.models import (
    MigrationChunk,
    MigrationOrganization,
    MigrationRow,
    MigrationRun,
    RowState,
)
from isinsured.sealing import seal


class MigrationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Starting a run ----------------------------------------------------------------------------


@transaction.atomic
def start_run(
    *,
    legacy_file: LegacyFile,
    file_name: str,
    operator: User,
    os_user: str = "",
    chunk_size: int,
) -> MigrationRun:
    """Record a run with its validated rows and chunks. Side effect after commit: the
    organizations task is enqueued, which enqueues the chunks."""
    if not operator.is_operator:
        raise MigrationError(_("Only an operator may migrate isinsured users."))
    if chunk_size < 1:
        raise MigrationError(_("The chunk size must be at least 1."))
    run = MigrationRun.objects.create(
        file_name=file_name[:255],
        checksum=legacy_file.checksum,
        started_by=operator,
        started_by_os_user=os_user[:150],
        rows_total=legacy_file.rows_total,
        rows_invalid=len(legacy_file.invalid_rows),
        chunk_size=chunk_size,
    )
    MigrationOrganization.objects.bulk_create(
        MigrationOrganization(
            run=run,
            code=organization.code,
            name=organization.name,
            kind=organization.kind,
            legal_id=organization.legal_id,
            mou_number=organization.mou_number,
            mou_date=organization.mou_date,
        )
        for organization in legacy_file.organizations.values()
    )
    users = legacy_file.users
    chunks = MigrationChunk.objects.bulk_create(
        MigrationChunk(run=run, number=number)
        for number in range(1, (len(users) + chunk_size - 1) // chunk_size + 1)
    )
    rows = [
        MigrationRow(
            run=run,
            chunk=chunks[index // chunk_size],
            row_number=user.row_number,
            legacy_user_id=user.legacy_user_id,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            national_code=user.national_code,
            mobile=user.mobile,
            email=user.email,
            organization_code=user.organization_code,
            hash_kind=user.hash_kind,
            sealed_hash=seal(user.legacy_hash),
            is_active=user.is_active,
            last_login=user.last_login,
            note=user.note,
        )
        for index, user in enumerate(users)
    ]
    problems_by_row: dict[int, list[list[str]]] = {}
    for problem in legacy_file.problems:
        problems_by_row.setdefault(problem.row, []).append([problem.column, problem.message])
    rows += [
        MigrationRow(run=run, row_number=row, state=RowState.INVALID, problems=problems)
        for row, problems in problems_by_row.items()
    ]
    MigrationRow.objects.bulk_create(rows, batch_size=1000)
    _enqueue_organizations(run.pk)
    return run


def resume_run(*, run: MigrationRun) -> None:
    """Enqueue what is left of an unfinished run (its tasks were lost, or workers were down)."""
    _enqueue_organizations(run.pk)


def _enqueue_organizations(run_id: int) -> None:
    transaction.on_commit(lambda: chunks.apply_organizations.delay(run_id))
