"""Word .docx: paragraphs and tables in document order, headings and list items kept as structure.

The zip is checked before python-docx opens it: a member that expands past the limits (a zip bomb) is refused
without being inflated. python-docx parses XML with entity resolution off, so external entities are not fetched.
"""

from __future__ import annotations

import io
import zipfile

from kcapture.document import Block
from kcapture.errors import LimitExceededError, UnreadableFileError
from kcapture.ingest.base import Extracted
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
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.max_docx_uncompressed_bytes or (info.file_size > 10_000_000 and ratio > limits.max_docx_compression_ratio):
            raise LimitExceededError(
                "ไฟล์ Word ขยายตัวใหญ่ผิดปกติ (อาจเป็น zip bomb) จึงไม่เปิดอ่าน",
                "the Word file expands to an abnormal size (possible zip bomb); not opened",
            )


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
        body = document.element.body
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                block = _paragraph_block(Paragraph(child, document))
                if block:
                    blocks.append(block)
            elif tag == "tbl":
                blocks.extend(_table_blocks(Table(child, document)))
    except Exception as err:
        raise UnreadableFileError(
            "โครงสร้างเอกสาร Word เสียหาย อ่านต่อไม่ได้", "the Word document's structure is damaged"
        ) from err
    props = document.core_properties
    meta = {"title": props.title or None, "author": props.author or None}
    return Extracted("docx", blocks, meta)


def _paragraph_block(p) -> Block | None:
    text = p.text
    if not text.strip():
        return None
    style = (p.style.name if p.style is not None else "") or ""
    lower = style.lower()
    if lower == "title":
        return Block(text=text, kind="heading", level=1)
    if lower.startswith("heading"):
        digits = "".join(c for c in style if c.isdigit())
        return Block(text=text, kind="heading", level=int(digits) if digits else 1)
    ppr = p._p.pPr
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
