"""Start-up checks of the documents settings."""

import datetime
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def check_redemption_limits(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """One agency must never be able to reach the holder-wide lock on its own.

    An agency's attempts for a holder stop at its (agency, holder) limit; its fixed windows need
    not line up with the holder's, so one holder window can overlap two of the agency's and see
    at most twice that limit from it. The holder-wide limit must lie above that, over a window
    no longer than the agency's.
    """
    agency_limit, agency_window = settings.DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES
    holder_limit, holder_window = settings.DOCUMENT_INQUIRY_HOLDER_FAILURES
    if holder_limit > 2 * agency_limit and holder_window <= agency_window:
        return []
    return [
        Error(
            "DOCUMENT_INQUIRY_HOLDER_FAILURES lets one agency lock a holder out for every agency.",
            hint=(
                "Keep the holder-wide limit above twice DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES "
                f"({2 * agency_limit}) and its window no longer than the agency's "
                f"({agency_window} s)."
            ),
            id="documents.E001",
        )
    ]


def check_certificate_signing(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """(--deploy) The key, certificate and roots that sign certificate PDFs load and agree, and
    the QR tokens' key loads."""
    from documents import qr_tokens, signing

    problems: list[CheckMessage] = []
    try:
        qr_tokens.jwks()
    except ImproperlyConfigured as error:
        problems.append(
            Error(
                f"Certificate QR codes cannot be signed: {error}",
                hint="Set CERTIFICATE_QR_KEY_FILE (manage.py certificate_token_keygen).",
                id="documents.E005",
            )
        )

    try:
        material = signing.signing_material()
        roots = signing.trust_roots()
    except ImproperlyConfigured as error:
        return [
            *problems,
            Error(
                f"Certificate PDFs cannot be signed: {error}",
                hint=(
                    "Set CERTIFICATE_SIGNING_KEY_FILE, CERTIFICATE_SIGNING_CERT_FILE, "
                    "CERTIFICATE_SIGNING_CHAIN_FILE and CERTIFICATE_SIGNING_TRUST_ROOTS_FILE "
                    "to the organization's PEM files (docs/configuration.md)."
                ),
                id="documents.E002",
            ),
        ]
    if not roots:
        problems.append(
            Error("CERTIFICATE_SIGNING_TRUST_ROOTS_FILE holds no certificate.", id="documents.E003")
        )
    not_after = material.certificate.not_valid_after
    now = timezone.now()
    if not_after <= now:
        problems.append(
            Error(
                f"The certificate signing certificate expired on {not_after:%Y-%m-%d}.",
                id="documents.E004",
            )
        )
    elif not_after - now < datetime.timedelta(days=30):
        problems.append(
            CheckWarning(
                f"The certificate signing certificate expires on {not_after:%Y-%m-%d}.",
                hint="Renew it, keeping the same subject so copies signed before still verify.",
                id="documents.W001",
            )
        )
    return problems
