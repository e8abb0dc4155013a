"""Encrypted file storage: uploads checked by content, stripped of image metadata, encrypted in chunks.

`store_upload(uploaded_file=..., owner=...)` takes an upload and an owner (any model instance with
`get_data_key()`: a defender, a grant) and returns an EncryptedFile. In order:

1. size: at most settings.PROTECT_UPLOAD_MAX_BYTES, counted while reading (the client's claim is
   not trusted);
2. type: detected from the content's magic bytes against an allow list (PDF, JPEG, PNG, UTF-8 plain
   text, ODT, DOCX); the claimed content type and extension are ignored;
3. images are decoded and re-encoded from their pixels only, so EXIF (GPS position, camera serial),
   XMP, ICC profiles and comments are dropped; orientation is applied first so nothing turns;
   documents are checked for active content and outside references (documents.py): a PDF is
   rewritten from its parsed objects without its metadata, an ODT or DOCX that carries macros,
   scripts, event handlers, embedded objects or links loaded on opening is refused;
4. encryption under the owner's data key in 64 KiB chunks, each sealed with AES-GCM and associated
   data binding the file id, the chunk index and a last-chunk flag: a removed, reordered or
   truncated chunk fails to decrypt;
5. written to PROTECT_FILES_DIR under a random name (0600) and renamed into place, so a crash never
   leaves half a file under a real name.

Any refusal raises UploadRejected with a message for the uploader and stores nothing.

Serving belongs to the app that owns the file (it checks the permission): it calls
`encrypted_file_response(file)`, which streams `open_decrypted(file)` as an attachment.

A file written for a transaction that then rolls back stays on disk, encrypted and unreferenced;
sweeping such orphans is left to a periodic task (not written yet).
"""

from __future__ import annotations

import io
import os
import secrets
import struct
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from protect.audit.services import log_event

from . import documents, primitives
from .errors import DecryptionError, UploadRejected
from .models import EncryptedFile, HasDataKey
from .reporting import report_decryption_failure

CHUNK_SIZE = 64 * 1024
FILE_MAGIC = b"PRTF\x01"
_HEADER = struct.Struct(">5sI")  # magic+version, chunk size
_CHUNK_AAD = b"protect.file.v1\x00"
MAX_IMAGE_PIXELS = 40_000_000  # 40 megapixels: any real photo; refuses decompression bombs

PDF, JPEG, PNG, TEXT, ODT, DOCX = "pdf", "jpeg", "png", "text", "odt", "docx"
ALLOWED_TYPES: dict[str, tuple[str, str]] = {  # kind → (content type served, extension)
    PDF: ("application/pdf", "pdf"),
    JPEG: ("image/jpeg", "jpg"),
    PNG: ("image/png", "png"),
    TEXT: ("text/plain; charset=utf-8", "txt"),
    ODT: ("application/vnd.oasis.opendocument.text", "odt"),
    DOCX: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
ALLOWED_DESCRIPTION = "PDF, JPEG, PNG, plain text (UTF-8), ODT or DOCX"


def _max_bytes() -> int:
    return settings.PROTECT_UPLOAD_MAX_BYTES


def _files_dir() -> Path:
    return Path(settings.PROTECT_FILES_DIR)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


# --- checks -----------------------------------------------------------------------------------


def _read_capped(uploaded_file: UploadedFile) -> bytes:
    limit = _max_bytes()
    too_large = UploadRejected(f"The file is larger than the limit of {_megabytes(limit)}.", code="too_large")
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise too_large
    uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        raise too_large
    if not content:
        raise UploadRejected("The file is empty.", code="empty")
    return content


def _looks_like_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text) or "\x7f" in text:
        return False
    # Markup is refused even as text: a browser that ignored our headers could render it.
    head = text.lstrip("\ufeff \t\r\n").lower()
    return not head.startswith(("<", "<!doctype", "<?xml"))


def _zip_kind(content: bytes) -> str | None:
    """ODT or DOCX by their package markers; what they carry is checked by documents.py."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                mimetype = archive.read("mimetype")[:100].strip()
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return None
    return None


def detect_kind(content: bytes) -> str | None:
    """The allowed kind of `content` judged by its bytes, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    if _looks_like_text(content):
        return TEXT
    return None


