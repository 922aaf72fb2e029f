"""The migration through real Celery workers on PostgreSQL and Redis, including a worker
SIGKILLed in the middle of a chunk."""

import subprocess
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone, translation

from accounts.models import User
from agencies.models import Membership, MouEvent
from isinsured import chunks as isinsured_chunks
from isinsured import services
from isinsured.legacy_file import read_legacy_file
from isinsured.models import MigrationChunk, MigrationRow, MigrationRun, RowState, RunState
from isinsured.services import migration
from tests.isinsured.conftest import cell, legacy_rows, password_for, write_export
from tests.workers import kill_group, start_worker, tasks_to_the_broker, wait_for

__all__ = ["tasks_to_the_broker"]  # a fixture used by name

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    # The worker reads committed rows. Not serialized_rollback: after another transactional
    # test's flush it collides with the recreated content types; missing role groups are
    # created on demand by accounts.services.assign_role.
    pytest.mark.django_db(transaction=True),
]


def test_the_command_follows_a_run_to_the_end_through_the_real_worker(
    celery_worker, operator, tmp_path, capsys
):
    export = write_export(tmp_path / "isinsured.csv", legacy_rows(users=6))

    with translation.override("en"):
        call_command(
            "migrate_isinsured", str(export), "--operator", operator.national_code,
            "--chunk-size", "2", "--no-progress", "--timeout", "120",
        )  # fmt: skip

    run = MigrationRun.objects.get()
    assert run.state == RunState.DONE
    assert run.rows.filter(state=RowState.APPLIED).count() == 6
    assert "legacy users: 6 created" in capsys.readouterr().out


def _start_worker(*, queue: str, log: Path, **env: str) -> subprocess.Popen:
    process, _ = start_worker(app="tests.isinsured.slow_chunk_worker", queue=queue, log=log, **env)
    return process


KILLS = 3
VISIBILITY_SECONDS = 6  # the test's workers redeliver a dead worker's chunk after this long


def test_workers_killed_mid_chunk_again_and_again_lose_nothing_and_apply_each_user_once(
    operator, transactional_db, monkeypatch, tmp_path, tasks_to_the_broker
):
    queue = f"isinsured-kill-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"
    pause_file = tmp_path / "paused"
    rows = legacy_rows(users=6)
    legacy_file = read_legacy_file(write_export(tmp_path / "isinsured.csv", rows))
    # The tasks go to this test's queue only, in an order the test knows.
    monkeypatch.setattr(migration, "_enqueue_organizations", lambda run_id: None)
    monkeypatch.setattr(isinsured_chunks, "apply_chunk", SimpleNamespace(delay=lambda pk: None))
    run = services.start_run(
        legacy_file=legacy_file, file_name="isinsured.csv", operator=operator, chunk_size=2
    )
    services.apply_organizations(run_id=run.pk)
    monkeypatch.undo()
    from isinsured.tasks import apply_chunk

    chunks = list(run.chunks.order_by("number"))
    timing = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS)}
    # Each of these workers pauses inside the first chunk it takes, after its first row.
    slow = {"SLOW_CHUNK_SECONDS": "120", "ISINSURED_PAUSE_FILE": str(pause_file), **timing}
    worker = None
    try:
        for kill in range(1, KILLS + 1):
            worker = _start_worker(queue=queue, log=log, **slow)
            if kill == 1:
                apply_chunk.apply_async(args=(chunks[0].pk,), queue=queue)
            wait_for(
                pause_file.exists,
                timeout=90,
                what=f"worker {kill} to pause mid-chunk:\n{log.read_text()[-3000:]}",
            )
            if kill == 1:
                for chunk in chunks[1:]:
                    apply_chunk.apply_async(args=(chunk.pk,), queue=queue)
            kill_group(worker)  # SIGKILL inside the chunk's transaction: no commit, no ack
            pause_file.unlink()

            # Each kill rolled its chunk back whole: nothing applied, every row still pending.
            assert not MigrationChunk.objects.filter(run=run, applied_at__isnull=False).exists()
            chunk_rows = MigrationRow.objects.filter(chunk__run=run)
            assert not chunk_rows.exclude(state=RowState.PENDING).exists()
            assert User.objects.count() == 1  # the operator
            assert sum(run.chunks.values_list("attempts", flat=True)) == kill

            # The unacknowledged message comes back once it is older than the visibility
            # timeout. A worker looks for such messages as it starts (then only every 100 s),
            # so the next one starts once the message is old enough.
            started_at = run.chunks.aggregate(last=Max("started_at"))["last"]
            assert started_at is not None
            while (timezone.now() - started_at).total_seconds() < VISIBILITY_SECONDS + 0.5:
                time.sleep(0.2)

        worker = _start_worker(
            queue=queue,
            log=log,
            CELERY_TASK_TIME_LIMIT="10",
            CELERY_TASK_SOFT_TIME_LIMIT="9",
            **timing,
        )

        def done() -> bool:
            run.refresh_from_db()
            return run.state == RunState.DONE

        wait_for(done, timeout=120, what=f"the run to finish:\n{log.read_text()[-3000:]}")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(worker)

    assert sum(run.chunks.values_list("attempts", flat=True)) == len(chunks) + KILLS
    assert MigrationChunk.objects.filter(run=run, applied_at=None).count() == 0
    assert run.rows.filter(state=RowState.APPLIED).count() == 6
    assert User.objects.count() == 7
    assert Membership.objects.count() == 6
    assert MouEvent.objects.count() == 2
    assert not run.rows.exclude(sealed_hash="").exists()
    for number, row in enumerate(rows, start=1):
        user = User.objects.get(national_code=cell(row, "national_code"))
        assert check_password(password_for(number), user.password)
