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
    added_codes: dict[tuple[int, str, int], int] = {}
    for page in reader.pages:
        try:
            _fix_content_stream(page, added_codes, sara_aa_tab)
        except Exception:  # the repair is best effort: pypdf reads the page as it is
            pass
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
        pages.append([_trim_line(line) for line in text.split("\n")])
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


def _trim_line(line: str) -> str:
    """Strip the line's end but keep one space if it ended in spaces: a space glyph drawn at a line wrap."""
    trimmed = line.rstrip()
    return trimmed + " " if trimmed and line[len(trimmed) :].startswith(" ") else trimmed


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
                # A space drawn at the end of the line (kept by _trim_line) was a word gap, not a wrap inside a word.
                thai_wrap = _THAI_END.search(current) and _THAI_START.search(stripped) and not prev.endswith(" ")
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


# --- Marked content and space runs that pypdf misreads (LibreOffice exports) -----------------------------------------
# LibreOffice draws Thai sara am as a nikhahit glyph plus a sara aa glyph and shifted tone marks as variant glyphs, and
# puts the real characters in `/Span <</ActualText (...)>> BDC ... EMC`; pypdf ignores ActualText and reads the glyphs'
# own ToUnicode entries, which are wrong ("ดำาเนิน", "เขูา") or missing (a control character such as a tab). And when
# a line's spaces are in another font than its Thai letters, LibreOffice draws all of them first, in one run, before the
# text: pypdf puts them at the start of the line and the words they separated run together. Both are repaired in the
# page's content stream before pypdf reads it: each ActualText span shows one code added to its font (same width,
# ToUnicode = the ActualText), and each space of such a run moves into the text at its place, as a zero-width code.

_SHOW = (b"Tj", b"TJ")


def _fix_content_stream(page, added: dict[tuple[int, str, int], int], libreoffice: bool) -> None:
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    try:
        contents = page.get_contents()
        fonts = page["/Resources"].get_object()["/Font"].get_object()
    except (KeyError, AttributeError, TypeError):
        return
    if contents is None or not (libreoffice or b"/ActualText" in contents.get_data()):
        return
    stream = ContentStream(contents, page.pdf, "bytes")  # "bytes": string operands stay the codes they are
    ops = list(stream.operations)
    out: list = []
    font_name = None
    i = 0
    changed = False
    while i < len(ops):
        operands, op = ops[i]
        if op == b"Tf" and operands:
            font_name = operands[0]
        props = operands[1] if op == b"BDC" and len(operands) == 2 else None
        if isinstance(props, DictionaryObject) and "/ActualText" in props:
            depth, j = 1, i + 1
            while j < len(ops) and depth:
                depth += {b"BDC": 1, b"BMC": 1, b"EMC": -1}.get(ops[j][1], 0)
                j += 1
            new = None
            if depth == 0:
                new = _actual_text_span(ops[i + 1 : j - 1], str(props["/ActualText"]), font_name, fonts, added)
            if new is not None:
                out += [ops[i], *new, ops[j - 1]]
                font_name = next((o[0] for o, p in reversed(new) if p == b"Tf" and o), font_name)
                changed, i = True, j
                continue
        out.append(ops[i])
        i += 1
    if _fold_mark_offsets(out, fonts):
        changed = True
    moved = _move_space_runs(out, fonts, added)
    if moved is not None:
        out, changed = moved, True
    if changed:
        stream.operations = out
        page[NameObject("/Contents")] = stream


def _fold_mark_offsets(ops, fonts) -> bool:
    """Move each TJ position adjustment made just before a zero-width glyph (a Thai mark) to after it.

    LibreOffice places marks with a pair of adjustments ("ป", 98, "ี", -99, "แ"); pypdf reads the second as a word gap
    and writes "ปี แรก". Moved past the mark, the pair cancels out and the following glyphs stay where they were.
    """
    from pypdf.generic import ArrayObject, ByteStringObject, FloatObject

    changed = False
    font_name = None
    for k, (operands, op) in enumerate(ops):
        if op == b"Tf" and operands:
            font_name = operands[0]
        if op != b"TJ" or not operands or not isinstance(operands[0], list):
            continue
        font = _simple_font(fonts, font_name)
        if font is None or not any(isinstance(it, (int, float)) for it in operands[0]):
            continue
        tokens: list = []  # ints are glyph codes wrapped in a tuple; floats are adjustments
        moved = False
        for item in operands[0]:
            codes = _codes(item)
            if codes is None:
                if isinstance(item, (int, float)):
                    if tokens and isinstance(tokens[-1], float):
                        tokens[-1] += float(item)
                    else:
                        tokens.append(float(item))
                continue
            for c in codes:
                if tokens and isinstance(tokens[-1], float) and _glyph_width(font, c) == 0:
                    tokens.insert(len(tokens) - 1, (c,))
                    moved = True
                else:
                    tokens.append((c,))
        if not moved:
            continue
        new: list = []
        for t in tokens:
            if isinstance(t, float):
                if t:
                    new.append(FloatObject(t))
            elif new and isinstance(new[-1], bytes):
                new[-1] = ByteStringObject(new[-1] + bytes(t))
            else:
                new.append(ByteStringObject(bytes(t)))
        ops[k] = ([ArrayObject(new)], b"TJ")
        changed = True
    return changed


