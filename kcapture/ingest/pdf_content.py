"""PDF content streams rewritten before pypdf reads them, for what LibreOffice exports draw in ways pypdf misreads.

pdf.py lays the text out (lines, paragraphs, running headers); this module only edits a page's drawing operators.
"""

from __future__ import annotations

import re

# --- Marked content and space runs that pypdf misreads (LibreOffice exports) -----------------------------------------
# LibreOffice draws Thai sara am as a nikhahit glyph plus a sara aa glyph and shifted tone marks as variant glyphs, and
# puts the real characters in `/Span <</ActualText (...)>> BDC ... EMC`; pypdf ignores ActualText and reads the glyphs'
# own ToUnicode entries, which are wrong ("ดำาเนิน", "เขูา") or missing (a control character such as a tab). It places
# marks with a pair of TJ adjustments ("ป", 98, "ี", -99, "แ"), the second of which pypdf takes for a word gap ("ปี แรก").
# And when a line's spaces are in another font than its Thai letters, it draws all of them first, in one run, before
# the text: pypdf puts them at the start of the line and the words they separated run together. All three are
# repaired in the page's content stream before pypdf reads it: each ActualText span shows one code added to its font
# (same width, ToUnicode = the ActualText); adjustments made just before a zero-width glyph move to after it; and each
# space of such a run moves into the text at its x position, as a zero-width code of that text's font.

_SHOW = (b"Tj", b"TJ")
# Spaces and punctuation (quotes, brackets, dashes) drawn in a fallback font beside Thai text.
_LOOSE = re.compile("[\\s\u00a0\u2000-\u206f\"'()\\[\\]{}<>,.;:!?\\-–—/]")


