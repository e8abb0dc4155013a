"""Documents built in the tests, byte by byte: minimal valid PDFs, Word and OpenDocument files, clean
or carrying what an attacker would put in them."""

from __future__ import annotations

import io
import zipfile

DEFENDER_INFO = b"<< /Author (Real Name Of The Defender) /Producer (SpyWriter 1.0) /CreationDate (D:20240101) >>"


def pdf_bytes(*, catalog_extra: bytes = b"", page_extra: bytes = b"", extra_objects: tuple[bytes, ...] = (),
              info: bytes = DEFENDER_INFO, text: bytes = b"Hello") -> bytes:
    """A one-page PDF with a correct cross-reference table. Objects 1-5 are the catalog, the page
    tree, the page, its content and the document information; `extra_objects` are 6, 7, …"""
    content = b"BT /F1 12 Tf 20 100 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R " + page_extra + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        info,
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCX_BODY = '<w:p><w:r><w:t>A letter</w:t></w:r></w:p>'


def docx_bytes(*, body: str = DOCX_BODY, document_rels: str = "", settings: str = "", settings_rels: str = "",
               content_types: str = "", parts: dict[str, str] | None = None) -> bytes:
    """A Word document as Word writes one: content types, package and document relationships,
    the document, and optionally settings with their own relationships and other parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/>' + content_types + '</Types>'))
        archive.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/></Relationships>'))
        archive.writestr("word/document.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" xmlns:r="{R}">'
            f'<w:body>{body}</w:body></w:document>'))
        archive.writestr("word/_rels/document.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId9" Type="{R}/styles" Target="styles.xml"/>{document_rels}</Relationships>'))
        archive.writestr("word/styles.xml", f'<w:styles xmlns:w="{W}"/>')
        if settings or settings_rels:
            archive.writestr("word/settings.xml", f'<w:settings xmlns:w="{W}" xmlns:r="{R}">{settings}</w:settings>')
            archive.writestr("word/_rels/settings.xml.rels", (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{settings_rels}</Relationships>'))
        for name, text in (parts or {}).items():
            archive.writestr(name, text)
    return out.getvalue()


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"'
)
ODT_TEXT = '<text:p>A letter</text:p>'


def odt_bytes(*, body: str = ODT_TEXT, scripts: str = "<office:scripts/>", parts: dict[str, str] | None = None) -> bytes:
    """An OpenDocument text: the stored mimetype first, the manifest, content and styles."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>'))
        archive.writestr("content.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS}>{scripts}'
            f'<office:body><office:text>{body}</office:text></office:body></office:document-content>'))
        archive.writestr("styles.xml", f'<office:document-styles {ODF_NS}/>')
        for name, text in (parts or {}).items():
            archive.writestr(name, text)
    return out.getvalue()
