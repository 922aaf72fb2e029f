"""Uploaded files are refused while they stream in, as soon as they pass UPLOAD_MAX_BYTES.

Django's own handlers store the whole file (in memory or in a temporary file) before any form
sees its size, so a 300 MB "letter" filled the disk before it was refused. Here each file's bytes
are counted as they arrive; the moment a file passes the limit, what was kept of it is deleted
and the rest is read and dropped. Nothing over the limit is ever written anywhere.

Two choices are deliberate, both because of the CSRF check:

- The handler is installed for every request (`FILE_UPLOAD_HANDLERS`), not per view through
  `request.upload_handlers`: `CsrfViewMiddleware` reads `request.POST` before any view runs, and
  once the body is parsed the handlers can no longer change (a per-view handler would need the
  view to be `csrf_exempt` and protect itself again).
- It neither raises `StopUpload` nor `SkipFile`. `StopUpload` ends the parse, so every field sent
  after the file is lost: a form that sends its CSRF token last would get the 403 page instead
  of a message. `SkipFile` drops the file without a word, and the person reads "this field is
  required". Instead the parse goes on to the end and the form receives a `RefusedUpload`: the
  name and size that were sent, no content. Each form's own size check (the letter's, the MoU
  scan's, the staff list's) then shows its message in the person's language, next to the field,
  with everything else they typed kept.

The price is that the rest of an oversized body is still read from the network (and dropped);
the reverse proxy's body limit bounds that (docs/operations.md).
"""

import contextlib
import io
import os
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    TemporaryUploadedFile,
    UploadedFile,
)
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class RefusedUpload(UploadedFile):
    """A file refused for its size while it streamed in: its name and size, none of its bytes."""

    def __init__(
        self,
        *,
        name: str,
        content_type: str,
        size: int,
        charset: str | None,
        content_type_extra: dict[str, bytes] | None,
    ) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class SizeLimitedUploadHandler(FileUploadHandler):
    """Keeps each uploaded file in memory or a temporary file, never more than the limit of it."""

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        # As Django's memory handler decides: small requests stay in memory. On WSGI the stream
        # is cut at Content-Length, so a body cannot be larger than it claims.
        self.in_memory = 0 <= content_length <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        self.limit: int = settings.UPLOAD_MAX_BYTES

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False
        self.file: io.BytesIO | TemporaryUploadedFile = (
            io.BytesIO()
            if self.in_memory
            else TemporaryUploadedFile(
                self.file_name or "", self.content_type, 0, self.charset, self.content_type_extra
            )
        )
        raise StopFutureHandlers  # this handler stores the file; no other one should

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.refused:
            return
        if self.received > self.limit:
            self.refused = True
            self._discard()
            return
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        if self.refused:
            return RefusedUpload(
                name=self.file_name or "",
                content_type=self.content_type or "",
                size=file_size,
                charset=self.charset,
                content_type_extra=self.content_type_extra,
            )
        self.file.seek(0)
        if isinstance(self.file, TemporaryUploadedFile):
            self.file.size = file_size
            return self.file
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self._discard()

    def _discard(self) -> None:
        """Close and delete what was kept of the current file."""
        if isinstance(self.file, TemporaryUploadedFile):
            path = self.file.temporary_file_path()
            self.file.close()
            with contextlib.suppress(FileNotFoundError):  # closing it usually deleted it
                os.remove(path)
        else:
            self.file.close()