class _PageFonts:
    """The page's simple (one-byte) fonts, with their widths and space codes, and codes added to them."""

    def __init__(self, fonts, added: dict[tuple[int, str, int], int]):
        self.fonts = fonts
        self.added = added
        self._info: dict = {}

    def get(self, name):
        """(font, first code, widths) for a simple font with widths, else None (composite fonts are left alone)."""
        if name not in self._info:
            font = self.fonts.get(name) if name is not None else None
            font = font.get_object() if font is not None else None
            info = None
            if font is not None and font.get("/Subtype") in ("/TrueType", "/Type1") and "/Widths" in font:
                widths = [float(w) for w in font["/Widths"].get_object()]
                info = (font, int(font.get("/FirstChar", 0)), widths)
            self._info[name] = info
        return self._info[name]

    def width(self, info, code: int) -> float:
        k = code - info[1]
        return info[2][k] if 0 <= k < len(info[2]) else 0.0

    def chars(self, info) -> dict[int, str]:
        """The font's one-byte codes and the text its ToUnicode map gives each (single entries only)."""
        key = ("chars", id(info[0]))
        if key not in self._info:
            to_unicode = info[0].get("/ToUnicode")
            cmap = to_unicode.get_object().get_data() if to_unicode is not None else b""
            pairs = re.findall(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4,8})>", cmap)
            self._info[key] = {int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be", "replace") for a, b in pairs}
        return self._info[key]

    def loose_codes(self, info) -> set[int]:
        """Codes of spaces and punctuation: what LibreOffice may draw in a run ahead of its line."""
        key = ("loose", id(info[0]))
        if key not in self._info:
            self._info[key] = {c for c, t in self.chars(info).items() if len(t) == 1 and _LOOSE.match(t)}
        return self._info[key]

    def add_code(self, name, text: str, width: float) -> int | None:
        """A one-byte code added to the font, drawing no glyph, that reads as `text` and advances by `width`."""
        from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, NumberObject

        info = self.get(name)
        if info is None or not text:
            return None
        font, first, widths = info
        key = (id(font), text, round(width))
        if key in self.added:
            return self.added[key]
        code = int(font.get("/LastChar", 255)) + 1
        to_unicode = font.get("/ToUnicode")
        cmap = to_unicode.get_object().get_data() if to_unicode is not None else b""
        if code > 255 or code < first or b"endcmap" not in cmap:
            return None
        entry = b"1 beginbfchar\n<%02X> <%s>\nendbfchar\n" % (code, text.encode("utf-16-be").hex().upper().encode())
        stream = DecodedStreamObject()
        stream.set_data(cmap.replace(b"endcmap", entry + b"endcmap", 1))
        widths = widths + [0.0] * (code - first + 1 - len(widths))
        widths[code - first] = float(round(width))
        font[NameObject("/ToUnicode")] = stream
        font[NameObject("/Widths")] = ArrayObject(NumberObject(round(w)) for w in widths)
        font[NameObject("/LastChar")] = NumberObject(code)
        for k, v in list(self._info.items()):  # the font's cached widths changed
            if v is not None and not isinstance(k, tuple) and v[0] is font:
                self._info[k] = (font, first, widths)
        self.added[key] = code
        return code


def fix_content_stream(page, added: dict[tuple[int, str, int], int], libreoffice: bool) -> None:
    from pypdf.generic import ContentStream, NameObject

    try:
        contents = page.get_contents()
        fonts = page["/Resources"].get_object()["/Font"].get_object()
    except (KeyError, AttributeError, TypeError):
        return
    if contents is None or not (libreoffice or b"/ActualText" in contents.get_data()):
        return
    stream = ContentStream(contents, page.pdf, "bytes")  # "bytes": string operands stay the codes they are
    page_fonts = _PageFonts(fonts, added)
    ops = _apply_actual_text(list(stream.operations), page_fonts)
    changed = ops is not None
    ops = ops or list(stream.operations)
    changed |= _fold_mark_offsets(ops, page_fonts)
    changed |= _move_space_runs(ops, page_fonts)
    if changed:
        stream.operations = [op for op in ops if op is not None]
        page[NameObject("/Contents")] = stream


def _show_items(operands, op) -> list:
    """What a Tj/TJ shows: byte strings of codes, and (TJ) position adjustments in thousandths of the font size."""
    if op == b"TJ":
        return list(operands[0]) if operands and isinstance(operands[0], list) else []
    return list(operands[:1])


def _is_number(item) -> bool:
    return isinstance(item, (int, float)) and not isinstance(item, bool)


def _apply_actual_text(ops, fonts: _PageFonts):
    from pypdf.generic import DictionaryObject

    if not any(op == b"BDC" for _, op in ops):
        return None
    out: list = []
    font_name = None
    changed = False
    i = 0
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
                new = _actual_text_span(ops[i + 1 : j - 1], str(props["/ActualText"]), font_name, fonts)
            if new is not None:
                out += [ops[i], *new, ops[j - 1]]
                font_name = next((o[0] for o, p in reversed(new) if p == b"Tf" and o), font_name)
                changed, i = True, j
                continue
        out.append(ops[i])
        i += 1
    return out if changed else None


def _actual_text_span(span, actual: str, font_name, fonts: _PageFonts):
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
        info = fonts.get(font_name)
        if info is None:
            return None
        if shown:
            continue  # the ActualText stands for all the span's glyphs
        width = 0.0
        for item in _show_items(operands, op):
            if isinstance(item, bytes):
                width += sum(fonts.width(info, c) for c in item)
            elif _is_number(item):
                width -= float(item)
        code = fonts.add_code(font_name, actual, max(width, 0.0))
        if code is None:
            return None
        new.append(([ByteStringObject(bytes([code]))], b"Tj"))
        shown = True
    return new if shown else None


def _fold_mark_offsets(ops, fonts: _PageFonts) -> bool:
    """Move each TJ adjustment made just before a zero-width glyph (a Thai mark) to after it.

    Moved past the mark, a pair of adjustments placing it cancels out, and the following glyphs stay where they were.
    """
    from pypdf.generic import ArrayObject, ByteStringObject, FloatObject

    changed = False
    font_name = None
    for k, (operands, op) in enumerate(ops):
        if op == b"Tf" and operands:
            font_name = operands[0]
        if op != b"TJ" or not operands or not isinstance(operands[0], list):
            continue
        info = fonts.get(font_name)
        if info is None or not any(_is_number(it) for it in operands[0]):
            continue
        tokens: list = []  # tuples (code,) for glyphs, floats for adjustments
        moved = False
        for item in operands[0]:
            if _is_number(item):
                if tokens and isinstance(tokens[-1], float):
                    tokens[-1] += float(item)
                else:
                    tokens.append(float(item))
            elif isinstance(item, bytes):
                for c in item:
                    if tokens and isinstance(tokens[-1], float) and fonts.width(info, c) == 0:
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


def _move_space_runs(ops, fonts: _PageFonts) -> bool:
    """Move spaces drawn ahead of their line, in a run of their own, into the text at their x position."""
    changed = False
    start = None
    for k, (_, op) in enumerate(ops):
        if op == b"BT":
            start = k
        elif op == b"ET" and start is not None:
            changed |= _move_spaces_in_block(ops, start, k, fonts)
            start = None
    return changed


def _loose_run(operands, op, info, fonts: _PageFonts) -> bool:
    """True if the operator shows only spaces and punctuation."""
    loose = fonts.loose_codes(info)
    items = [it for it in _show_items(operands, op) if isinstance(it, bytes)]
    return bool(loose and items) and all(set(it) <= loose for it in items)


def _move_spaces_in_block(ops, start: int, end: int, fonts: _PageFonts) -> bool:
    from pypdf.generic import ArrayObject, ByteStringObject

    # Cheap test first: a run of spaces only, followed by more text in the block.
    font_name = None
    first_run = None
    for k in range(start + 1, end):
        operands, op = ops[k]
        if op == b"Tf" and operands:
            font_name = operands[0]
        elif op in _SHOW:
            info = fonts.get(font_name)
            if info is not None and _loose_run(operands, op, info, fonts):
                first_run = k
                break
    if first_run is None or not any(op in _SHOW for _, op in ops[first_run + 1 : end]):
        return False
    # Follow the text position through the block, collecting the x of every glyph.
    lx = ly = x = 0.0
    font_name, size = None, 0.0
    # x, y, advance, operator and text of each glyph of a run of spaces and punctuation
    spaces: list[tuple[float, float, float, int, str]] = []
    glyphs: list[tuple[float, float, int, int, int]] = []  # x, y, operator, item and byte of every other glyph
    for k in range(start + 1, end):
        operands, op = ops[k]
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
            info = fonts.get(font_name)
            if info is None:
                return False
            only_spaces = _loose_run(operands, op, info, fonts)
            for i, item in enumerate(_show_items(operands, op)):
                if _is_number(item):
                    x -= float(item) / 1000 * size
                elif isinstance(item, bytes):
                    for b, c in enumerate(item):
                        advance = fonts.width(info, c) / 1000 * size
                        if only_spaces:
                            spaces.append((x, ly, advance, k, fonts.chars(info).get(c, " ")))
                        else:
                            glyphs.append((x, ly, k, i, b))
                        x += advance
    # Only runs drawn before text that lies to their left (the misplacement) are moved. A space goes before the first
    # glyph past its middle, or after the line's last glyph (a word gap where the line wraps). Marks and their base can
    # be a hair apart in x, so stream order decides among the glyphs nearest the space.
    inserts: dict[tuple[int, int, int], list[tuple[bool, str]]] = {}  # glyph -> (after it?, text) to insert
    # A run is moved if any of its glyphs lies right of text drawn after it; then all its glyphs are placed.
    runs = {k for sx, sy, _, k, _ in spaces if any(g[2] > k and g[0] < sx and abs(g[1] - sy) < 0.5 for g in glyphs)}
    for sx, sy, advance, k, char in spaces:
        if k not in runs:
            continue
        line = [g for g in glyphs if abs(g[1] - sy) < 0.5]
        middle = sx + advance / 2
        after = [g for g in line if g[0] >= middle]
        before = [g for g in line if g[0] < middle]
        if after:
            first = min(g[0] for g in after)
            g = min((g for g in after if g[0] <= first + advance / 2), key=lambda g: g[2:])
            inserts.setdefault((g[2], g[3], g[4]), []).append((False, char))
        elif before:
            last = max(g[0] for g in before)
            g = max((g for g in before if g[0] >= last - advance / 2), key=lambda g: g[2:])
            inserts.setdefault((g[2], g[3], g[4]), []).append((True, char))
    if not runs:
        return False
    targets = {key[0] for key in inserts}
    font_name = None
    for k in range(start + 1, end):
        operands, op = ops[k]
        if op == b"Tf" and operands:
            font_name = operands[0]
        if k not in targets:
            continue
        codes = {char: fonts.add_code(font_name, char, 0.0) for at in inserts.values() for _, char in at}
        if None in codes.values():
            return False
        new: list = []
        for i, item in enumerate(_show_items(operands, op)):
            if not isinstance(item, bytes):
                new.append(item)
                continue
            piece = b""
            for b, c in enumerate(item):
                here = inserts.get((k, i, b), [])
                chars_ahead = [char for after, char in here if not after]
                ahead = bytes(codes[char] for char in chars_ahead)
                if ahead:
                    if piece:
                        new.append(ByteStringObject(piece))
                        piece = b""
                    # Before the adjustment that stands for the gap when a space ends what is inserted; an opening
                    # quote goes after it, next to its word, or the reader would see the gap after the quote.
                    pos = len(new)
                    while pos and _is_number(new[pos - 1]) and chars_ahead[-1] == " ":
                        pos -= 1
                    new.insert(pos, ByteStringObject(ahead))
                piece += bytes([c]) + bytes(codes[char] for after, char in here if after)
            if piece:
                new.append(ByteStringObject(piece))
        ops[k] = ([ArrayObject(new)], b"TJ")
    for k in runs:
        ops[k] = None
    return True
