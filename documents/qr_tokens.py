"""The certificate's QR token: a compact JWS (RFC 7515, `EdDSA` with Ed25519, RFC 8037).

The QR code holds `SITE_URL/verify/<number>/#<token>`: a phone opens the verify page (the
fragment never reaches the server), and `/verify/offline/` checks the token with WebCrypto
against keys cached from `/.well-known/jwks.json`, with no request to the portal.

Written by hand on `cryptography` rather than with a JOSE library: we sign one header shape with
one algorithm and accept exactly that (`alg` must be "EdDSA", the key is chosen by `kid` from our
own set), so there is no algorithm negotiation to get wrong, and it is twenty lines that read
the same as the JavaScript verifier in static/js/verify_offline.js.

Keys rotate like the transparency log's: CERTIFICATE_QR_KEY_FILE signs; the public keys of
retired ones stay in CERTIFICATE_QR_OLD_PUBLIC_KEYS (base64url, as `x` in a JWK), so the JWKS
keeps publishing them and certificates signed before a rotation still verify.
"""

import base64
import datetime
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from documents.masking import mask_name, mask_national_code

TOKEN_VERSION = 1
ALGORITHM = "EdDSA"


class TokenError(Exception):
    """The token is malformed, signed by no key of ours, or its signature does not match."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.isascii():
        raise TokenError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise TokenError("not base64url") from error


# --- Keys ----------------------------------------------------------------------------------------


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the key's JWK, shortened to 16 characters (96 bits)."""
    members = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public_key(public_key))},
        separators=(",", ":"),
        sort_keys=True,
    )
    return b64url(hashlib.sha256(members.encode()).digest())[:16]


def signing_key() -> Ed25519PrivateKey:
    return _load_signing_key(settings.CERTIFICATE_QR_KEY_FILE)


@functools.lru_cache(maxsize=4)
def _load_signing_key(path: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"CERTIFICATE_QR_KEY_FILE ({path}) holds no Ed25519 key: {error}. "
            "`python manage.py certificate_token_keygen` makes one."
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"CERTIFICATE_QR_KEY_FILE ({path}) is not an Ed25519 key.")
    return key


def public_keys() -> list[Ed25519PublicKey]:
    """The current key first, then the retired ones that still verify older certificates."""
    keys = [signing_key().public_key()]
    for text in settings.CERTIFICATE_QR_OLD_PUBLIC_KEYS:
        try:
            keys.append(Ed25519PublicKey.from_public_bytes(b64url_decode(text.strip())))
        except (TokenError, ValueError) as error:
            raise ImproperlyConfigured(
                f"CERTIFICATE_QR_OLD_PUBLIC_KEYS holds a value that is no Ed25519 key: {text!r}"
            ) from error
    return keys


def jwks() -> dict[str, Any]:
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": b64url(raw_public_key(key)),
                "kid": key_id(key),
                "use": "sig",
                "alg": ALGORITHM,
            }
            for key in public_keys()
        ]
    }


def write_new_key(path: Path) -> Ed25519PublicKey:
    """A new signing key in `path` (PEM, mode 0600); never replaces a file."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return key.public_key()


# --- Tokens --------------------------------------------------------------------------------------


def claims_of(certificate: Any) -> dict[str, Any]:
    """The facts a clerk needs, as the verify page shows them: nothing the page masks is bare."""
    snapshot = certificate.snapshot
    has_record = bool(snapshot.get("has_record"))
    return {
        "v": TOKEN_VERSION,
        "num": certificate.number,
        "name": mask_name(certificate.holder_name),
        "nc": mask_national_code(certificate.holder_national_code),
        # Insured on the day it was issued; null: no record with the organization at all.
        "ins": bool(snapshot.get("insured_today")) if has_record else None,
        "cov": sorted(
            {coverage["coverage_kind"] for coverage in snapshot.get("current_coverages", [])}
        ),
        "pen": sorted(
            {
                pension["role"]
                for pension in snapshot.get("pensions", [])
                if pension.get("status") == "active"
            }
        ),
        "iat": timezone.localtime(certificate.issued_at).date().isoformat(),
        "exp": certificate.valid_until.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": certificate.addressed_to.name if certificate.addressed_to_id else None,
    }


def sign(claims: dict[str, Any]) -> str:
    key = signing_key()
    header = {"alg": ALGORITHM, "kid": key_id(key.public_key())}
    signing_input = ".".join(
        b64url(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode())
        for part in (header, claims)
    )
    return signing_input + "." + b64url(key.sign(signing_input.encode("ascii")))


def verify(token: str) -> dict[str, Any]:
    """The claims of a token one of our keys signed; TokenError for anything else."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or len(token) > 4096:
        raise TokenError("not a compact JWS")
    header_b64, payload_b64, signature_b64 = parts
    try:
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(payload_b64))
    except (ValueError, UnicodeDecodeError) as error:
        raise TokenError("not JSON") from error
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM:
        raise TokenError("not an EdDSA token")
    keys = {key_id(key): key for key in public_keys()}
    kid = header.get("kid")
    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise TokenError("signed by no key of ours")
    try:
        key.verify(b64url_decode(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    except InvalidSignature as error:
        raise TokenError("the signature does not match") from error
    if not isinstance(claims, dict):
        raise TokenError("the payload is not an object")
    return claims


def qr_url(certificate: Any) -> str:
    """What the certificate's QR code holds: the verify page, and the token in its fragment."""
    path = reverse("documents:verify", args=[certificate.number])
    return f"{settings.SITE_URL}{path}#{sign(claims_of(certificate))}"
