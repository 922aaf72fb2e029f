"""Start-up checks of the documents settings."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error


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
