"""Documents checked for what runs or reaches out when they are opened: PDF, ODT, DOCX.

A caseworker opens what a stranger uploaded, on the machine that holds the case files. A document
that runs code (JavaScript, macros, ActiveX, event handlers) or fetches something when it is opened
(an external template, a linked image, a DDE or INCLUDE field) can take that machine over, or tell
whoever sent it when, and from where, it was read. So:

- a PDF is parsed (pikepdf, i.e. qpdf) and refused if any object carries an action that runs or
  reaches out on its own (JavaScript, Launch, SubmitForm, remote GoTo, an OpenAction that is not a
  plain jump, additional actions), an embedded file, rich media or XFA; what passes is written anew
  from its parsed objects, so bytes that are not PDF (an HTML body, an earlier revision) are left
  behind, and its metadata (document information, XMP, application data) is dropped;
- an ODT or DOCX is read as a zip of XML parts, each parsed with DTDs refused (no entity tricks),
  namespace-aware so a renamed prefix hides nothing, and refused if it carries macros, scripts,
  event listeners, ActiveX or OLE objects, DDE, or any reference outside the package other than a
  clickable http(s) or mailto link. It is stored as sent: what is left cannot act on its own.

Anything that cannot be read or checked within fixed limits (encrypted, damaged, too many parts, a
zip bomb) is refused: a document we cannot check is not stored.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, NoReturn
from xml.parsers import expat

import pikepdf

from .errors import UploadRejected

ACTIVE_CONTENT_MESSAGE = (
    "The document contains active content or links to outside content (macros, scripts, embedded "
    "objects, external templates or images), which are not accepted. Save it without them, for "
    "example as a plain PDF, and send it again."
)
UNREADABLE_MESSAGE = "The document could not be read and checked; it may be damaged or encrypted."

MAX_PDF_OBJECTS = 200_000
MAX_ZIP_ENTRIES = 2_000
MAX_XML_BYTES = 64 * 1024 * 1024  # all XML parts together, counted while decompressing
_READ_CHUNK = 64 * 1024


def _active() -> UploadRejected:
    return UploadRejected(ACTIVE_CONTENT_MESSAGE, code="active_content")


def _unreadable() -> UploadRejected:
    # "bad_type" for the uploader: what cannot be read as the document it claims to be is not one.
    return UploadRejected(UNREADABLE_MESSAGE, code="bad_type")


# --- PDF --------------------------------------------------------------------------------------

# Actions that run code, open or submit something, or load another document by themselves.
_PDF_REFUSED_ACTIONS = {
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition",
    "/Movie", "/Sound", "/RichMediaExecute",
}
# Keys that hold scripts, actions fired by events, embedded files, XFA forms or rich media.
_PDF_REFUSED_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA", "/EmbeddedFile", "/EmbeddedFiles", "/RichMediaContent"}
_PDF_REFUSED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
# Metadata: who wrote it, with what, when; an application's private copy of the document.
_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")


def _pdf_children(obj: Any) -> Iterator[Any]:
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        yield from obj.values()
    elif isinstance(obj, pikepdf.Array):
        yield from obj


def _check_pdf_dictionary(obj: Any, *, is_catalog: bool) -> None:
    keys = set(obj.keys())
    if keys & _PDF_REFUSED_KEYS:
        raise _active()
    if obj.get("/S") in _PDF_REFUSED_ACTIONS or obj.get("/Subtype") in _PDF_REFUSED_ANNOTATIONS:
        raise _active()
    if obj.get("/FS") == pikepdf.Name("/URL"):
        raise _active()  # a file specification that is a web address
    if is_catalog and "/OpenAction" in keys:
        # Opening at a page is a destination (an array) or a plain GoTo; anything else acts on open.
        action = obj["/OpenAction"]
        if not isinstance(action, pikepdf.Array) and action.get("/S") != pikepdf.Name("/GoTo"):
            raise _active()


def _check_pdf(pdf: pikepdf.Pdf) -> None:
    catalog = pdf.Root.objgen
    for count, top in enumerate(pdf.objects):
        if count > MAX_PDF_OBJECTS:
            raise _unreadable()
        # Indirect objects are each visited by this loop; direct ones nested in them by the stack.
        stack = [top]
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Stream):
                if "/F" in obj.stream_dict:
                    raise _active()  # the stream's data lives in an outside file
                _check_pdf_dictionary(obj.stream_dict, is_catalog=False)
            elif isinstance(obj, pikepdf.Dictionary):
                _check_pdf_dictionary(obj, is_catalog=obj.is_indirect and obj.objgen == catalog)
            # Scalars come back as Python values; only containers that are not indirect go on.
            stack.extend(child for child in _pdf_children(obj)
                         if isinstance(child, pikepdf.Object) and not child.is_indirect)


def _strip_pdf_metadata(pdf: pikepdf.Pdf) -> None:
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for obj in pdf.objects:
        target = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
        if isinstance(target, pikepdf.Dictionary):
            for key in _PDF_METADATA_KEYS:
                if key in target:
                    del target[key]


def clean_pdf(content: bytes) -> bytes:
    """The PDF written anew from its parsed objects, without metadata; UploadRejected if it carries
    active content or cannot be read."""
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            if len(pdf.pages) == 0:
                raise _unreadable()
            _check_pdf(pdf)
            _strip_pdf_metadata(pdf)
            out = io.BytesIO()
            # No encryption kept (we encrypt at rest), and an /ID derived from the content, not the clock.
            pdf.save(out, encryption=False, deterministic_id=True, fix_metadata_version=False)
            return out.getvalue()
    except UploadRejected:
        raise
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise _unreadable() from exc


# --- ODT and DOCX: the zip and its XML parts -------------------------------------------------

# (namespace, local name, attributes): attributes keep expat's "namespace local" names, so an
# attribute of another namespace with the same local name cannot stand in for the one we check.
ElementCheck = Callable[[str, str, dict[str, str]], None]


def _split(name: str) -> tuple[str, str]:
    namespace, _, local = name.rpartition(" ")
    return namespace, local


def _no_dtd(*_args: Any) -> NoReturn:
    raise _unreadable()  # OOXML and ODF never need a DTD: entity tricks stop here


def _parse_xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], *,
                    start: ElementCheck, end: Callable[[str, str], None] | None = None,
                    text: Callable[[str], None] | None = None) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.ExternalEntityRefHandler = _no_dtd
    parser.StartElementHandler = lambda name, attrs: start(*_split(name), attrs)
    if end is not None:
        parser.EndElementHandler = lambda name: end(*_split(name))
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(info) as part:
            while chunk := part.read(_READ_CHUNK):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise _unreadable()  # more XML than any real document: a zip bomb
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _unreadable() from exc


def _entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES or any(info.flag_bits & 0x1 for info in entries):
        raise _unreadable()  # too many parts to check, or encrypted parts we cannot read
    return entries


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


_SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _safe_link(target: str) -> bool:
    """A link a person may click: to the web, to an address, or within the document."""
    value = target.strip().lower()
    return value.startswith(_SAFE_LINK_SCHEMES) or value.startswith("#")


def _inside_package(target: str) -> bool:
    """A reference to a part of the same document (Pictures/1.png), not to anything outside it."""
    value = target.strip().replace("\\", "/")
    return bool(value) and not _SCHEME.match(value) and not value.startswith(("/", "../"))


def _check_zip(content: bytes, check: Callable[[zipfile.ZipFile, list[zipfile.ZipInfo]], None]) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check(archive, _entries(archive))
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
        raise _unreadable() from exc


# --- ODT ------------------------------------------------------------------------------------

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_XLINK = "http://www.w3.org/1999/xlink"
# Elements that run or embed code whatever their namespace prefix says.
_ODF_REFUSED = {
    (_ODF_OFFICE, "script"), (_ODF_TEXT, "script"), (_ODF_DRAW, "applet"), (_ODF_DRAW, "plugin"),
    (_ODF_DRAW, "object-ole"), (_ODF_MANIFEST, "encryption-data"),
}
# Hyperlinks: followed only when a person clicks them.
_ODF_LINKS = {(_ODF_TEXT, "a"), (_ODF_DRAW, "a")}
_ODF_MACRO_URL = re.compile(r"^\s*(vnd\.sun\.star\.(script|basic)|macro|javascript|vbscript):", re.IGNORECASE)
_ODF_MACRO_FOLDERS = ("Basic/", "Scripts/", "Dialogs/")


def _odt_element(namespace: str, local: str, attrs: dict[str, str], href: str | None) -> None:
    # Event listeners (office:event-listeners, script:/presentation:event-listener) run macros
    # or scripts on open, on load, on a mouse-over; DDE fields reach into other programs.
    if local in {"event-listener", "event-listeners"} or local.startswith("dde-"):
        raise _active()
    if (namespace, local) in _ODF_REFUSED:
        raise _active()
    if any(_ODF_MACRO_URL.match(value) for value in attrs.values()):
        raise _active()
    if href is None:
        return
    if (namespace, local) in _ODF_LINKS:
        if not (_safe_link(href) or _inside_package(href)):
            raise _active()  # file:, smb: and the like leak the reader's credentials when clicked
    elif not _inside_package(href):
        raise _active()  # an image, object or section loaded from outside when the document opens


def check_odt(content: bytes) -> None:
    """UploadRejected if the text document carries macros, scripts, event handlers, OLE objects,
    DDE or outside references loaded on opening; None if it may be stored as sent."""

    def check(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
        budget = [MAX_XML_BYTES]
        if any(info.filename.startswith(_ODF_MACRO_FOLDERS) for info in entries):
            raise _active()

        def start(namespace: str, local: str, attrs: dict[str, str]) -> None:
            _odt_element(namespace, local, attrs, attrs.get(f"{_XLINK} href"))

        for info in entries:
            if _is_xml(info.filename):
                _parse_xml_part(archive, info, budget, start=start)

    _check_zip(content, check)


# --- DOCX -----------------------------------------------------------------------------------

_W = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main"}
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Relationship types (the last segment of the Type URI, transitional or strict) of parts that run
# code or pull another document in: templates, ActiveX, OLE, alternative chunks (HTML, RTF), macros.
_DOCX_REFUSED_RELATIONSHIPS = {
    "attachedtemplate", "control", "activexcontrolbinary", "oleobject", "afchunk", "package", "vbaproject",
    "wordvbadata", "vbaprojectsignature", "subdocument", "frame", "keymapcustomizations",
}
_DOCX_REFUSED_CONTENT_TYPES = ("macroenabled", "vbaproject", "activex", "oleobject", "ms-office.vba")
_DOCX_REFUSED_PARTS = ("vbaproject", "vbadata", "activex", "embeddings/")
_DOCX_REFUSED_ELEMENTS = {"control", "altChunk", "OLEObject", "objectEmbed", "objectLink"}
# Field codes that run another program (DDE) or load something from outside on update.
_DOCX_DDE = re.compile(r"\bDDE(AUTO)?\b", re.IGNORECASE)
_DOCX_OUTSIDE_FIELDS = {"INCLUDETEXT", "INCLUDEPICTURE", "IMPORT", "LINK", "DDE", "DDEAUTO"}


def _w_attr(attrs: dict[str, str], local: str) -> str | None:
    return next((attrs[f"{ns} {local}"] for ns in _W if f"{ns} {local}" in attrs), None)


def _docx_field(instruction: str) -> None:
    words = instruction.replace('"', " ").split()
    if _DOCX_DDE.search(instruction) or (words and words[0].upper() in _DOCX_OUTSIDE_FIELDS):
        raise _active()


class _DocxFields:
    """Field instructions of one part, put together from their runs ("DD" + "EAUTO"), nested too."""

    def __init__(self) -> None:
        self.open: list[list[str]] = []
        self.in_instruction = False

    def start(self, namespace: str, local: str, attrs: dict[str, str]) -> None:
        if namespace not in _W:
            return
        if local == "fldSimple":
            _docx_field(_w_attr(attrs, "instr") or "")
        elif local == "fldChar":
            kind = _w_attr(attrs, "fldCharType")
            if kind == "begin":
                self.open.append([])
            elif kind in {"separate", "end"} and self.open:
                _docx_field("".join(self.open[-1]))
                if kind == "end":
                    self.open.pop()
                else:
                    self.open[-1] = []
        elif local == "instrText":
            self.in_instruction = True

    def end(self, namespace: str, local: str) -> None:
        if namespace in _W and local == "instrText":
            self.in_instruction = False

    def text(self, data: str) -> None:
        if self.in_instruction:
            if self.open:
                self.open[-1].append(data)
            else:
                _docx_field(data)

    def close(self) -> None:
        for pending in self.open:
            _docx_field("".join(pending))


def _docx_element(namespace: str, local: str, attrs: dict[str, str]) -> None:
    if local in _DOCX_REFUSED_ELEMENTS:
        raise _active()  # ActiveX controls, OLE objects, alternative chunks, in any namespace
    if namespace == _RELATIONSHIPS and local == "Relationship":
        kind = attrs.get("Type", "").rstrip("/").rsplit("/", 1)[-1].lower()
        if kind in _DOCX_REFUSED_RELATIONSHIPS:
            raise _active()
        if attrs.get("TargetMode", "").lower() == "external":
            # Only a hyperlink may point outside, and only to the web or an address: an external
            # template, image or frame is fetched when the document opens.
            if kind != "hyperlink" or not _safe_link(attrs.get("Target", "")):
                raise _active()
    if local in {"Default", "Override"}:
        content_type = attrs.get("ContentType", "").lower()
        if any(marker in content_type for marker in _DOCX_REFUSED_CONTENT_TYPES):
            raise _active()


def check_docx(content: bytes) -> None:
    """UploadRejected if the Word document carries macros, ActiveX, OLE objects, an external
    template or other outside references, or DDE/INCLUDE fields; None if it may be stored as sent."""

    def check(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
        budget = [MAX_XML_BYTES]
        for info in entries:
            name = info.filename.lower()
            if any(marker in name for marker in _DOCX_REFUSED_PARTS) or name.endswith(".bin"):
                raise _active()
        for info in entries:
            if not _is_xml(info.filename):
                continue
            fields = _DocxFields()

            def start(namespace: str, local: str, attrs: dict[str, str], fields: _DocxFields = fields) -> None:
                _docx_element(namespace, local, attrs)
                fields.start(namespace, local, attrs)

            _parse_xml_part(archive, info, budget, start=start, end=fields.end, text=fields.text)
            fields.close()

    _check_zip(content, check)
