"""The portal's Celery app with a pause inside each chunk, for the worker-kill test.

`celery -A tests.isinsured.slow_chunk_worker worker` behaves as the real worker, except that
after the first row of a chunk is applied (inside the chunk's transaction, not yet committed) it
touches ISINSURED_PAUSE_FILE and sleeps SLOW_CHUNK_SECONDS, so that the test can kill it there.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from portal.celery import app

__all__ = ["app"]


@task_prerun.connect
def _pause_in_chunks(**kwargs) -> None:
    from isinsured import chunks

    if getattr(chunks._apply_row, "slowed", False):
        return
    original = chunks._apply_row
    delay = float(os.environ.get("SLOW_CHUNK_SECONDS", "0"))
    pause_file = os.environ.get("ISINSURED_PAUSE_FILE", "")

    def slow_apply_row(*args, **kwargs):
        original(*args, **kwargs)
        if delay and pause_file and not Path(pause_file).exists():
            Path(pause_file).write_text("paused mid-chunk")
            time.sleep(delay)

    slow_apply_row.slowed = True  # type: ignore[attr-defined]
    chunks._apply_row = slow_apply_row
