"""PDF: the text layer only (pypdf). Running headers, footers and page numbers are dropped; wrapped lines are rejoined.

Word wraps Thai at word boundaries without a space, so a line break between two Thai letters inside a paragraph is
joined with nothing, and between Latin words with a space. A line that is clearly shorter than the page's full lines
ends its paragraph.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from kcapture.document import Block
from kcapture.errors import LimitExceededError, NoTextLayerError, UnreadableFileError
from kcapture.ingest.base import Extracted
from kcapture.ingest.plaintext import LIST_ITEM
from kcapture.limits import DEFAULT_LIMITS, Limits

PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?(?:หน้า|page)?\s*[\d๐-๙]{1,4}\s*(?:(?:/|จาก|of)\s*[\d๐-๙]{1,4})?\s*(?:[-–—])?\s*$", re.I)
_THAI_END = re.compile("[\u0e01-\u0e4e]$")
_THAI_START = re.compile("^[\u0e01-\u0e4e]")
_SARA_AA_TAB = re.compile("(?<=[\u0e01-\u0e4e])\t(?=[\u0e01-\u0e4e\\s]|$)", re.M)
_PUA_BULLET = re.compile("[\uf0a7\uf0b7\uf076\uf0d8\uf0fc\uf0a8]")  # Symbol/Wingdings bullets
# PDF extractors put a space where a glyph run ends inside a word: "ต่อเนื่ องเพื่อ".
_INNER_SPACE = re.compile("(?<=[\u0e01-\u0e4e]{2}) (?=[\u0e01-\u0e4e]{2})")
_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def _width(line: str) -> int:
    return len(_MARKS.sub("", line))


def read_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise UnreadableFileError("ไฟล์นี้ไม่ใช่ PDF", "this file is not a PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise UnreadableFileError("PDF นี้มีรหัสผ่าน เปิดอ่านไม่ได้", "this PDF is password-protected")
        n_pages = len(reader.pages)
    except UnreadableFileError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as err:
        raise UnreadableFileError("ไฟล์ PDF เสียหาย เปิดอ่านไม่ได้", "the PDF is damaged and cannot be read") from err
    if n_pages > limits.max_pdf_pages:
        raise LimitExceededError(
            f"PDF มี {n_pages} หน้า เกินขีดจำกัด {limits.max_pdf_pages} หน้า",
            f"the PDF has {n_pages} pages, over the limit of {limits.max_pdf_pages}",
        )
    producer = str((reader.metadata or {}).get("/Producer", "") or "")
    # LibreOffice writes no ToUnicode entry for the sara aa glyph it also uses inside the sara am ligature, so pypdf
    # reads that glyph's code 9 as a tab: "ดำเนินง\tน" for "ดำเนินงาน". Between Thai letters a tab is never real.
    sara_aa_tab = "libreoffice" in producer.lower()
    pages: list[list[str]] = []
    chars = 0
    for page in reader.pages:
        try:
            text = page.extract_text() or ""
        except Exception as err:  # pypdf raises many types on damaged content streams
            raise UnreadableFileError(
                "เนื้อหาบางหน้าใน PDF เสียหาย อ่านไม่ได้", "a page of the PDF is damaged and cannot be read"
            ) from err
        if sara_aa_tab:
            text = _SARA_AA_TAB.sub("\u0e32", text.replace("\u0e33\t", "\u0e33"))
        text = _PUA_BULLET.sub("•", text)
        text = _INNER_SPACE.sub(_drop_inner_space, text)
        chars += len(text)
        if chars > limits.max_text_chars:
            raise LimitExceededError("ข้อความใน PDF ยาวเกินขีดจำกัด", "the PDF holds more text than the limit")
        pages.append([line.rstrip() for line in text.split("\n")])
    if not any(line.strip() for page in pages for line in page):
        raise NoTextLayerError(
            "PDF นี้ไม่มีชั้นข้อความ (น่าจะเป็นภาพสแกน) ระบบยังไม่รองรับการอ่านภาพ (OCR)",
            "this PDF has no text layer (probably a scan); OCR is not supported",
        )
    pages = _drop_running_lines(pages)
    blocks: list[Block] = []
    for number, lines in enumerate(pages, start=1):
        blocks.extend(_page_blocks(lines, number))
    return Extracted("pdf", blocks, {"pages": n_pages})


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove page numbers and lines repeated at the top or bottom of most pages (running headers and footers)."""
    def key(line: str) -> str:
        return re.sub(r"[\d๐-๙]+", "#", line.strip())

    edge = Counter()
    for lines in pages:
        content = [line for line in lines if line.strip()]
        for line in set(content[:2] + content[-2:]):
            edge[key(line)] += 1
    repeated = {k for k, n in edge.items() if len(pages) >= 3 and n >= max(2, len(pages) // 2)}
    out = []
    for lines in pages:
        out.append([line for line in lines if line.strip() and not PAGE_NUMBER.match(line) and key(line) not in repeated])
    return out


def _page_blocks(lines: list[str], page: int) -> list[Block]:
    if not lines:
        return []
    full = max(_width(line) for line in lines)
    blocks: list[Block] = []
    current = ""
    current_kind = "paragraph"
    for i, line in enumerate(lines):
        stripped = line.strip()
        if current and not LIST_ITEM.match(stripped):
            prev = lines[i - 1]
            wrapped = _width(prev) >= 0.75 * full or _word_crosses(current, stripped)
            if wrapped:
                joiner = "" if _THAI_END.search(current) and _THAI_START.search(stripped) else " "
                current = current + joiner + stripped
                continue
        if current:
            blocks.append(Block(text=current, kind=current_kind, page=page))
        current = stripped
        current_kind = "list_item" if LIST_ITEM.match(stripped) else "paragraph"
    if current:
        blocks.append(Block(text=current, kind=current_kind, page=page))
    return blocks


def _word_crosses(left: str, right: str) -> bool:
    """True if the word tokenizer reads a word across the line break: the line was broken inside a word."""
    if not (_THAI_END.search(left) and _THAI_START.search(right)):
        return False
    from kcapture.thai.tokenize import default_tokenizer

    a, b = left[-12:], right[:12]
    pos = 0
    for piece in default_tokenizer().words(a + b):
        if pos < len(a) < pos + len(piece) and len(piece) >= 3:
            return True
        pos += len(piece)
    return False


def _drop_inner_space(m: re.Match[str]) -> str:
    """Remove the space when the text before it ends in a piece that is no word and joining makes one."""
    from kcapture.thai.tokenize import default_tokenizer, known_words

    text = m.string
    left = text[max(0, m.start() - 12) : m.start()]
    right = text[m.end() : m.end() + 12]
    tok = default_tokenizer()
    last = tok.words(left)[-1] if left else ""
    if last in known_words():
        return " "
    return "" if _word_crosses(left, right) else " "
