import pytest

from portal.tasks import ping
from tests.workers import wait_for, worker_json_lines


@pytest.mark.worker
def test_a_task_runs_in_a_real_worker_and_its_result_comes_back(celery_worker):
    result = ping.delay("سلام")
    assert result.get(timeout=30) == "سلام"
    assert result.successful()


def _worker_database_backends() -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.worker
def test_a_worker_keeps_its_database_connection_from_one_task_to_the_next(celery_worker):
    """Celery's Django fix-up closed it around every task: a new PostgreSQL connection and
    server process per certificate. Django's CONN_MAX_AGE rule applies instead."""
    from documents.tasks import render_certificate

    seen: set[int] = set()
    for _ in range(6):
        # A certificate that does not exist: the task claims nothing, reads one row, returns.
        assert render_certificate.delay(2_000_000_000).get(timeout=30) == "already_done"
        open_after_the_task = _worker_database_backends()
        assert open_after_the_task, "the worker closed its connection after the task"
        seen |= open_after_the_task
    assert len(seen) <= 2  # one connection per pool process (the worker runs two), all along


@pytest.mark.worker
def test_a_pool_process_loads_the_renderer_and_freezes_its_startup_objects(celery_worker):
    """Before its first task each pool process builds the certificate renderer and moves what
    is alive into the collector's permanent generation: renders then collect only their own
    objects."""

    def ready() -> list[dict]:
        lines = worker_json_lines(celery_worker.log_path.read_text())
        return [line for line in lines if line.get("message") == "pool process ready"]

    wait_for(lambda: len(ready()) >= 2, timeout=30, what="both pool processes to be ready")
    # Django, WeasyPrint and the fonts: far more than a bare interpreter's few thousand.
    assert all(line["frozen_objects"] > 50_000 for line in ready())
