"""Checks for uploaded official documents (letters, MoU scans): by content and size, not name."""

import uuid
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

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
        # An image header followed by garbage is not a letter anyone can read.
        try:
            file.seek(0)
            with Image.open(file) as image:
                image.verify()
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
