"""A migration run of an isinsured export, its organizations, rows and chunks; the cut-over.

The command validates the file, then stores the run with every row (the workers read rows from
the database, never the file) and one chunk per N rows. Each chunk is applied by one Celery
task in one transaction, claimed by a conditional update of `MigrationChunk.applied_at`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Done")


class MigrationRun(models.Model):
    """One `migrate_isinsured FILE` (not a dry run): who, when, which file, how it went."""

    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator"),
    )
    started_by_os_user = models.CharField(_("system user"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_invalid = models.PositiveIntegerField(_("rows that failed validation"), default=0)
    chunk_size = models.PositiveIntegerField(_("rows per chunk"))
    organizations_applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("isinsured migration run")
        verbose_name_plural = _("isinsured migration runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"


class Outcome(models.TextChoices):
    CREATED = "created", _("created")
    MATCHED = "matched", _("matched (existing, left as it was)")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged (migrated earlier)")
    REACTIVATED = "reactivated", _("reactivated")
    DEACTIVATED = "deactivated", _("deactivated")


class MigrationOrganization(models.Model):
    """One legacy organization of a run, as the file gives it, and the agency and MoU it became."""

    run = models.ForeignKey(MigrationRun, on_delete=models.CASCADE, related_name="organizations")
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)  # the agency kind (legacy "other" is "public_body")
    legal_id = models.CharField(max_length=11, blank=True)
    mou_number = models.CharField(max_length=50)
    mou_date = models.DateField()
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    mou = models.ForeignKey(
        "agencies.Mou", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mou_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    # Why its rows cannot be migrated (a clash with what the portal holds); empty if they can.
    problem = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "code"], name="isinsured_org_unique_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MigrationChunk(models.Model):
    run = models.ForeignKey(MigrationRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    # Set, in the transaction that applies the chunk, by the worker that claims it.
    applied_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Committed before the work starts: how often a worker took this chunk up.
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="isinsured_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"run #{self.run_id} chunk {self.number}"


class RowState(models.TextChoices):
    INVALID = "invalid", _("failed validation")
    PENDING = "pending", _("waiting")
    APPLIED = "applied", _("migrated")
    SKIPPED = "skipped", _("skipped")


class HashKind(models.TextChoices):
    NONE = "", _("none")
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"


class MigrationRow(models.Model):
    """One row of the file, validated. A bad row keeps only its number and problems.

    The legacy password hash waits here sealed (encrypted with a key derived from SECRET_KEY,
    `isinsured.sealing`) and is erased in the transaction that migrates the row: the database
    never holds a bare MD5 or SHA-1 hash.
    """

    run = models.ForeignKey(MigrationRun, on_delete=models.CASCADE, related_name="rows")
    chunk = models.ForeignKey(
        MigrationChunk, on_delete=models.CASCADE, null=True, blank=True, related_name="rows"
    )
    row_number = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=RowState.choices, default=RowState.PENDING)
    problems = models.JSONField(default=list, blank=True)  # [[column, message], ...]
    legacy_user_id = models.CharField(max_length=50, blank=True)
    username = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    national_code = models.CharField(max_length=10, blank=True)
    mobile = models.CharField(max_length=13, blank=True)
    email = models.EmailField(blank=True)
    organization_code = models.CharField(max_length=50, blank=True)
    hash_kind = models.CharField(max_length=4, choices=HashKind.choices, blank=True)
    sealed_hash = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    last_login = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    # What applying it did.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    membership = models.ForeignKey(
        "agencies.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    membership_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    invited = models.BooleanField(default=False)
    skip_reason = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "row_number"], name="isinsured_row_unique")
        ]

    def __str__(self) -> str:
        return f"run #{self.run_id} row {self.row_number}"


class RetirementAction(models.TextChoices):
    RETIRED = "retired", _("Switched off")
    RESTORED = "restored", _("Switched back on (undo)")


class RetirementEvent(models.Model):
    """The cut-over and its undo, append-only. The latest event says whether isinsured is off."""

    action = models.CharField(_("action"), max_length=10, choices=RetirementAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    os_user = models.CharField(_("system user"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    forced = models.BooleanField(_("forced"), default=False)
    run = models.ForeignKey(
        MigrationRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest migration run"),
    )
    # What was not migrated when it was forced, for the record.
    unmigrated_rows = models.PositiveIntegerField(_("rows not migrated"), default=0)

    class Meta:
        verbose_name = _("isinsured cut-over event")
        verbose_name_plural = _("isinsured cut-over events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
