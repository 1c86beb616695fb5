"""Word .docx: paragraphs and tables in document order, headings and list items kept as structure.

The zip is checked before python-docx opens it: a member that expands past the limits (a zip bomb) is refused
without being inflated. The sizes a zip declares can lie, and zipfile inflates a whole member in one call whatever
it declares, so each member is also inflated once here, in bounded pieces, and refused as soon as it outgrows what it
declared. python-docx parses XML with entity resolution off, so external entities are not fetched.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from kcapture.document import Block
from kcapture.errors import LimitExceededError, UnreadableFileError
from kcapture.ingest.assemble import check_text_size
from kcapture.ingest.base import Extracted, Reader
from kcapture.limits import DEFAULT_LIMITS, Limits


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise UnreadableFileError(
            "ไฟล์ Word (.docx) เสียหายหรือไม่สมบูรณ์", "the Word file (.docx) is damaged or incomplete"
        ) from err
    if "word/document.xml" not in {i.filename for i in infos}:
        raise UnreadableFileError(
            "ไฟล์นี้ไม่ใช่เอกสาร Word (.docx) ที่ถูกต้อง", "this is not a valid Word document (.docx)"
        )
    total = xml = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        too_dense = info.file_size > 10_000_000 and ratio > limits.max_docx_compression_ratio
        if total > limits.max_docx_uncompressed_bytes or too_dense:
            raise _bomb()
        if info.filename.lower().endswith((".xml", ".rels")):
            xml += info.file_size
            if xml > limits.max_docx_xml_bytes:
                raise LimitExceededError(
                    f"เนื้อหา XML ของไฟล์ Word ใหญ่เกินขีดจำกัด {limits.max_docx_xml_bytes / 2**20:.0f} MB",
                    f"the Word file's XML content is over the limit of {limits.max_docx_xml_bytes / 2**20:.0f} MB",
                )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Word writes only these; zipfile inflates bzip2/lzma members without any output bound.
            raise UnreadableFileError(
                "ไฟล์ Word (.docx) ใช้การบีบอัดที่ไม่รองรับ", "the Word file (.docx) uses an unsupported compression method"
            )
    for info in infos:
        if info.compress_type == zipfile.ZIP_DEFLATED:
            _check_inflated_size(data, info)


def _bomb() -> LimitExceededError:
    return LimitExceededError(
        "ไฟล์ Word ขยายตัวใหญ่ผิดปกติ (อาจเป็น zip bomb) จึงไม่เปิดอ่าน",
        "the Word file expands to an abnormal size (possible zip bomb); not opened",
    )


def _check_inflated_size(data: bytes, info: zipfile.ZipInfo, piece: int = 1 << 20) -> None:
    """Inflate a member in pieces of at most `piece` bytes; refuse it as soon as it outgrows its declared size."""
    off = info.header_offset
    if data[off : off + 4] != b"PK\x03\x04" or len(data) < off + 30:
        raise UnreadableFileError(
            "ไฟล์ Word (.docx) เสียหายหรือไม่สมบูรณ์", "the Word file (.docx) is damaged or incomplete"
        )
    name_len, extra_len = struct.unpack("<HH", data[off + 26 : off + 30])
    start = off + 30 + name_len + extra_len
    pending = memoryview(data)[start : start + info.compress_size]
    inflater = zlib.decompressobj(-15)
    size = 0
    try:
        while not inflater.eof:
            out = inflater.decompress(pending, piece)
            size += len(out)
            if size > info.file_size:
                raise _bomb()
            pending = inflater.unconsumed_tail
            if not out and not pending:
                break  # the data ends before the stream does: python-docx will report the damage
    except zlib.error:
        return  # damaged data: python-docx will say so when it reads the member


def read_docx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    _check_zip(data, limits)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises many types (KeyError, XMLSyntaxError, ValueError) for broken files
        raise UnreadableFileError(
            "ไฟล์ Word (.docx) เสียหาย เปิดอ่านไม่ได้", "the Word file (.docx) is damaged and cannot be read"
        ) from err

    blocks: list[Block] = []
    try:
        styles = _paragraph_style_names(document)
        chars = items = 0  # items: paragraphs and table cells seen, empty ones too (each costs time to read)
        for tag, child in _body_items(document.element.body):
            if tag == "p":
                items += 1
                check_text_size(chars, items, limits)  # as it goes: python-docx is slow per paragraph
                block = _paragraph_block(Paragraph(child, document), styles)
                new = [block] if block else []
            elif tag == "tbl":
                items += sum(1 for _ in child.iter(_TC))
                check_text_size(chars, items, limits)
                new = _table_blocks(Table(child, document))
            else:
                continue
            blocks.extend(new)
            chars += sum(len(b.text) + 2 for b in new)
        check_text_size(chars, items, limits)
        props = document.core_properties
        meta = {"title": props.title or None, "author": props.author or None}
    except LimitExceededError:
        raise
    except Exception as err:
        raise UnreadableFileError(
            "โครงสร้างเอกสาร Word เสียหาย อ่านต่อไม่ได้", "the Word document's structure is damaged"
        ) from err
    return Extracted("docx", blocks, meta)


# Wrappers whose content is ordinary body text: content controls (forms, templates) and custom XML markup.
_WRAPPERS = {"sdt", "sdtContent", "customXml"}
_TC = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc"


def _body_items(parent):
    """(tag, element) of the body's paragraphs and tables in order, looking inside content controls."""
    for child in parent.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag in _WRAPPERS:
            yield from _body_items(child)
        else:
            yield tag, child


def _paragraph_style_names(document) -> dict[str | None, str]:
    """Paragraph style id -> name, and None -> the default paragraph style's name.

    python-docx's `Paragraph.style` searches every style of the document for the default on each call (milliseconds
    per paragraph: minutes for a long report), so names are looked up once here.
    """
    from docx.enum.style import WD_STYLE_TYPE

    names: dict[str | None, str] = {}
    for style in document.styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH and style.style_id:
            names[style.style_id] = style.name or ""
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    names[None] = (default.name if default is not None else "") or ""
    return names


def _paragraph_block(p, styles: dict[str | None, str]) -> Block | None:
    text = p.text
    if not text.strip():
        return None
    ppr = p._p.pPr
    style_id = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
    style = styles.get(style_id, styles.get(None, ""))  # an unknown id falls back to the default, as in Word
    lower = style.lower()
    if lower == "title":
        return Block(text=text, kind="heading", level=1)
    if lower.startswith("heading"):
        digits = "".join(c for c in style if c.isdigit())
        return Block(text=text, kind="heading", level=int(digits) if digits else 1)
    if lower.startswith("list") or (ppr is not None and ppr.numPr is not None):
        level = 1
        if ppr is not None and ppr.numPr is not None and ppr.numPr.ilvl is not None:
            level = int(ppr.numPr.ilvl.val) + 1
        return Block(text=text, kind="list_item", level=level)
    return Block(text=text, kind="paragraph")


def _table_blocks(table) -> list[Block]:
    blocks: list[Block] = []
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            # Merged cells appear once per grid column they span; read each once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = "\n".join(p.text for p in cell.paragraphs if p.text.strip())
            if text.strip():
                blocks.append(Block(text=text, kind="table_cell"))
    return blocks


def _is_docx(head: bytes, data: bytes, ext: str) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    import io
    import zipfile

    try:
        return ext == "docx" or "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


READER = Reader("docx", ("docx",), lambda data, fmt, limits, progress: read_docx(data, limits), _is_docx,
                strong=True)
