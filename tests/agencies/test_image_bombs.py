"""Image letters and MoU scans: a few bytes that declare too many pixels are a form error."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from agencies.models import AccessRequest
from agencies.uploads import validate_official_document
from tests.agencies.conftest import stored_files
from tests.agencies.test_apply_views import APPLY, form_data


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG whose header declares width x height pixels and whose data is almost nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4))
        + chunk(b"IEND", b"")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "too many pixels"), ("fa", "پیکسل")],
)
def test_a_decompression_bomb_png_as_the_letter_is_a_form_error_and_nothing_is_stored(
    client, citizen, media_root, language, message
):
    bomb = bomb_png()
    assert len(bomb) == 69
    client.force_login(citizen)
    upload = SimpleUploadedFile("letter.png", bomb, content_type="image/png")

    response = client.post(APPLY, form_data(letter=upload), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400  # the page's answer to every form error, never a 500
    assert message in str(response.context["form"].errors["letter"])
    assert not AccessRequest.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("pixels", [30_000 * 30_000, 12_000 * 10_000])
def test_an_image_over_pillows_own_limits_is_refused_not_raised(pixels):
    # 900 MP is past Pillow's error threshold, 120 MP between its warning and error thresholds.
    width = 30_000 if pixels == 30_000 * 30_000 else 12_000
    height = pixels // width
    upload = SimpleUploadedFile("scan.png", bomb_png(width, height), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        validate_official_document(upload)
    assert refused.value.code == "too_many_pixels"


def test_the_pixel_limit_comes_from_the_settings(settings):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    upload = SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")
    validate_official_document(upload)  # 400 pixels: fine by default

    settings.AGENCY_UPLOAD_MAX_PIXELS = 399
    with pytest.raises(ValidationError) as refused:
        validate_official_document(upload)
    assert refused.value.code == "too_many_pixels"