def strip_image_metadata(content: bytes, kind: str) -> bytes:
    """Re-encode from pixels only: no EXIF, GPS, XMP, ICC profile or comment survives."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UploadRejected("The image has too many pixels.", code="image_too_large")
            image.load()
            oriented = ImageOps.exif_transpose(image) or image
            if kind == JPEG:
                mode = oriented.mode if oriented.mode in {"RGB", "L"} else "RGB"
            else:
                mode = oriented.mode if oriented.mode in {"RGB", "RGBA", "L", "LA"} else "RGBA"
            converted = oriented.convert(mode) if oriented.mode != mode else oriented
            # frombytes builds a new image with an empty info dict: no metadata can be carried over.
            clean = Image.frombytes(mode, converted.size, converted.tobytes())
            out = io.BytesIO()
            if kind == JPEG:
                clean.save(out, format="JPEG", quality=90, optimize=True)
            else:
                clean.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UploadRejected("The image could not be read; it may be damaged.", code="bad_image") from exc


# --- encryption -------------------------------------------------------------------------------


def _chunk_aad(file_id: uuid.UUID, index: int, last: bool, chunk_size: int) -> bytes:
    return _CHUNK_AAD + file_id.bytes + struct.pack(">QIB", index, chunk_size, 1 if last else 0)


def _encrypt_to(path: Path, content: bytes, *, file: EncryptedFile) -> None:
    cipher = file.get_data_key().cipher()
    chunk_size = file.chunk_size
    count = max(1, -(-len(content) // chunk_size))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(_HEADER.pack(FILE_MAGIC, chunk_size))
        for index in range(count):
            chunk = content[index * chunk_size : (index + 1) * chunk_size]
            nonce = os.urandom(primitives.NONCE_BYTES)
            aad = _chunk_aad(file.id, index, index == count - 1, chunk_size)
            out.write(nonce + cipher.encrypt(nonce, chunk, aad))
        out.flush()
        os.fsync(out.fileno())


def _path_of(file: EncryptedFile) -> Path:
    return _files_dir() / file.storage_name[:2] / file.storage_name


def store_upload(*, uploaded_file: UploadedFile, owner: HasDataKey) -> EncryptedFile:
    """Check, clean, encrypt and store an upload under `owner`'s data key. UploadRejected if refused."""
    content = _read_capped(uploaded_file)
    kind = detect_kind(content)
    if kind is None:
        raise UploadRejected(f"This type of file is not accepted. Accepted: {ALLOWED_DESCRIPTION}.", code="bad_type")
    if kind in {JPEG, PNG}:
        content = strip_image_metadata(content, kind)
    elif kind == PDF:
        content = documents.clean_pdf(content)
    elif kind == ODT:
        documents.check_odt(content)
    elif kind == DOCX:
        documents.check_docx(content)
    content_type, extension = ALLOWED_TYPES[kind]
    data_key = owner.get_data_key()
    file = EncryptedFile(
        data_key=data_key,
        storage_name=secrets.token_hex(32),
        original_name=os.path.basename(uploaded_file.name or "")[:200],
        content_type=content_type,
        extension=extension,
        size=len(content),
        chunk_size=CHUNK_SIZE,
    )
    file.full_clean()
    final = _path_of(file)
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".partial")
    try:
        _encrypt_to(partial, content, file=file)
        os.replace(partial, final)
        with transaction.atomic():
            file.save(force_insert=True)
            log_event("crypto.file.stored", target=file, data={"size": file.size, "type": extension})
    except BaseException:
        partial.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise
    return file


def open_decrypted(file: EncryptedFile) -> Iterator[bytes]:
    """The plaintext, chunk by chunk. Raises at once if the key is destroyed (DataKeyDestroyed) or the
    file is missing or has a bad header; while iterating, DecryptionError if a chunk was altered,
    moved, reordered or cut off. Every chunk handed out has been authenticated."""
    cipher = file.get_data_key().cipher()
    try:
        handle = open(_path_of(file), "rb")  # closed by _decrypted_chunks, or below on a bad header
    except FileNotFoundError:
        raise DecryptionError("The stored file is missing.", code="file_missing") from None
    header = handle.read(_HEADER.size)
    if len(header) != _HEADER.size or _HEADER.unpack(header) != (FILE_MAGIC, file.chunk_size):
        handle.close()
        raise DecryptionError("The stored file is damaged (bad header).")
    return _decrypted_chunks(file, cipher, handle)


def _decrypted_chunks(file: EncryptedFile, cipher: Any, handle: Any) -> Iterator[bytes]:
    record = file.chunk_size + primitives.NONCE_BYTES + primitives.TAG_BYTES
    try:
        index = 0
        current = handle.read(record)
        if not current:
            raise DecryptionError("The stored file is damaged (no content).")
        while current:
            following = handle.read(record)
            aad = _chunk_aad(file.id, index, not following, file.chunk_size)
            try:
                plain = cipher.decrypt(current[: primitives.NONCE_BYTES], current[primitives.NONCE_BYTES :], aad)
            except Exception:  # noqa: BLE001 - InvalidTag or a short record: both mean tampering
                error = DecryptionError("The stored file failed its integrity check (altered, reordered or cut off).")
                report_decryption_failure(instance=file, field_name="content", error=error)
                raise error from None
            yield plain
            index += 1
            current = following
    finally:
        handle.close()


def encrypted_file_response(file: EncryptedFile) -> StreamingHttpResponse:
    """A download of `file` for a view that has already checked the permission (and audited it).

    An erased owner, a missing file or a bad header raise here, before any header is sent; a chunk
    failing its check later cuts the download short (what was sent was authentic)."""
    response = StreamingHttpResponse(open_decrypted(file), content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = content_disposition_header(True, file.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, max-age=0"
    return response


def delete_stored_bytes_on_commit(file: EncryptedFile) -> None:
    """Remove the encrypted bytes once the transaction commits (a rollback keeps them)."""
    path = _path_of(file)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def encrypted_file_delete(*, file: EncryptedFile) -> None:
    """Remove the row and, after commit, the bytes."""
    delete_stored_bytes_on_commit(file)
    file.delete()


def encrypted_file_move(*, file: EncryptedFile, owner: HasDataKey) -> EncryptedFile:
    """Re-encrypt a file under another owner's data key (a merge of duplicate defenders).

    The new bytes get a new random name; the old ones are removed after commit."""
    new_key = owner.get_data_key()
    if file.data_key_id == new_key.pk:
        return file
    content = b"".join(open_decrypted(file))
    original_name = file.original_name
    delete_stored_bytes_on_commit(file)
    file.data_key = new_key
    file.original_name = original_name
    file.storage_name = secrets.token_hex(32)
    final = _path_of(file)
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".partial")
    try:
        _encrypt_to(partial, content, file=file)
        os.replace(partial, final)
        file.save(update_fields=["data_key", "original_name", "storage_name"])
    except BaseException:
        partial.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise
    return file
