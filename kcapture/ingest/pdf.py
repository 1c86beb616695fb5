"""PDF: the text layer (pypdf), or OCR for scanned pages. Running headers, footers and page numbers are dropped;
wrapped lines are rejoined.

Word wraps Thai at word boundaries without a space, so a line break between two Thai letters inside a paragraph is
joined with nothing, and between Latin words with a space. A line that is clearly shorter than the page's full lines
ends its paragraph.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections import Counter
from collections.abc import Callable

from kcapture.document import Block
from kcapture.errors import LimitExceededError, NoTextLayerError, UnreadableFileError
from kcapture.ingest.assemble import check_text_size
from kcapture.ingest.base import Extracted, Reader
from kcapture.ingest.pdf_content import fix_content_stream
from kcapture.ingest.plaintext import LIST_ITEM
from kcapture.limits import DEFAULT_LIMITS, Limits

# No two unbounded runs of spaces may touch: "1" + 5,000 spaces + "x" would take hours to reject (backtracking).
PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:(?:หน้า|page)\s*)?[\d๐-๙]{1,4}(?:\s*(?:/|จาก|of)\s*[\d๐-๙]{1,4})?(?:\s*[-–—])?\s*$", re.I
)
_THAI_END = re.compile("[\u0e01-\u0e4e]$")
_THAI_START = re.compile("^[\u0e01-\u0e4e]")
_SARA_AA_TAB = re.compile("(?<=[\u0e01-\u0e4e])\t(?=[\u0e01-\u0e4e\\s]|$)", re.M)
_PUA_BULLET = re.compile("[\uf0a7\uf0b7\uf076\uf0d8\uf0fc\uf0a8]")  # Symbol/Wingdings bullets
# PDF extractors put a space where a glyph run ends inside a word: "ต่อเนื่ องเพื่อ".
_INNER_SPACE = re.compile("(?<=[\u0e01-\u0e4e]{2}) (?=[\u0e01-\u0e4e]{2})")
_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _width(line: str) -> int:
    return len(_MARKS.sub("", line))


def read_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS,
             progress: Callable[[int, int], None] | None = None) -> Extracted:
    """Read the text layer; pages without one but with images on them (a scan) are read with OCR.

    `progress(done, total)` is called per page read with OCR (0 first); text-layer pages are fast and not reported.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs what it repaired in damaged files, some of it at ERROR level; kcapture reports failures itself, in
    # one Thai/English line, so none of that reaches the terminal.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    deadline = time.monotonic() + limits.max_pdf_seconds

    def check_time(*_args) -> None:  # also pypdf's per-operator callback, so a slow page is stopped mid-way
        if time.monotonic() > deadline:
            raise _OutOfTime

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
        _raise_if_pypdf_limit(err)
        raise UnreadableFileError("ไฟล์ PDF เสียหาย เปิดอ่านไม่ได้", "the PDF is damaged and cannot be read") from err
    if n_pages > limits.max_pdf_pages:
        raise LimitExceededError(
            f"PDF มี {n_pages} หน้า เกินขีดจำกัด {limits.max_pdf_pages} หน้า",
            f"the PDF has {n_pages} pages, over the limit of {limits.max_pdf_pages}",
        )
    try:
        producer = str((reader.metadata or {}).get("/Producer", "") or "")
    except Exception:  # a damaged information dictionary: the producer only selects a repair
        producer = ""
    # LibreOffice writes no ToUnicode entry for the sara aa glyph it also uses inside the sara am ligature, so pypdf
    # reads that glyph's code 9 as a tab: "ดำเนินง\tน" for "ดำเนินงาน". Between Thai letters a tab is never real.
    sara_aa_tab = "libreoffice" in producer.lower()
    # ReportLab's paragraphs wrap only at spaces and drop the space at the break: a wrap between Thai letters there was
    # a space, unless a word runs across it (CJK wrapping, which breaks anywhere).
    wraps_at_spaces = "reportlab" in producer.lower()
    pages: list[list[str]] = []
    geometry: list[list[tuple[float, float]] | None] = []  # per page, each line's (baseline y, font size)
    chars = 0
    added_codes: dict[tuple[int, str, int], int] = {}
    for page in reader.pages:
        try:
            check_time()
            fix_content_stream(page, added_codes, sara_aa_tab)
        except _OutOfTime:
            raise _too_slow(limits) from None
        except Exception:  # the repair is best effort: pypdf reads the page as it is
            pass
        chunks: list[tuple[str, float, float]] = []

        def visit(piece, cm, tm, _font, font_size, chunks=chunks) -> None:
            chunks.append((piece or "", *_chunk_position(cm, tm, font_size)))

        try:
            check_time()
            text = page.extract_text(visitor_operand_before=check_time, visitor_text=visit) or ""
        except _OutOfTime:
            raise _too_slow(limits) from None
        except Exception as err:  # pypdf raises many types on damaged content streams
            _raise_if_pypdf_limit(err)
            raise UnreadableFileError(
                "เนื้อหาบางหน้าใน PDF เสียหาย อ่านไม่ได้", "a page of the PDF is damaged and cannot be read"
            ) from err
        if sara_aa_tab:
            text = _SARA_AA_TAB.sub("\u0e32", text.replace("\u0e33\t", "\u0e33"))
        text = _PUA_BULLET.sub("•", text)
        text = _SURROGATE.sub("\ufffd", text)  # a damaged ToUnicode map can give lone surrogates: not encodable
        text = _INNER_SPACE.sub(_drop_inner_space, text)
        chars += len(text)
        check_text_size(chars, 0, limits)
        pages.append([_trim_line(line) for line in text.split("\n")])
        geometry.append(_line_geometry(chunks, len(pages[-1])))
    empty = [n for n, lines in enumerate(pages, start=1) if not any(line.strip() for line in lines)]
    scanned = [n for n in empty if _has_image(reader, n)]
    if len(empty) == len(pages):
        if not scanned:  # shapes only, or a damaged file: nothing that a scanner made
            raise NoTextLayerError(
                "PDF นี้ไม่มีชั้นข้อความ และไม่มีภาพหน้าเอกสารให้อ่านด้วย OCR",
                "this PDF has no text layer and no page images to read with OCR",
            )
        from kcapture.ingest.ocr import ocr_pdf

        return ocr_pdf(data, n_pages, limits, progress, pages=scanned)
    kept = _drop_running_lines(pages)
    blocks: list[Block] = []
    for number, (lines, keep, geo) in enumerate(zip(pages, kept, geometry, strict=True), start=1):
        blocks.extend(_page_blocks([lines[i] for i in keep], number, wraps_at_spaces,
                                   [geo[i] for i in keep] if geo else None))
    meta: dict = {"pages": n_pages}
    if scanned:  # a scanned page among typed ones (a signed page, an appendix)
        from kcapture.ingest.ocr import ocr_pdf

        ocr = ocr_pdf(data, n_pages, limits, progress, pages=scanned)
        blocks = sorted(blocks + ocr.blocks, key=lambda b: b.page or 0)  # stable: each page keeps its order
        meta.update({k: v for k, v in ocr.metadata.items() if k != "pages"})
        meta["ocr_pages"] = scanned
    return Extracted("pdf", blocks, meta)


