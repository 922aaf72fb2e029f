"""The portal's Celery app with certificate renders slowed down, for the worker-kill test.

`celery -A tests.documents.slow_render_worker worker` behaves as the real worker, except that
each render first sleeps SLOW_RENDER_SECONDS, so that the test can kill it mid-render.
"""

import os
import time

from celery.signals import task_prerun

from portal.celery import app

__all__ = ["app"]


@task_prerun.connect
def _slow_down_renders(**kwargs) -> None:
    from documents import pdf

    if getattr(pdf.render_certificate_pdf, "slowed", False):
        return
    original = pdf.render_certificate_pdf
    delay = float(os.environ.get("SLOW_RENDER_SECONDS", "0"))

    def slow_render(certificate):
        time.sleep(delay)
        return original(certificate)

    slow_render.slowed = True  # type: ignore[attr-defined]
    pdf.render_certificate_pdf = slow_render
