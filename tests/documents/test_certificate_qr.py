"""The certificate's QR image: drawn from the module matrix, the same pixels qrcode would draw."""

import io

import qrcode
import qrcode.constants
from PIL import Image

from documents import pdf as certificate_pdf
from tests.documents.conftest import qr_codes

# As long as a real one: a verify URL and a signed token (about 420 characters, version 16).
PAYLOAD = "https://portal.example/verify/123456789012/#" + "eyJhbGciOiJFZERTQSJ9." * 18


def _qrcodes_own_drawing(data: str) -> Image.Image:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=certificate_pdf.QR_BOX_PIXELS,
        border=certificate_pdf.QR_BORDER_MODULES,
        mask_pattern=certificate_pdf.QR_MASK_PATTERN,
    )
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().get_image()


def test_it_draws_the_same_pixels_as_qrcodes_own_image_classes():
    ours = Image.open(io.BytesIO(certificate_pdf.qr_png(PAYLOAD)))
    theirs = _qrcodes_own_drawing(PAYLOAD).convert("L")
    assert ours.size == theirs.size
    assert ours.tobytes() == theirs.tobytes()


def test_it_is_a_grayscale_png_that_weasyprint_embeds_without_converting():
    image = Image.open(io.BytesIO(certificate_pdf.qr_png(PAYLOAD)))
    assert image.format == "PNG"
    assert image.mode == "L"  # WeasyPrint converts 1-bit and palette images to RGB
    colours = image.getcolors()
    assert colours is not None
    assert {value for _count, value in colours} == {0, 255}


def test_it_decodes_to_its_payload():
    image = Image.open(io.BytesIO(certificate_pdf.qr_png(PAYLOAD)))
    assert qr_codes(image) == [PAYLOAD]