def _has_image(reader, number: int) -> bool:
    """True if page `number` (1-based) draws an image: a scanned page."""
    try:
        xobjects = reader.pages[number - 1]["/Resources"].get_object().get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        return any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    except Exception:  # a damaged resource dictionary: treat the page as having none
        return False


def _raise_if_pypdf_limit(err: Exception) -> None:
    """pypdf (6+) stops at its own limits, e.g. a stream inflating past 75 MB (a decompression bomb): say so."""
    from pypdf import errors

    limit_error = getattr(errors, "LimitReachedError", None)
    if limit_error is not None and isinstance(err, limit_error):
        raise LimitExceededError(
            "PDF นี้ขยายตัวหรือซับซ้อนเกินขีดจำกัดของตัวอ่าน (อาจเป็นไฟล์อันตราย) จึงหยุดอ่าน",
            "this PDF expands or nests beyond the reader's limits (possibly a decompression bomb); stopped",
        ) from err


class _OutOfTime(BaseException):
    """Raised from pypdf's callback; a BaseException so that pypdf's own `except Exception` cannot swallow it."""


def _too_slow(limits: Limits) -> LimitExceededError:
    return LimitExceededError(
        f"อ่าน PDF นี้นานเกิน {limits.max_pdf_seconds} วินาที (ไฟล์อาจเสียหายหรือซับซ้อนผิดปกติ) จึงหยุดอ่าน",
        f"reading this PDF took longer than {limits.max_pdf_seconds} s (damaged or abnormally complex); stopped",
    )


def _trim_line(line: str) -> str:
    """Strip the line's end but keep one space if it ended in spaces: a space glyph drawn at a line wrap."""
    trimmed = line.rstrip()
    return trimmed + " " if trimmed and line[len(trimmed) :].startswith(" ") else trimmed


