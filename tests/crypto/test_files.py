"""Encrypted uploads: size cap, type by content, image metadata stripped, nothing readable on disk,
tampering (truncation, reordering, swapping) detected, safe download headers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from protect.crypto.errors import DataKeyDestroyed, DecryptionError, UploadRejected
from protect.crypto.files import (
    CHUNK_SIZE,
    _path_of,
    encrypted_file_response,
    open_decrypted,
    store_upload,
)
from protect.crypto.models import EncryptedFile
from protect.defenders.services import defender_create, defender_erase
from tests.documents import pdf_bytes

RECORD = CHUNK_SIZE + 12 + 16
HEADER = 9


@pytest.fixture
def owner(coordinator):
    return defender_create(by=coordinator, pseudonym="Owner", legal_name="File Owner", country="GT")


def _stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _plain(file: EncryptedFile) -> bytes:
    return b"".join(open_decrypted(file))


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"
    exif[0x0112] = 6  # orientation: rotate 90° when shown
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "E", 4: (0.0, 7.0, 39.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at the safe house")
    return out.getvalue()


@pytest.mark.django_db
def test_a_file_over_the_size_cap_is_rejected_with_a_clear_message_and_nothing_is_stored(owner, settings, files_dir):
    settings.PROTECT_UPLOAD_MAX_BYTES = 4096
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n" + b"x" * 5000, content_type="application/pdf")
    with pytest.raises(UploadRejected, match="larger than the limit of 4 KB"):
        store_upload(uploaded_file=upload, owner=owner)
    assert _stored_files(files_dir) == []
    assert not EncryptedFile.objects.exists()


@pytest.mark.django_db
def test_the_size_is_counted_not_taken_from_the_client(owner, settings, files_dir):
    settings.PROTECT_UPLOAD_MAX_BYTES = 4096
    upload = SimpleUploadedFile("note.txt", b"a" * 5000)
    upload.size = 10  # a lying client
    with pytest.raises(UploadRejected, match="larger than the limit"):
        store_upload(uploaded_file=upload, owner=owner)
    assert _stored_files(files_dir) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),  # Windows executable
        ("invoice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("data.txt", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40),  # Linux executable
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 40),  # a zip that is no document
    ],
)
@pytest.mark.django_db
def test_a_file_whose_content_is_not_an_allowed_type_is_rejected_whatever_its_name(owner, files_dir, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(UploadRejected, match="This type of file is not accepted"):
        store_upload(uploaded_file=upload, owner=owner)
    assert _stored_files(files_dir) == []
    assert not EncryptedFile.objects.exists()


def _docx(*extra: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for name in extra:
            archive.writestr(name, "macro")
    return out.getvalue()


@pytest.mark.django_db
def test_a_word_document_is_accepted_but_not_one_with_macros(owner):
    stored = store_upload(uploaded_file=SimpleUploadedFile("letter.docx", _docx()), owner=owner)
    assert stored.extension == "docx"
    with pytest.raises(UploadRejected):
        store_upload(uploaded_file=SimpleUploadedFile("letter.docx", _docx("word/vbaProject.bin")), owner=owner)


@pytest.mark.django_db
def test_the_type_comes_from_the_content_not_the_claimed_name(owner):
    upload = SimpleUploadedFile("scan.jpg", pdf_bytes(), "image/jpeg")
    stored = store_upload(uploaded_file=upload, owner=owner)
    assert (stored.content_type, stored.extension) == ("application/pdf", "pdf")
    assert stored.download_name == "scan.pdf"


@pytest.mark.django_db
def test_a_jpeg_with_exif_gps_is_stored_without_it(owner):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry a position
    stored = store_upload(uploaded_file=SimpleUploadedFile("IMG_0001.JPG", original, "image/jpeg"), owner=owner)
    cleaned = _plain(stored)
    image = Image.open(io.BytesIO(cleaned))
    assert image.format == "JPEG"
    assert not image.getexif()  # no EXIF at all: no GPS, no camera, no orientation tag
    assert "exif" not in image.info and "comment" not in image.info
    assert b"Exif" not in cleaned and b"SpyCam" not in cleaned and b"safe house" not in cleaned
    assert image.size == (48, 64)  # the orientation was applied before the tag was dropped


@pytest.mark.django_db
def test_png_text_chunks_are_removed(owner):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Real Name Of The Defender")
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "PNG", pnginfo=info)
    stored = store_upload(uploaded_file=SimpleUploadedFile("a.png", out.getvalue()), owner=owner)
    assert b"Real Name" not in _plain(stored)


@pytest.mark.django_db
def test_the_stored_file_on_disk_contains_no_plaintext(owner, files_dir):
    secret = "Safe house at 12 Calle Roble, Quetzaltenango; driver Luis, plate P-123ABC.\n" * 2000
    stored = store_upload(uploaded_file=SimpleUploadedFile("plan Luis.txt", secret.encode()), owner=owner)
    [on_disk] = _stored_files(files_dir)
    raw = on_disk.read_bytes()
    assert b"Calle Roble" not in raw and b"Luis" not in raw
    assert "Luis" not in on_disk.name and on_disk.name == stored.storage_name
    assert oct(on_disk.stat().st_mode & 0o777) == "0o600"
    assert _plain(stored) == secret.encode()
    assert EncryptedFile.objects.get(pk=stored.pk).original_name == "plan Luis.txt"


def _multi_chunk_file(owner) -> EncryptedFile:
    content = b"".join(b"line %07d of the notes\n" % n for n in range(10_000))  # 240000 bytes: four chunks
    return store_upload(uploaded_file=SimpleUploadedFile("notes.txt", content), owner=owner)


@pytest.mark.django_db
def test_a_truncated_encrypted_file_fails_to_decrypt(owner):
    stored = _multi_chunk_file(owner)
    path = _path_of(stored)
    raw = path.read_bytes()
    assert len(_plain(stored)) == stored.size
    path.write_bytes(raw[: HEADER + 3 * RECORD])  # the last chunk cut off at a chunk boundary
    with pytest.raises(DecryptionError, match="altered, reordered or cut off"):
        _plain(stored)
    path.write_bytes(raw[:-10])  # a few bytes missing
    with pytest.raises(DecryptionError):
        _plain(stored)


@pytest.mark.django_db
def test_reordered_chunks_fail_to_decrypt(owner):
    stored = _multi_chunk_file(owner)
    path = _path_of(stored)
    raw = path.read_bytes()
    first, second = raw[HEADER : HEADER + RECORD], raw[HEADER + RECORD : HEADER + 2 * RECORD]
    path.write_bytes(raw[:HEADER] + second + first + raw[HEADER + 2 * RECORD :])
    with pytest.raises(DecryptionError):
        _plain(stored)


@pytest.mark.django_db
def test_the_bytes_of_one_file_do_not_decrypt_as_another_file_of_the_same_owner(owner):
    one = store_upload(uploaded_file=SimpleUploadedFile("a.txt", b"first document"), owner=owner)
    two = store_upload(uploaded_file=SimpleUploadedFile("b.txt", b"second document"), owner=owner)
    _path_of(two).write_bytes(_path_of(one).read_bytes())
    with pytest.raises(DecryptionError):
        _plain(two)


@pytest.mark.django_db
def test_the_download_response_is_an_attachment_that_browsers_must_not_sniff(owner):
    stored = store_upload(uploaded_file=SimpleUploadedFile("<b>évidence</b>.txt", b"hello"), owner=owner)
    response = encrypted_file_response(stored)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"hello"


@pytest.mark.django_db
def test_files_of_an_erased_defender_cannot_be_read_and_their_bytes_are_removed(owner, coordinator, files_dir,
                                                                                 django_capture_on_commit_callbacks):
    stored = store_upload(uploaded_file=SimpleUploadedFile("a.txt", b"statement"), owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        defender_erase(defender=owner, by=coordinator, reason="Asked to be forgotten")
    erased_file = EncryptedFile.objects.select_related("data_key").get(pk=stored.pk)
    with pytest.raises(DataKeyDestroyed):
        _plain(erased_file)
    with pytest.raises(DataKeyDestroyed):  # before any byte or header of a response is produced
        encrypted_file_response(erased_file)
    assert _stored_files(files_dir) == []


@pytest.mark.django_db
def test_the_upload_handler_never_buffers_more_than_the_cap(settings):
    from protect.crypto.uploads import CappedMemoryUploadHandler

    settings.PROTECT_UPLOAD_MAX_BYTES = 2048
    settings.FILE_UPLOAD_HANDLERS = ["protect.crypto.uploads.CappedMemoryUploadHandler"]
    request = RequestFactory().post("/upload", {"file": SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * 10_000)})
    uploaded = request.FILES["file"]
    assert isinstance(request.upload_handlers[0], CappedMemoryUploadHandler)
    assert uploaded.size == 10_004  # the real size, so store_upload can refuse it
    assert len(uploaded.read()) == 2049  # no more than the cap (+1) was kept, and only in memory
