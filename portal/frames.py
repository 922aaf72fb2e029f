"""Pages drawn once per process as a frame, with only their per-request parts drawn each time.

A busy page (the agency panel's lookup) is mostly the same for everyone who sees it in a
language: the layout, the menus, the headings, the blank form. `render_framed` draws the whole
template once for a key, with a marker where each `{% per_request %}...{% endper_request %}`
block would go, and keeps the result in this process's memory; every request then draws only
those blocks, with the request's own context, and joins them into the frame. The output is the
one `render()` would give: tests/inquiries/test_lookup_page_frame.py compares the two.

Rules for a template drawn this way (the same as for the `{% cache %}` fragments it replaces):
everything outside a `per_request` block may depend only on what the frame's key names; a
`per_request` block reads only the page's own context (not a loop's or a `with`'s variables),
and is never inside a `{% cache %}` fragment. Drawn by `render()`, a `per_request` block is
drawn where it stands, so the same template serves both ways.
"""

import threading
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.template import Context, NodeList
from django.template.backends.django import Template as BackendTemplate
from django.template.context import make_context
from django.template.loader import get_template

# Where the frame's per-request blocks stand; never in a page's own text (a NUL character,
# which the portal refuses in every request: portal.middleware.RejectNullCharactersMiddleware).
MARKER = "\x00per-request\x00"
# The context variable a frame's drawing collects the blocks in.
HOLES = "_frame_holes"


@dataclass(frozen=True)
class Frame:
    template: BackendTemplate
    parts: tuple[str, ...]  # the frame's text around the blocks: one more than the blocks
    holes: tuple[NodeList, ...]


_frames: dict[tuple[str, Hashable], Frame] = {}
_lock = threading.Lock()


def render_framed(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    key: Hashable,
    status: int | None = None,
) -> HttpResponse:
    """`render(request, template_name, context)`, drawing the frame once per `key`: the key
    names everything outside the template's per-request blocks (language, page, role ...)."""
    frame = _frames.get((template_name, key))
    if frame is None:
        frame = _draw_frame(request, template_name, context)
        with _lock:
            frame = _frames.setdefault((template_name, key), frame)
    return HttpResponse(_fill(frame, request, context), status=status)


def _draw_frame(request: HttpRequest, template_name: str, context: dict[str, Any]) -> Frame:
    template = cast(BackendTemplate, get_template(template_name))  # the Django engine's
    holes: list[NodeList] = []
    text = template.render({**context, HOLES: holes}, request)
    parts = tuple(text.split(MARKER))
    if len(parts) != len(holes) + 1:
        raise ValueError(f"{template_name}: a per-request block stands where it cannot be framed")
    return Frame(template=template, parts=parts, holes=tuple(holes))


def _fill(frame: Frame, request: HttpRequest, context: dict[str, Any]) -> str:
    engine_template = frame.template.template
    page: Context = make_context(
        context, request, autoescape=frame.template.backend.engine.autoescape
    )
    pieces = [frame.parts[0]]
    with page.render_context.push_state(engine_template), page.bind_template(engine_template):
        for hole, after in zip(frame.holes, frame.parts[1:], strict=True):
            pieces.append(hole.render(page))
            pieces.append(after)
    return "".join(pieces)


def forget_frames() -> None:
    """For tests that change what a frame would hold (translations, settings)."""
    with _lock:
        _frames.clear()
