"""The upload handler: uploads stay in memory, never in a plaintext temporary file on disk.

Django's default handlers write any upload over 2.5 MB to a temporary file in plaintext; on a seized
server, deleted temporary files can be recovered. This handler keeps every file in memory up to
PROTECT_UPLOAD_MAX_BYTES (+1 byte, so the size check can see it is too large), then only counts
the rest: an oversized upload arrives as a truncated file whose `size` is the real size, and
store_upload refuses it with a clear message. Memory per request stays bounded by
MAX_FILES_PER_REQUEST files of at most the cap.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers

MAX_FILES_PER_REQUEST = 5


class CappedMemoryUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.files_seen = 0
        self.buffer = BytesIO()
        self.received = 0

    @property
    def cap(self) -> int:
        return settings.PROTECT_UPLOAD_MAX_BYTES

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if self.files_seen > MAX_FILES_PER_REQUEST:
            raise TooManyFilesSent(f"At most {MAX_FILES_PER_REQUEST} files per request.")
        self.buffer = BytesIO()
        self.received = 0
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.cap + 1 - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])
        self.received += len(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,  # the real size, even when the content was cut at the cap
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
