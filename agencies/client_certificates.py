"""Client certificates that bind an API client's tokens (RFC 8705, mutual TLS).

Only the certificate's SHA-256 thumbprint (`x5t#S256`, RFC 8705 §3.1), its subject and its
expiry are kept; the certificate itself, and above all a private key, never are. A PEM that
carries a private key is refused outright: the key has left its system and must be replaced.
"""

import base64
import datetime
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# A certificate is a few kilobytes; a chain of a handful at most.
CERTIFICATE_MAX_BYTES = 20_000
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_CERTIFICATE_BLOCK = re.compile(
    r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----"
)


@dataclass(frozen=True)
class ClientCertificate:
    thumbprint: str
    subject: str
    not_valid_after: datetime.datetime


def thumbprint(certificate: x509.Certificate) -> str:
    """RFC 8705 §3.1 `x5t#S256`: base64url of the SHA-256 of the DER, without padding."""
    digest = certificate.fingerprint(hashes.SHA256())
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def contains_private_key(text: str) -> bool:
    return bool(_PRIVATE_KEY.search(text))


def parse_client_certificate(text: str) -> ClientCertificate:
    """The one certificate in a PEM text, or a `ValidationError` in the user's language."""
    if contains_private_key(text):
        raise ValidationError(
            _(
                "This file contains a private key. Give only the certificate: the private key "
                "must never leave the system. Treat this key as exposed and make a new one."
            ),
            code="private_key",
        )
    blocks = _CERTIFICATE_BLOCK.findall(text)
    if len(blocks) != 1:
        raise ValidationError(
            _("Give exactly one certificate in PEM form (-----BEGIN CERTIFICATE-----)."),
            code="not_one_certificate",
        )
    try:
        certificate = x509.load_pem_x509_certificate(blocks[0].encode("ascii"))
        # Parsing is lazy in places: reading the DER back proves the whole certificate is sound.
        certificate.public_bytes(Encoding.DER)
        subject = certificate.subject.rfc4514_string()
    except ValueError:
        raise ValidationError(
            _("This is not a valid X.509 certificate."), code="bad_certificate"
        ) from None
    if certificate.not_valid_after_utc <= timezone.now():
        raise ValidationError(_("This certificate has expired."), code="expired_certificate")
    return ClientCertificate(
        thumbprint=thumbprint(certificate),
        subject=subject[:500],
        not_valid_after=certificate.not_valid_after_utc,
    )
