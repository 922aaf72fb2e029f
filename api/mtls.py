"""The client certificate a call presents (RFC 8705 mutual TLS, through the TLS proxy).

The portal does not terminate TLS: the proxy in front of it verifies the client's certificate
and passes it in `API_CLIENT_CERT_HEADER` (nginx's `$ssl_client_escaped_cert`, the URL-encoded
PEM). That header is believed only when the portal is told it sits behind proxies of its own
(`TRUSTED_PROXY_COUNT` > 0, as for the client address): otherwise anyone calling the portal
directly could send it, and it is ignored.
"""

from urllib.parse import unquote

from cryptography import x509
from django.conf import settings
from django.http import HttpRequest

from agencies.client_certificates import thumbprint


def presented_certificate(request: HttpRequest) -> str | None:
    """The header's value as the trusted proxy set it, or None (feature off, proxy not trusted,
    no certificate)."""
    header = settings.API_CLIENT_CERT_HEADER
    if not header or settings.ALLAUTH_TRUSTED_PROXY_COUNT < 1:
        return None
    return request.headers.get(header) or None


def presented_thumbprint(value: str | None) -> str | None:
    """The `x5t#S256` of the certificate in the header's value, or None if it holds none."""
    if not value:
        return None
    try:
        certificate = x509.load_pem_x509_certificate(unquote(value).encode("ascii"))
        return thumbprint(certificate)
    except (ValueError, UnicodeEncodeError):
        return None
