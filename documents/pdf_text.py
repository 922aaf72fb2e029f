"""The certificate's text layer keeps the zero-width non-joiner (U+200C) of Persian words.

Persian writes "بیمه‌ای", "می‌شود" with a ZWNJ between the parts of a word. Pango hands every
default-ignorable character to WeasyPrint as an empty glyph (PANGO_GLYPH_EMPTY), and WeasyPrint
draws nothing for it, so the character never reaches the PDF's ToUnicode map: copying the text,
searching it or reading it aloud gives "بیمهای", a different word (issue 12). Fonts made for
Persian, Vazirmatn among them, carry a glyph for U+200C with no outline and no advance, the way
InDesign writes it. Before WeasyPrint draws a line, `install()` swaps each empty glyph that
stands for a ZWNJ for that glyph: the page looks the same, and the text holds the ZWNJ.

WeasyPrint is pinned in requirements/base.txt; tests/documents/test_certificate_text_layer.py
fails if a new version draws the line another way.
"""

import functools
from typing import Any

import cffi
import weasyprint.draw.text
from weasyprint.text.ffi import ffi, pango

ZWNJ = "\u200c"
_ZWNJ_UTF8 = ZWNJ.encode()

_hb_ffi = cffi.FFI()
_hb_ffi.cdef("int hb_font_get_nominal_glyph (void *font, uint32_t unicode, uint32_t *glyph);")


@functools.cache
def _harfbuzz() -> Any:
    return _hb_ffi.dlopen("harfbuzz")


def _zwnj_glyph(pango_font: Any) -> int | None:
    """The font's own glyph for U+200C, or None if it has none."""
    hb_font = pango.pango_font_get_hb_font(pango_font)
    address = int(ffi.cast("uintptr_t", hb_font))
    glyph = _hb_ffi.new("uint32_t *")
    if not _harfbuzz().hb_font_get_nominal_glyph(_hb_ffi.cast("void *", address), ord(ZWNJ), glyph):
        return None
    return int(glyph[0])


def _show_zwnj_glyphs(textbox: Any) -> None:
    layout = textbox.pango_layout
    text = layout.text.encode()
    if _ZWNJ_UTF8 not in text:
        return
    # As draw_first_line does first, so that the line below is the one it draws.
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    line, _index = layout.get_first_line()
    run = line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        offset = glyph_item.item.offset
        replacement: int | None = None
        for i in range(glyphs.num_glyphs):
            info = glyphs.glyphs[i]
            if info.glyph != pango.PANGO_GLYPH_EMPTY:
                continue
            start = offset + glyphs.log_clusters[i]
            if text[start : start + len(_ZWNJ_UTF8)] != _ZWNJ_UTF8:
                continue
            if replacement is None:
                replacement = _zwnj_glyph(glyph_item.item.analysis.font)
                if replacement is None:
                    break
            info.glyph = replacement


def install() -> None:
    """Make WeasyPrint draw ZWNJs as the font's zero-width glyph (once per process)."""
    draw_first_line = weasyprint.draw.text.draw_first_line
    if getattr(draw_first_line, "keeps_zwnj", False):
        return

    @functools.wraps(draw_first_line)
    def drawing_zwnj(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        _show_zwnj_glyphs(textbox)
        return draw_first_line(stream, textbox, *args, **kwargs)

    drawing_zwnj.keeps_zwnj = True  # type: ignore[attr-defined]
    weasyprint.draw.text.draw_first_line = drawing_zwnj
