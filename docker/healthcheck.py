"""The container's health check: GET /healthz on the local gunicorn, healthy on a 200.

/healthz itself checks the database, the cache and the broker. The request carries a host
name that ALLOWED_HOSTS accepts, so the check works whatever the portal's public name is.
"""

import os
import sys
import urllib.error
import urllib.request


def allowed_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")  # ".example.ir" also allows "example.ir"
        if host and host != "*":
            return host
    return "localhost"  # the portal's default ALLOWED_HOSTS include it


def main() -> int:
    request = urllib.request.Request(
        "http://127.0.0.1:8000/healthz", headers={"Host": allowed_host()}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed URL)
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"healthz: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
