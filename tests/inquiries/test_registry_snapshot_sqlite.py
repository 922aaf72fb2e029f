"""`import_coverage snapshot` and `rollback` need PostgreSQL; on SQLite they say so.

Runs whatever database the suite uses: the command runs in a process of its own on SQLite.
"""

import os
import subprocess
import sys

from django.conf import settings

from tests.inquiries.test_import_coverage import person_row, write_file


def test_on_sqlite_the_command_says_it_needs_postgresql(tmp_path):
    new_files = tmp_path / "files"
    new_files.mkdir()
    for kind in ("persons", "periods", "pensions"):
        write_file(new_files, kind, [person_row("9900000013")] if kind == "persons" else [])
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
    }
    for arguments in (["snapshot", str(new_files)], ["rollback"]):
        finished = subprocess.run(
            [sys.executable, "manage.py", "import_coverage", *arguments, "--no-progress"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert finished.returncode == 1
        assert "PostgreSQL" in finished.stderr
