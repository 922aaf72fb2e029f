"""What a run did (or a dry run would do), for the command's reports."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from accounts.models import User
from agencies.models import Agency, Membership, Mou
from isinsured.legacy_file import LegacyFile
from isinsured.models import MigrationRow, MigrationRun, Outcome, RowState, RunState


@dataclass
class RunReport:
    run: MigrationRun
    rows_valid: int = 0
    rows_done: int = 0
    agencies: Counter[str] = field(default_factory=Counter)
    mous: Counter[str] = field(default_factory=Counter)
    users: Counter[str] = field(default_factory=Counter)
    memberships: Counter[str] = field(default_factory=Counter)
    invitations: int = 0
    # (row, reason): rows that failed validation, then rows skipped when applied.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    chunks_total: int = 0
    chunks_applied: int = 0

    @property
    def finished(self) -> bool:
        return self.run.state == RunState.DONE


def rows_done(run: MigrationRun) -> int:
    return run.rows.filter(state__in=[RowState.APPLIED, RowState.SKIPPED]).count()


def run_report(run: MigrationRun) -> RunReport:
    run.refresh_from_db()
    report = RunReport(run=run)
    report.rows_valid = run.rows.exclude(state=RowState.INVALID).count()
    report.rows_done = rows_done(run)
    report.chunks_total = run.chunks.count()
    report.chunks_applied = run.chunks.exclude(applied_at=None).count()
    for organization in run.organizations.all():
        if organization.problem:
            report.agencies["problem"] += 1
            continue
        if organization.agency_outcome:
            report.agencies[organization.agency_outcome] += 1
        if organization.mou_outcome:
            report.mous[organization.mou_outcome] += 1
    applied = run.rows.filter(state=RowState.APPLIED)
    report.users = Counter(dict(_counts(applied, "user_outcome")))
    report.memberships = Counter(dict(_counts(applied, "membership_outcome")))
    report.invitations = applied.filter(invited=True).count()
    for row in run.rows.filter(state__in=[RowState.INVALID, RowState.SKIPPED]).order_by(
        "row_number"
    ):
        if row.state == RowState.INVALID:
            reason = "; ".join(f"{column}: {message}" for column, message in row.problems)
        else:
            reason = row.skip_reason
        report.skipped.append((row.row_number, reason))
    return report


def _counts(rows: QuerySet[MigrationRow], field_name: str) -> list[tuple[str, int]]:

    return [
        (value, count)
        for value, count in rows.values_list(field_name).annotate(count=Count("pk")).order_by()
    ]


@dataclass
class Preview:
    """What a run of this file would do, read from the database without writing."""

    agencies: Counter[str] = field(default_factory=Counter)
    mous: Counter[str] = field(default_factory=Counter)
    users: Counter[str] = field(default_factory=Counter)
    memberships: Counter[str] = field(default_factory=Counter)
    invitations: int = 0
    inactive: int = 0
    wraps: int = 0


def preview(legacy_file: LegacyFile) -> Preview:
    result = Preview()
    agency_by_org: dict[str, int | None] = {}
    for code, organization in legacy_file.organizations.items():
        agency = None
        if organization.legal_id:
            agency = Agency.objects.filter(legal_id=organization.legal_id).first()
        agency = agency or Agency.objects.filter(legacy_code=code).first()
        if agency is None and not organization.legal_id:
            result.agencies["problem"] += 1
        else:
            result.agencies[Outcome.MATCHED if agency else Outcome.CREATED] += 1
        agency_by_org[code] = agency.pk if agency else None
        mou_exists = Mou.objects.filter(number=organization.mou_number).exists()
        result.mous[Outcome.MATCHED if mou_exists else Outcome.CREATED] += 1
    codes = [user.national_code for user in legacy_file.users]
    existing = {
        user.national_code: user
        for user in User.objects.filter(national_code__in=codes).select_related("legacy_account")
    }
    memberships = set(
        Membership.objects.filter(user__national_code__in=codes).values_list(
            "user__national_code", "agency_id"
        )
    )
    for user in legacy_file.users:
        account = existing.get(user.national_code)
        if account is None:
            result.users[Outcome.CREATED] += 1
        elif getattr(account, "legacy_account", None) is not None:
            result.users[Outcome.UNCHANGED] += 1
        else:
            result.users[Outcome.MATCHED] += 1
        agency_id = agency_by_org.get(user.organization_code)
        new_membership = agency_id is None or (user.national_code, agency_id) not in memberships
        result.memberships[Outcome.CREATED if new_membership else Outcome.UNCHANGED] += 1
        if not user.is_active:
            result.inactive += 1
        elif account is None and user.hash_kind:
            result.wraps += 1
        if user.is_active and new_membership:
            can_sign_in = bool(user.hash_kind) if account is None else account.has_usable_password()
            result.invitations += not can_sign_in
    return result
