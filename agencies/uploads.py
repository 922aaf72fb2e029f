"""Checks for uploaded official documents (letters, MoU scans): by content and size, not name."""

import uuid
import warnings
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from portal.digits import LocalNumber

# What the content says the file is -> the extension we store it under.
ALLOWED_KINDS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def sniff_kind(file: Any) -> str | None:
    """The MIME type the file's first bytes reveal, or None."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8192)
    file.seek(position)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_official_document(file: Any) -> None:
    """A PDF, JPEG or PNG no larger than AGENCY_UPLOAD_MAX_BYTES, judged by its content."""
    limit = settings.AGENCY_UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest file accepted is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
    mime = sniff_kind(file)
    if mime not in ALLOWED_KINDS:
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG document. Scan the letter as PDF or image."),
            code="bad_type",
        )
    if mime.startswith("image/"):
        _validate_image(file)


def _validate_image(file: Any) -> None:
    """An image that opens, within AGENCY_UPLOAD_MAX_PIXELS.

    A few bytes of PNG can declare 30000 x 30000 pixels: gigabytes once decoded. Pillow refuses
    only far past its own limit, by raising DecompressionBombError (a 500 here) or merely warning;
    both are turned into errors and answered with a message, like any image over our own limit.
    """
    limit = settings.AGENCY_UPLOAD_MAX_PIXELS
    too_many_pixels = ValidationError(
        _(
            "This image has too many pixels (the most accepted is %(limit)s megapixels). "
            "Scan the letter at a lower resolution."
        ),
        code="too_many_pixels",
        params={"limit": LocalNumber(limit // 1_000_000)},
    )
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
                if width * height > limit:
                    raise too_many_pixels
                # An image header followed by garbage is not a letter anyone can read.
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This image file is damaged and cannot be opened."), code="damaged"
        ) from None
    finally:
        file.seek(0)


def _stored_name(folder: str, filename: str) -> str:
    # A random name: the applicant's file name says nothing we want to keep or trust.
    suffix = PurePath(filename).suffix.lower()
    extension = suffix[1:] if suffix[1:] in set(ALLOWED_KINDS.values()) | {"jpeg"} else "bin"
    return f"agencies/{folder}/{uuid.uuid4().hex}.{extension}"


def letter_upload_to(instance: Any, filename: str) -> str:
    return _stored_name("letters", filename)


def mou_scan_upload_to(instance: Any, filename: str) -> str:
    return _stored_name("mous", filename)
