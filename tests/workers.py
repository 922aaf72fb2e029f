"""Helpers for tests that start, and kill, Celery worker processes of their own."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import _test_database_url


def wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def worker_json_lines(log: str) -> list[dict]:
    """The worker's JSON lines; Celery's start-up banner (printed, not logged) is left out."""
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


def start_worker(*, app: str, queue: str, log: Path, **env: str) -> tuple[subprocess.Popen, str]:
    """A one-process worker of Celery app `app` on `queue`, on the test database; its hostname."""
    hostname = f"kill-test-{uuid.uuid4().hex[:8]}@%h"
    with open(log, "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "--loglevel=INFO",
             "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
             f"--queues={queue}", f"--hostname={hostname}"],
            env={
                **os.environ,
                "DATABASE_URL": _test_database_url(),
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "PORTAL_TESTING": "1",
                **env,
            },
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
            start_new_session=True,  # its own process group, so the kill takes its children too
        )  # fmt: skip
    return process, hostname


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children at once, as a crashed machine would."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def tasks_to_the_broker():
    """Send tasks to the broker (for the test's own workers) instead of running them eagerly."""
    from portal.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