def _simple_font(fonts, name):
    """The font dictionary if it is a simple (one-byte) font with widths; composite fonts are left alone."""
    font = fonts.get(name) if name is not None else None
    font = font.get_object() if font is not None else None
    if font is None or font.get("/Subtype") not in ("/TrueType", "/Type1") or "/Widths" not in font:
        return None
    return font


def _glyph_width(font, code: int) -> float:
    widths = font["/Widths"].get_object()
    k = code - int(font.get("/FirstChar", 0))
    return float(widths[k]) if 0 <= k < len(widths) else 0.0


def _show_items(operands, op) -> list:
    """What a Tj/TJ shows: strings of codes and (TJ) position adjustments in thousandths of the font size."""
    if op == b"TJ":
        return list(operands[0]) if operands and isinstance(operands[0], list) else []
    return list(operands[:1])


def _codes(item) -> bytes | None:
    from pypdf.generic import NameObject

    if isinstance(item, NameObject) or not isinstance(item, (bytes, str)):
        return None
    return item if isinstance(item, bytes) else item.encode("latin-1", "replace")


def _actual_text_span(span, actual: str, font_name, fonts, added):
    """The span's operators with its glyphs replaced by one code that reads as `actual`; None to leave it as is."""
    from pypdf.generic import ByteStringObject

    new, shown = [], False
    for operands, op in span:
        if op == b"Tf" and operands:
            font_name = operands[0]
        if op in (b"'", b'"', b"Do", b"BT", b"ET"):
            return None
        if op not in _SHOW:
            new.append((operands, op))
            continue
        font = _simple_font(fonts, font_name)
        if font is None:
            return None
        if shown:
            continue  # the ActualText stands for all the span's glyphs
        width = 0.0
        for item in _show_items(operands, op):
            codes = _codes(item)
            if codes is not None:
                width += sum(_glyph_width(font, c) for c in codes)
            elif isinstance(item, (int, float)):
                width -= float(item)
        code = _added_code(font, actual, max(width, 0.0), added)
        if code is None:
            return None
        new.append(([ByteStringObject(bytes([code]))], b"Tj"))
        shown = True
    return new if shown else None


