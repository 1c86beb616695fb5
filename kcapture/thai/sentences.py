"""Sentence segmentation for the genres users bring, fast enough for archives.

Thai marks sentence ends with a space, not a full stop, but also puts spaces around numbers, English words and some
phrases. Line breaks, list items and speaker turns are hard boundaries (the reader already made them blocks or
lines); inside a line, each space is a candidate boundary and is decided from the words on either side, which the word
tokenizer produces anyway. So segmentation costs one nlpo3 pass per line, where PyThaiNLP's crfcut runs newmm and a
CRF (about 94,000 chars/s against several hundred thousand here; `benchmarks/pipeline_speed.py` measures both, and
their agreement with the gold sentence breaks of the corpus).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kcapture.document import Document, Sentence, Token
from kcapture.thai.boundaries import BoundaryModel, load_boundary_model
from kcapture.thai.tokenize import WordTokenizer, default_tokenizer

# A space before these words continues the sentence ("..., และ ...", "... ซึ่ง ...").
CONTINUE_BEFORE = frozenset(
    "และ หรือ ซึ่ง ที่ โดย เช่น ได้แก่ คือ ของ กับ ให้ จาก ใน ทั้ง รวมถึง รวมทั้ง ตลอดจน อาทิ เป็นต้น ฯลฯ จำนวน "
    "ประมาณ ๆ ตาม ต่อ แก่ แด่ ด้วย เพื่อ อัน อย่าง ไป มา แล้ว อยู่ ครับ ค่ะ คะ นะ จ้ะ จ้า รุ่น รุ่นที่ ครั้งที่".split()
)
# A space after these words continues the sentence ("ได้แก่ ...", "ณ ...").
CONTINUE_AFTER = frozenset(
    "ได้แก่ เช่น คือ อาทิ ณ ที่ โดย ของ และ หรือ กับ จำนวน ประมาณ วันที่ เดือน ปี พ.ศ. ค.ศ. ระหว่าง ตั้งแต่ ถึง "
    "นาย นาง นางสาว คุณ ดร. อ. ผศ. รศ. ศ. ต. อ. จ. ม. หมู่ ตำบล อำเภอ จังหวัด เรื่อง หัวข้อ รุ่น ครั้ง ครั้งที่ "
    "รุ่นที่ ชื่อ โครงการ มูลนิธิ".split()
)
THAI_CHAR = re.compile("[\u0e01-\u0e4e]")
LIST_MARK = re.compile(r"^(?:\(?\d{1,2}[.)]|[๑-๙][.)]|[-•*])$")
SENT_END = re.compile(r"[.!?？！]$")


@dataclass
class SentenceSegmenter:
    tokenizer: WordTokenizer
    min_left: int = 20  # characters since the last boundary before a space may end a sentence
    min_right: int = 12  # characters left on the line after it
    min_list_item: int = 90  # a list item is one statement unless it runs on past this many characters
    # Learned from the corpus (boundaries.py); the hand rules below are the fallback when it is absent.
    boundary_model: BoundaryModel | None = None

    def split_line(self, line: str, list_item: bool = False) -> list[tuple[int, int]]:
        """Sentence spans (relative to `line`), trimmed of whitespace."""
        return self.split_pieces(line, self.tokenizer.words(line), list_item)

    def split_pieces(self, line: str, pieces: list[str], list_item: bool = False) -> list[tuple[int, int]]:
        """As split_line, from the line's word pieces (whitespace included) already tokenized."""
        if self.boundary_model is not None:
            return _spans(line, self.boundary_model.split_points(pieces, list_item))
        min_left = self.min_list_item if list_item else self.min_left
        bounds: list[int] = []
        pos = 0
        last = 0
        n = len(line)
        for i, piece in enumerate(pieces):
            if piece.isspace() and 0 < i < len(pieces) - 1:
                left = _last_word(pieces, i)
                right = _next_word(pieces, i)
                if self._is_boundary(left, right, pos - last, n - pos - len(piece), pieces, i, min_left):
                    bounds.append(pos + len(piece))
                    last = pos + len(piece)
            pos += len(piece)
        return _spans(line, bounds)

    def _is_boundary(
        self, left: str, right: str, left_len: int, right_len: int, pieces: list[str], i: int, min_left: int
    ) -> bool:
        if right_len <= 0:
            return False
        # An inline numbered list, "... 1. ... 2. ...", starts a new item at each number.
        nxt = pieces[i + 1] if i + 1 < len(pieces) else ""
        after = pieces[i + 2] if i + 2 < len(pieces) and pieces[i + 2] in ".)" else ""
        if re.match(r"^\(?\d{1,2}[.)]$", nxt + after) \
                and left_len >= 8:
            return True
        if SENT_END.search(left) and not THAI_CHAR.search(left[-2:-1] or "") and left_len >= 8:
            return True  # an English sentence, or a Thai one closed by "?" or "!"
        if left_len < min_left or right_len < self.min_right:
            return False
        if not (THAI_CHAR.search(left[-1:]) and THAI_CHAR.search(right[:1])):
            return False  # spaces around numbers, English terms and brackets are not sentence ends
        if right in CONTINUE_BEFORE or left in CONTINUE_AFTER or left.endswith("ๆ") and left_len < 40:
            return False
        return True


