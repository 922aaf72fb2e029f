"""Migrating isinsured's agencies, MoUs and users into the portal, and switching isinsured off.

`migration`: starting and resuming a run (its tasks' work is in `isinsured.chunks`);
`reports`: what a run did or would do; `cut_over`: switching isinsured off and back on.
"""

from isinsured.chunks import (
    INACTIVE_ON_ISINSURED,
    LEGACY_MOU_SCOPES,
    apply_chunk,
    apply_organizations,
    wrap_legacy_hash,
)
from isinsured.services.cut_over import (
    cut_over_history,
    isinsured_is_retired,
    latest_run,
    restore_isinsured,
    retire_isinsured,
    retirement_blockers,
)
from isinsured.services.migration import MigrationError, resume_run, start_run
from isinsured.services.reports import Preview, RunReport, preview, rows_done, run_report

__all__ = [
    "INACTIVE_ON_ISINSURED",
    "LEGACY_MOU_SCOPES",
    "MigrationError",
    "Preview",
    "RunReport",
    "apply_chunk",
    "apply_organizations",
    "cut_over_history",
    "isinsured_is_retired",
    "latest_run",
    "preview",
    "restore_isinsured",
    "resume_run",
    "retire_isinsured",
    "retirement_blockers",
    "rows_done",
    "run_report",
    "start_run",
    "wrap_legacy_hash",
]