def _drop_running_lines(pages: list[list[str]]) -> list[list[int]]:
    """Per page, the indexes of the lines to keep: not blank, not page numbers, not lines repeated at the top or
    bottom of most pages (running headers and footers)."""
    def key(line: str) -> str:
        return re.sub(r"[\d๐-๙]+", "#", line.strip())

    edge = Counter()
    for lines in pages:
        content = [line for line in lines if line.strip()]
        for line in set(content[:2] + content[-2:]):
            edge[key(line)] += 1
    repeated = {k for k, n in edge.items() if len(pages) >= 3 and n >= max(2, len(pages) // 2)}
    return [[i for i, line in enumerate(lines)
             if line.strip() and not PAGE_NUMBER.match(line) and key(line) not in repeated] for lines in pages]


def _chunk_position(cm, tm, font_size) -> tuple[float, float]:
    """Baseline y on the page and rendered font size of a piece of text pypdf reports."""
    try:
        y = float(tm[4]) * float(cm[1]) + float(tm[5]) * float(cm[3]) + float(cm[5])
        scale = abs(float(tm[3]) * float(cm[3])) or abs(float(tm[0]) * float(cm[0])) or 1.0
        return y, float(font_size) * scale
    except Exception:  # a damaged matrix: the line's position only helps find paragraph breaks
        return 0.0, 0.0


def _line_geometry(chunks: list[tuple[str, float, float]], n_lines: int) -> list[tuple[float, float]] | None:
    """Each extracted line's baseline y and its main font size (the size of most of its letters), from the pieces
    pypdf reported in the order it wrote them; None if they do not add up to the lines."""
    lines: list[tuple[float, float]] = []
    sizes: Counter = Counter()
    ys: list[float] = []
    for piece, y, size in chunks:
        parts = piece.split("\n")
        for k, part in enumerate(parts):
            if k:  # a line ended
                lines.append((ys[0] if ys else 0.0, sizes.most_common(1)[0][0] if sizes else 0.0))
                sizes, ys = Counter(), []
            letters = len(part.strip())
            if letters and size > 0:
                sizes[round(size, 1)] += letters
                ys.append(y)
    lines.append((ys[0] if ys else 0.0, sizes.most_common(1)[0][0] if sizes else 0.0))
    return lines if len(lines) == n_lines else None


def _page_blocks(lines: list[str], page: int, wraps_at_spaces: bool = False,
                 geometry: list[tuple[float, float]] | None = None) -> list[Block]:
    """The page's lines joined into paragraphs and list items.

    With `geometry` (each line's baseline y and font size), a change of font size (a heading) or a gap wider than the
    page's usual line step (paragraph spacing) ends a paragraph whatever the width of its last line.
    """
    if not lines:
        return []
    full = max(_width(line) for line in lines)
    step = _line_step(geometry)
    blocks: list[Block] = []
    current = ""
    current_kind = "paragraph"
    for i, line in enumerate(lines):
        stripped = line.strip()
        if current and step and _starts_paragraph(geometry[i - 1], geometry[i], step):
            pass  # falls through to close the paragraph
        elif current and not LIST_ITEM.match(stripped):
            prev = lines[i - 1]
            if wraps_at_spaces:  # ragged lines: wrapped if the next line's first word would not have fitted
                wrapped = _width(prev) + 1 + _width(stripped.split(" ", 1)[0]) > 0.95 * full
            else:
                wrapped = _width(prev) >= 0.75 * full or _word_crosses(current, stripped)
            if wrapped:
                # A space drawn at the end of the line (kept by _trim_line) was a word gap, not a wrap inside a word.
                thai_wrap = _THAI_END.search(current) and _THAI_START.search(stripped) and not prev.endswith(" ")
                if thai_wrap and wraps_at_spaces:
                    thai_wrap = _word_crosses(current, stripped)
                joiner = "" if thai_wrap else " "
                current = current + joiner + stripped
                continue
        if current:
            blocks.append(Block(text=current, kind=current_kind, page=page))
        current = stripped
        current_kind = "list_item" if LIST_ITEM.match(stripped) else "paragraph"
    if current:
        blocks.append(Block(text=current, kind=current_kind, page=page))
    return blocks


def _line_step(geometry: list[tuple[float, float]] | None) -> float | None:
    """The usual distance between consecutive lines of one size on the page (None without geometry or a pattern)."""
    if not geometry:
        return None
    steps = sorted(round(abs(a[0] - b[0]), 1) for a, b in zip(geometry, geometry[1:], strict=False)
                   if a[1] and a[1] == b[1] and 0 < abs(a[0] - b[0]) < 4 * a[1])
    if len(steps) < 2:
        return None
    return steps[len(steps) // 4]  # a low quartile: paragraph gaps are the larger ones


def _starts_paragraph(prev: tuple[float, float], line: tuple[float, float], step: float) -> bool:
    (y0, size0), (y1, size1) = prev, line
    if size0 and size1 and abs(size0 - size1) > 0.08 * max(size0, size1):
        return True  # a heading, or the body after one
    return abs(y1 - y0) > 1.3 * step


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


def _is_pdf(head: bytes, data: bytes, ext: str) -> bool:
    return b"%PDF-" in head[:1024]


READER = Reader("pdf", ("pdf",), lambda data, fmt, limits, progress: read_pdf(data, limits, progress), _is_pdf,
                strong=True)
