from django.conf import settings
from django.core import checks
from django.http.request import validate_host


@checks.register(checks.Tags.compatibility)
def legacy_hosts_are_allowed(**kwargs: object) -> list[checks.CheckMessage]:
    """The "moved" page answers on isinsured's old host names only if ALLOWED_HOSTS has them."""
    allowed = settings.ALLOWED_HOSTS
    missing = [host for host in settings.ISINSURED_LEGACY_HOSTS if not validate_host(host, allowed)]
    if not missing:
        return []
    return [
        checks.Warning(
            "ISINSURED_LEGACY_HOSTS names hosts that ALLOWED_HOSTS does not: "
            + ", ".join(missing)
            + ". Requests to them get 400, not the cut-over notice.",
            hint="Add them to ALLOWED_HOSTS if the old names still point at the portal.",
            id="isinsured.W001",
        )
    ]
