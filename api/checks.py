from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def client_certificate_header_is_trusted(**kwargs: object) -> list[checks.CheckMessage]:
    if settings.API_CLIENT_CERT_HEADER and settings.ALLAUTH_TRUSTED_PROXY_COUNT < 1:
        return [
            checks.Warning(
                "API_CLIENT_CERT_HEADER is set but TRUSTED_PROXY_COUNT is 0: the header is "
                "ignored, so clients bound to a certificate can get no token.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies of ours in front of the "
                "portal, the TLS proxy that verifies client certificates among them.",
                id="api.W001",
            )
        ]
    return []