def _added_code(font, text: str, width: float, added) -> int | None:
    """A one-byte code added to `font`, drawing no glyph, that reads as `text` and advances by `width`."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, NumberObject

    key = (id(font), text, round(width))
    if key in added:
        return added[key]
    first = int(font.get("/FirstChar", 0))
    code = int(font.get("/LastChar", 255)) + 1
    to_unicode = font.get("/ToUnicode")
    if code > 255 or to_unicode is None or not text:
        return None
    cmap = to_unicode.get_object().get_data()
    if b"endcmap" not in cmap:
        return None
    entry = b"1 beginbfchar\n<%02X> <%s>\nendbfchar\n" % (code, text.encode("utf-16-be").hex().upper().encode())
    stream = DecodedStreamObject()
    stream.set_data(cmap.replace(b"endcmap", entry + b"endcmap", 1))
    widths = list(font["/Widths"].get_object())
    widths += [NumberObject(0)] * (code - first + 1 - len(widths))
    widths[code - first] = NumberObject(round(width))
    font[NameObject("/ToUnicode")] = stream
    font[NameObject("/Widths")] = ArrayObject(widths)
    font[NameObject("/LastChar")] = NumberObject(code)
    added[key] = code
    return code


def _space_codes(font) -> set[int]:
    """The codes of `font` whose ToUnicode entry is a space."""
    to_unicode = font.get("/ToUnicode")
    if to_unicode is None:
        return {32} if font.get("/Subtype") == "/Type1" else set()
    cmap = to_unicode.get_object().get_data()
    return {int(a, 16) for a in re.findall(rb"<([0-9A-Fa-f]{2})>\s*<0020>", cmap)}


def _move_space_runs(ops, fonts, added):
    """Move spaces drawn ahead of their line, in a run of their own, into the text at their x position."""
    out = list(ops)
    changed = False
    start = None
    for k, (_, op) in enumerate(ops):
        if op == b"BT":
            start = k
        elif op == b"ET" and start is not None:
            changed |= _move_spaces_in_block(out, start, k, fonts, added)
            start = None
    return [op for op in out if op is not None] if changed else None


def _move_spaces_in_block(out, start: int, end: int, fonts, added) -> bool:
    from pypdf.generic import ArrayObject, ByteStringObject

    # Follow the text position through the block, collecting the x of every glyph.
    lx = ly = x = 0.0
    font_name, size = None, 0.0
    spaces: list[tuple[float, float, float, int]] = []  # x, y, advance and operator of each space of a space-only run
    glyphs: list[tuple[float, float, int, int, int]] = []  # x, y, operator, item and byte of every other glyph
    for k in range(start + 1, end):
        operands, op = out[k]
        if op == b"Tf" and len(operands) >= 2:
            font_name, size = operands[0], float(operands[1])
        elif op == b"Td" and len(operands) >= 2:
            lx, ly = lx + float(operands[0]), ly + float(operands[1])
            x = lx
        elif op == b"Tm" and len(operands) >= 6:
            if [float(v) for v in operands[:4]] != [1.0, 0.0, 0.0, 1.0]:
                return False  # scaled or rotated text: left as it is
            lx, ly = float(operands[4]), float(operands[5])
            x = lx
        elif op in (b"TD", b"T*", b"'", b'"', b"Tz") or (op in (b"Tc", b"Tw") and operands and float(operands[0])):
            return False  # positioning that this code does not follow
        elif op in _SHOW:
            font = _simple_font(fonts, font_name)
            if font is None:
                return False
            items = _show_items(operands, op)
            blanks = _space_codes(font)
            only_spaces = bool(blanks) and all(_codes(it) is None or set(_codes(it)) <= blanks for it in items)
            for i, item in enumerate(items):
                codes = _codes(item)
                if codes is None:
                    if isinstance(item, (int, float)):
                        x -= float(item) / 1000 * size
                    continue
                for b, c in enumerate(codes):
                    advance = _glyph_width(font, c) / 1000 * size
                    if only_spaces:
                        spaces.append((x, ly, advance, k))
                    else:
                        glyphs.append((x, ly, k, i, b))
                    x += advance
    # A space belongs before the first glyph that starts past its middle, on its line, if text lies to its left too;
    # only runs drawn before text to their left (the misplacement) are moved.
    # A space at the end of the line goes after its last glyph (a word gap at a line wrap).
    inserts: dict[tuple[int, int, int], bool] = {}  # glyph -> True to put the space after it, False before
    runs: set[int] = set()
    for sx, sy, advance, k in spaces:
        line = [g for g in glyphs if abs(g[1] - sy) < 0.5]
        if not any(g[2] > k and g[0] < sx for g in line):
            continue
        runs.add(k)
        before = [g for g in line if g[0] < sx]
        after = [g for g in line if g[0] >= sx + advance / 2]
        if before and after:
            g = min(after, key=lambda g: g[0])
            inserts[(g[2], g[3], g[4])] = False
        elif before:
            g = max(before, key=lambda g: (g[0], g[2], g[3], g[4]))
            inserts[(g[2], g[3], g[4])] = True
    if not runs:
        return False
    font_name = None
    for k in range(start + 1, end):
        operands, op = out[k]
        if op == b"Tf" and operands:
            font_name = operands[0]
        if op not in _SHOW or not any(key[0] == k for key in inserts):
            continue
        font = _simple_font(fonts, font_name)
        code = _added_code(font, " ", 0.0, added) if font is not None else None
        if code is None:
            return False
        new: list = []
        for i, item in enumerate(_show_items(operands, op)):
            codes = _codes(item)
            if codes is None:
                new.append(item)
                continue
            piece = b""
            for b, c in enumerate(codes):
                if inserts.get((k, i, b)) is False:
                    if piece:
                        new.append(ByteStringObject(piece))
                        piece = b""
                    pos = len(new)  # before the gap that stands for the space, not after it
                    while pos and isinstance(new[pos - 1], (int, float)):
                        pos -= 1
                    new.insert(pos, ByteStringObject(bytes([code])))
                piece += bytes([c])
                if inserts.get((k, i, b)):
                    piece += bytes([code])
            if piece:
                new.append(ByteStringObject(piece))
        out[k] = ([ArrayObject(new)], b"TJ")
    for k in runs:
        out[k] = None
    return True
