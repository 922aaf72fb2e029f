from django.conf import settings
from django.core import checks

from accounts.identity import BACKEND_ALIASES


@checks.register(checks.Tags.security, deploy=True)
def identity_backend_is_real(**kwargs: object) -> list[checks.CheckMessage]:
    if BACKEND_ALIASES.get(settings.IDENTITY_BACKEND, settings.IDENTITY_BACKEND) in {
        BACKEND_ALIASES["demo"],
        BACKEND_ALIASES["locmem"],
    }:
        return [
            checks.Warning(
                "IDENTITY_BACKEND is a demo or test backend: any mobile in its list is taken as "
                "registered to its national code.",
                hint="Set IDENTITY_BACKEND=http with IDENTITY_HTTP_URL and IDENTITY_HTTP_TOKEN.",
                id="accounts.W001",
            )
        ]
    if settings.IDENTITY_BACKEND == "http" and not settings.IDENTITY_HTTP_TOKEN:
        return [checks.Warning("IDENTITY_HTTP_TOKEN is empty.", id="accounts.W002")]
    return []
