"""Certificate PDFs: the project's own template, WeasyPrint, and nothing fetched from outside.

The font configuration and the parsed print stylesheet are built once per process and reused
by every render: rebuilding them costs about a fifth of a render and leaks memory slowly.
The URL fetcher serves the project's static files and `data:` images (the QR code) only; any
other URL (the network, `file://` elsewhere) is refused, so a certificate can never be made to
read a server file or call out.
"""

import base64
import functools
import io
import threading
from pathlib import Path
from typing import Any

import zxingcpp
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageOps
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from documents import pdf_text, qr_tokens
from documents.identifiers import format_certificate_number
from documents.snapshot import display_snapshot, periods_to_print

PRINT_STYLESHEET = "css/certificate_print.css"
# A certificate lists at most this many coverage periods, the latest; a line sums up the earlier
# ones. A paper certificate of 300 pages helps nobody, and 10,000 periods take over a minute and
# a gigabyte of memory to lay out (docs/security-input.md).
PRINTED_PERIODS = 100
_ALLOWED_DATA_TYPES = ("data:image/png;base64,",)
# Tagged PDF (PDF/UA-1): a structure tree in reading order, the document's language and title,
# so screen readers and copy follow the page's logical order, not the drawing order.
PDF_VARIANT = "pdf/ua-1"


def static_roots() -> tuple[Path, ...]:
    """The directories whose files a certificate may use (the project's static files)."""
    roots = [Path(directory).resolve() for directory in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT and Path(settings.STATIC_ROOT).is_dir():
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return tuple(roots)


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves `file:` URLs inside the static directories and PNG `data:` URLs; refuses the rest."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self._roots = static_roots()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            if not url.startswith(_ALLOWED_DATA_TYPES):
                raise ValueError("only PNG data URLs may be used in a certificate")
            payload = url.split(",", 1)[1]
            return URLFetcherResponse(
                url, base64.b64decode(payload), headers={"Content-Type": "image/png"}
            )
        if not url.startswith("file:"):
            raise ValueError(f"a certificate may not fetch {url[:80]!r}")
        path = Path(URLFetcherResponse(url).path or "").resolve()
        if not any(path.is_relative_to(root) for root in self._roots) or not path.is_file():
            raise ValueError(f"a certificate may only use the project's static files: {url[:80]!r}")
        return URLFetcherResponse(url, path.read_bytes())


@functools.cache
def _renderer() -> tuple[FontConfiguration, CSS, StaticFilesOnlyFetcher]:
    """Built on first use, once per (worker) process."""
    pdf_text.install()
    font_config = FontConfiguration()
    fetcher = StaticFilesOnlyFetcher()
    stylesheet_path = finders.find(PRINT_STYLESHEET)
    if not stylesheet_path:
        raise FileNotFoundError(PRINT_STYLESHEET)
    stylesheet = CSS(
        url=path2url(str(stylesheet_path)), font_config=font_config, url_fetcher=fetcher
    )
    return font_config, stylesheet, fetcher


def load_renderer() -> None:
    """Build the renderer now rather than on the first certificate (a pool process starting)."""
    _renderer()


def base_url() -> str:
    """Relative URLs in the template resolve inside the static directory."""
    return path2url(str(static_roots()[0])) + "/"


def verify_url(number: str) -> str:
    return settings.SITE_URL + reverse("documents:verify", args=[number])


QR_BOX_PIXELS = 8  # pixels a module (about 0.4 mm printed: 81 modules and the border in 34 mm)
QR_BORDER_MODULES = 2


def qr_png(data: str) -> bytes:
    """The QR code (error correction M) as a grayscale PNG, 8 pixels a module.

    Encoded by zxing-cpp, whose C++ encoder takes 1.4 ms for a certificate's 420 characters
    where qrcode's pure Python took 6-8 ms (Reed-Solomon and bit packing), about 4% of a
    certificate; its reader already checks the codes in the tests. Drawn as one grayscale
    image rather than module by module in 1-bit: WeasyPrint turns a 1-bit PNG into RGB and
    encodes it twice more, a tenth of a render; a grayscale one it takes as it is.
    """
    symbol = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    matrix = symbol.to_image(scale=1, add_quiet_zones=False)  # a byte a module, 0 is dark
    modules = ImageOps.expand(Image.fromarray(matrix), border=QR_BORDER_MODULES, fill=255)
    side = modules.width * QR_BOX_PIXELS
    image = modules.resize((side, side), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    # WeasyPrint decodes and compresses it again for the PDF: compressing hard here is wasted.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def certificate_html(certificate: Any) -> str:
    """The certificate's HTML in its own language (user text is escaped by the template)."""
    url = verify_url(certificate.number)
    qr_data = qr_tokens.qr_url(certificate)
    with translation.override(certificate.language):
        snapshot = display_snapshot(certificate.snapshot)
        return render_to_string(
            "documents/certificate_pdf.html",
            {
                "certificate": certificate,
                "number": format_certificate_number(certificate.number),
                "snapshot": snapshot,
                "periods": periods_to_print(snapshot.get("periods", []), PRINTED_PERIODS),
                "verify_url": url,
                "qr_data_url": "data:image/png;base64,"
                + base64.b64encode(qr_png(qr_data)).decode(),
            },
        )


# The process's renders share its fonts (`_renderer`), whose Pango and fontconfig objects are not
# safe to use from two threads at once: where certificates render in threads (the embedded
# default runs tasks in the request's thread, so three people issuing at once render at once; a
# worker with a thread pool), they take turns. A prefork worker's process renders one at a time.
_RENDERING = threading.Lock()


def html_to_pdf(html: str) -> bytes:
    font_config, stylesheet, fetcher = _renderer()
    with _RENDERING:
        document = HTML(string=html, base_url=base_url(), url_fetcher=fetcher)
        return document.write_pdf(
            stylesheets=[stylesheet], font_config=font_config, pdf_variant=PDF_VARIANT
        )


def render_certificate_pdf(certificate: Any) -> bytes:
    return html_to_pdf(certificate_html(certificate))
