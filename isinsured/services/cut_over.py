"""Switching isinsured off (and back on): refused while the latest run is incomplete."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from isinsured.models import MigrationRun, RetirementAction, RetirementEvent, RowState
from isinsured.services.migration import MigrationError
from isinsured.services.reports import _counts


def latest_run() -> MigrationRun | None:
    return MigrationRun.objects.order_by("-pk").first()


def isinsured_is_retired() -> bool:
    latest = RetirementEvent.objects.order_by("-pk").first()
    return latest is not None and latest.action == RetirementAction.RETIRED


def retirement_blockers() -> tuple[list[str], int]:
    """Why isinsured may not be switched off yet, and how many valid rows are not migrated."""
    run = latest_run()
    if run is None:
        return [_("No migration run has been recorded.")], 0
    not_migrated = run.rows.exclude(state__in=[RowState.INVALID, RowState.APPLIED])
    counts = dict(_counts(not_migrated, "state"))
    reasons = []
    if counts.get(RowState.PENDING):
        reasons.append(
            _("Run #%(run)d has %(count)d valid rows still waiting to be migrated.")
            % {"run": run.pk, "count": counts[RowState.PENDING]}
        )
    if counts.get(RowState.SKIPPED):
        reasons.append(
            _(
                "Run #%(run)d skipped %(count)d valid rows (see migrate_isinsured --status); "
                "correct them and run again."
            )
            % {"run": run.pk, "count": counts[RowState.SKIPPED]}
        )
    return reasons, sum(counts.values())


@transaction.atomic
def retire_isinsured(
    *, actor: User | None, os_user: str = "", force: bool = False, reason: str = ""
) -> RetirementEvent:
    """Switch isinsured off: from now on its paths and host answer 410 with the "moved" page.
    Refused while any valid row of the latest run is not migrated, unless forced with a reason."""
    _lock_cut_over()
    if isinsured_is_retired():
        raise MigrationError(_("isinsured is already switched off."))
    blockers, not_migrated = retirement_blockers()
    if blockers and not force:
        raise MigrationError(
            " ".join(blockers) + " " + _('Use --force --reason "..." to switch it off anyway.')
        )
    if force and not reason.strip():
        raise MigrationError(_("Forcing the cut-over needs a reason (--reason)."))
    return RetirementEvent.objects.create(
        action=RetirementAction.RETIRED,
        actor=actor,
        os_user=os_user[:150],
        reason=reason.strip(),
        forced=force and bool(blockers),
        run=latest_run(),
        unmigrated_rows=not_migrated,
    )


@transaction.atomic
def restore_isinsured(
    *, actor: User | None, os_user: str = "", reason: str = ""
) -> RetirementEvent:
    """Undo the cut-over: /isinsured/ paths answer as before (404 here)."""
    _lock_cut_over()
    if not isinsured_is_retired():
        raise MigrationError(_("isinsured is not switched off; there is nothing to undo."))
    return RetirementEvent.objects.create(
        action=RetirementAction.RESTORED,
        actor=actor,
        os_user=os_user[:150],
        reason=reason.strip(),
        run=latest_run(),
    )


def _lock_cut_over() -> None:
    # Two operators at once: the latest event's row lock lets one decide at a time.
    RetirementEvent.objects.select_for_update().order_by("-pk").first()


def cut_over_history() -> QuerySet[RetirementEvent]:
    return RetirementEvent.objects.select_related("actor", "run").order_by("-pk")
