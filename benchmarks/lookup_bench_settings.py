"""Settings for benchmarks/lookup_throughput.py only: the portal's, plus a bare comparison view.

Not part of the product. Static files are served unhashed so no `collectstatic` is needed.
"""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

ROOT_URLCONF = "lookup_bench_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