def _spans(line: str, bounds: list[int]) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for b in [*bounds, len(line)]:
        seg = line[start:b]
        s = start + (len(seg) - len(seg.lstrip()))
        e = start + len(seg.rstrip())
        if e > s:
            spans.append((s, e))
        start = b
    return spans


def _last_word(pieces: list[str], i: int) -> str:
    return pieces[i - 1]


def _next_word(pieces: list[str], i: int) -> str:
    return pieces[i + 1]


def segment_document(doc: Document, segmenter: SentenceSegmenter | None = None) -> Document:
    """Fill `doc.sentences` (with tokens) from its blocks. Sentences never cross a block or a line break."""
    segmenter = segmenter or default_segmenter()
    tokenizer = segmenter.tokenizer
    sentences: list[Sentence] = []
    text = doc.text
    for b_index, block in enumerate(doc.blocks):
        for line, line_start in _hard_lines(text, block):
            # One tokenizer pass per line serves both the sentence decision and the sentences' tokens.
            pieces = tokenizer.words(line)
            piece_spans = []
            pos = 0
            for piece in pieces:
                if not piece.isspace():
                    piece_spans.append((pos, pos + len(piece)))
                pos += len(piece)
            k = 0
            for s, e in segmenter.split_pieces(line, pieces, list_item=block.kind == "list_item"):
                start, end = line_start + s, line_start + e
                tokens = []
                while k < len(piece_spans) and piece_spans[k][0] < e:
                    a, b = piece_spans[k]
                    if a >= s:
                        a, b = line_start + a, line_start + min(b, e)
                        word = text[a:b]
                        if _INNER_SPACE.search(word):
                            tokens.extend(_tokens_of(text, a, b))
                        else:
                            tokens.append(Token(a, b, word))
                    k += 1
                sent = Sentence(id=len(sentences), start=start, end=end, text=text[start:end], block=b_index,
                                kind=block.kind, speaker=block.speaker, tokens=tokens)
                if block.cues:
                    sent.time_start, sent.time_end = _cue_times(block.cues, start, end)
                elif block.time_start:
                    sent.time_start, sent.time_end = block.time_start, block.time_end
                sentences.append(sent)
    doc.sentences = sentences
    return doc


_CUE_END = re.compile(r"(?:ครับ|ค่ะ|คะ|จ้ะ|จ้า|[.?!…])\s*$")


def _hard_lines(text: str, block) -> list[tuple[str, int]]:
    """The block's lines with their offsets; in subtitles, also a cue that ends with a particle or punctuation."""
    cuts = {block.start, block.end + 1}
    pos = block.start
    for line in text[block.start : block.end].split("\n"):
        pos += len(line) + 1
        cuts.add(pos)
    for cue_start, _, _ in block.cues or ():
        if block.start < cue_start < block.end and _CUE_END.search(text[block.start : cue_start]):
            cuts.add(cue_start)
    edges = sorted(cuts)
    out = []
    for a, b in zip(edges, edges[1:], strict=False):
        end = min(b, block.end)
        if text[end - 1 : end] == "\n":
            end -= 1
        out.append((text[a:end], a))
    return out


def _tokens_of(text: str, start: int, end: int) -> list[Token]:
    piece = text[start:end]
    if not _INNER_SPACE.search(piece):
        return [Token(start, end, piece)]
    return [Token(start + m.start(), start + m.end(), m.group()) for m in re.finditer(r"\S+", piece)]


_INNER_SPACE = re.compile(r"\s")


def _cue_times(cues: list[tuple[int, str, str]], start: int, end: int) -> tuple[str, str]:
    first = cues[0]
    last = cues[0]
    for cue in cues:
        if cue[0] <= start:
            first = cue
        if cue[0] < end:
            last = cue
    return first[1], last[2]


_DEFAULT: SentenceSegmenter | None = None


def default_segmenter() -> SentenceSegmenter:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SentenceSegmenter(default_tokenizer(), boundary_model=load_boundary_model())
    return _DEFAULT


def split_sentences(text: str) -> list[str]:
    """Convenience for plain strings: the sentences of `text`, line breaks as hard boundaries."""
    seg = default_segmenter()
    out = []
    for line in text.split("\n"):
        out.extend(line[s:e] for s, e in seg.split_line(line))
    return out


__all__ = ["SentenceSegmenter", "segment_document", "split_sentences", "default_segmenter", "Token"]
