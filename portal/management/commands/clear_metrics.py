"""Empty PROMETHEUS_MULTIPROC_DIR before the portal's processes start.

Every process leaves a file of its counters there, and /metrics adds up every file, those of
processes long gone included (so counters never go backwards while the portal runs). A new
start begins from zero; Prometheus takes a counter that fell back to zero as a restart.
Compose's one-shot `migrate` service runs it before web and worker start.
"""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Delete the metrics files in PROMETHEUS_MULTIPROC_DIR (before web and workers start)."

    def handle(self, *args: Any, **options: Any) -> None:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
        if not directory:
            self.stdout.write("PROMETHEUS_MULTIPROC_DIR is not set: nothing to clear.")
            return
        removed = 0
        for path in Path(directory).glob("*.db"):
            path.unlink(missing_ok=True)
            removed += 1
        self.stdout.write(f"Cleared {removed} metrics files from {directory}.")
