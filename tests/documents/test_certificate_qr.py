"""The certificate's QR image: a grayscale PNG of square modules in a white border, which a
reader decodes to its payload at error correction level M."""

import io

import zxingcpp
from PIL import Image

from documents import pdf as certificate_pdf
from tests.documents.conftest import qr_codes

# As long as a real one: a verify URL and a signed token (about 420 characters, version 16).
PAYLOAD = "https://portal.example/verify/123456789012/#" + "eyJhbGciOiJFZERTQSJ9." * 18
VERSION_16_MODULES = 81


def drawn() -> Image.Image:
    return Image.open(io.BytesIO(certificate_pdf.qr_png(PAYLOAD)))


def test_it_is_a_grayscale_png_that_weasyprint_embeds_without_converting():
    image = drawn()
    assert image.format == "PNG"
    assert image.mode == "L"  # WeasyPrint converts 1-bit and palette images to RGB
    colours = image.getcolors()
    assert colours is not None
    assert {value for _count, value in colours} == {0, 255}


def test_each_module_is_a_square_of_pixels_inside_a_white_border_of_two_modules():
    image = drawn()
    box, border = certificate_pdf.QR_BOX_PIXELS, certificate_pdf.QR_BORDER_MODULES
    modules = VERSION_16_MODULES + 2 * border  # the smallest version that holds the payload
    assert image.size == (modules * box, modules * box)
    pixels = image.load()
    assert pixels is not None
    for row in range(modules):
        for column in range(modules):
            square = {
                pixels[column * box + x, row * box + y] for x in range(box) for y in range(box)
            }
            assert len(square) == 1, (row, column)
            if min(row, column) < border or max(row, column) >= modules - border:
                assert square == {255}, (row, column)


def test_it_decodes_to_its_payload_at_error_correction_m():
    image = drawn()
    assert qr_codes(image) == [PAYLOAD]
    (symbol,) = zxingcpp.read_barcodes(image)
    assert symbol.ec_level == "M"
