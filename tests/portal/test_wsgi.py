"""The web process, once portal.wsgi is loaded: its views imported and everything alive from
its start out of the garbage collector's full passes."""

import json
import subprocess
import sys

from django.conf import settings


def test_loading_the_application_imports_the_views_and_freezes_what_is_alive():
    probe = (
        "import gc, json, sys; import portal.wsgi; "
        "print(json.dumps([gc.get_freeze_count(), len(gc.get_objects()), "
        "'api.endpoints' in sys.modules, 'inquiries.views' in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, tracked, api_loaded, views_loaded = json.loads(done.stdout.splitlines()[-1])
    assert api_loaded and views_loaded
    assert frozen > 50_000
    assert tracked < frozen / 20  # what a full pass still walks
