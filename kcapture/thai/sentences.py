"""Sentence segmentation for the genres users bring, fast enough for archives.

Thai marks sentence ends with a space, not a full stop, but also puts spaces around numbers, English words and some
phrases. Line breaks, list items and speaker turns are hard boundaries (the reader already made them blocks or
lines); inside a line, each space is a candidate boundary. The hard rules of sentence_rules.py close the spaces where
a reader never ends a sentence (inside brackets or quotes, a number and what it counts, before a continuation word,
inside a dictionary name); the learned model of boundaries.py decides the rest from the words on either side, which
the word tokenizer produces anyway. So segmentation costs one nlpo3 pass per line, where PyThaiNLP's crfcut runs newmm
and a CRF; `benchmarks/segmentation.py` measures both, their speed and their agreement with the gold sentence breaks
of the corpus.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import repeat
from operator import add

from kcapture.document import Document, Sentence, Token
from kcapture.thai.boundaries import BoundaryModel, LineWords, line_words, load_boundary_model
from kcapture.thai.sentence_rules import dictionary_names, forced_word, protected_words
from kcapture.thai.tokenize import WordTokenizer, default_tokenizer

THAI_CHAR = re.compile("[\u0e01-\u0e4e]")
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
        words, starts, space_before, _ = line_words(pieces)
        return self.split_words(line, words, starts, space_before, list_item)

    def split_words(self, line: str, words: list[str], starts: list[int], space_before: list[bool],
                    list_item: bool = False) -> list[tuple[int, int]]:
        """As split_line, from the line's words, their offsets and whether a space precedes each (line_words)."""
        return self.split_lines([LineWords(line, words, starts, space_before, len(line), list_item)])[0]

    def split_lines(self, lines: list[LineWords]) -> list[list[tuple[int, int]]]:
        """The sentence spans of many lines (each relative to its line): the model scores all their spaces at once."""
        if self.boundary_model is not None:
            points = self.boundary_model.split_lines(lines)
        else:
            points = [self._rule_points(line.text, line.words, line.starts, line.space_before, line.list_item)
                      for line in lines]
        return [_spans(line.text, bounds) for line, bounds in zip(lines, points, strict=True)]

    def _rule_points(self, line: str, words: list[str], starts: list[int], space_before: list[bool],
                     list_item: bool) -> list[int]:
        """Without a model: the hard rules, then a space between two Thai words far enough from both line ends."""
        n = len(line)
        blocked = protected_words(words, starts, space_before, line, dictionary_names())
        min_left = self.min_list_item if list_item else self.min_left
        bounds: list[int] = []
        last = 0
        for k in range(1, len(words)):
            if not space_before[k] or k in blocked:
                continue
            left, right = words[k - 1], words[k]
            left_len, right_len = starts[k] - last, n - starts[k]
            if forced_word(words, k, left_len) or (
                    SENT_END.search(left) and not THAI_CHAR.search(left[-2:-1] or "") and left_len >= 8) or (
                    left_len >= min_left and right_len >= self.min_right
                    and THAI_CHAR.search(left[-1:]) and THAI_CHAR.search(right[:1])
                    and not (left.endswith("ๆ") and left_len < 40)):
                bounds.append(starts[k])
                last = starts[k]
        return bounds


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


def segment_document(doc: Document, segmenter: SentenceSegmenter | None = None) -> Document:
    """Fill `doc.sentences` (with tokens) from its blocks. Sentences never cross a block or a line break."""
    segmenter = segmenter or default_segmenter()
    tokenizer = segmenter.tokenizer
    text = doc.text
    # One tokenizer pass per line serves both the sentence decision and the sentences' tokens.
    lines: list[LineWords] = []
    line_places: list[tuple[int, int]] = []  # (block index, line offset) of each line
    for b_index, block in enumerate(doc.blocks):
        list_item = block.kind == "list_item"
        for line, line_start in _hard_lines(text, block):
            words, starts, space_before, _ = line_words(tokenizer.words(line))
            lines.append(LineWords(line, words, starts, space_before, len(line), list_item))
            line_places.append((b_index, line_start))
    sentences: list[Sentence] = []
    for line, (b_index, line_start), spans in zip(lines, line_places, segmenter.split_lines(lines), strict=True):
        block = doc.blocks[b_index]
        token_runs = _span_tokens(text, line.text, line_start, line.words, line.starts, spans)
        for (s, e), tokens in zip(spans, token_runs, strict=True):
            start, end = line_start + s, line_start + e
            sent = Sentence(id=len(sentences), start=start, end=end, text=text[start:end], block=b_index,
                            kind=block.kind, speaker=block.speaker, tokens=tokens)
            if block.cues:
                sent.time_start, sent.time_end = _cue_times(block.cues, start, end)
            elif block.time_start:
                sent.time_start, sent.time_end = block.time_start, block.time_end
            sentences.append(sent)
    doc.sentences = sentences
    return doc


def _span_tokens(text: str, line: str, line_start: int, words: list[str], starts: list[int],
                 spans: list[tuple[int, int]]) -> list[list[Token]]:
    """The tokens (document offsets) of each sentence span of a line, from the line's words."""
    if not _INNER_SPACE.search("".join(words)):
        # No word holds whitespace (the rule): each word lies whole inside one trimmed span, so a span's tokens are
        # a slice of the line's, all made without a Python step per word.
        token_starts = list(map(add, starts, repeat(line_start)))
        tokens = list(map(Token, token_starts, map(add, token_starts, map(len, words)), words))
        if len(spans) == 1:
            return [tokens]
        runs = []
        first = 0
        for s, e in spans:
            first = bisect_left(starts, s, first)
            stop = bisect_left(starts, e, first)
            runs.append(tokens[first:stop])
            first = stop
        return runs
    # A word piece holding whitespace (a dictionary entry with a space): clip words to the span, split at the space.
    runs = []
    k = 0
    for s, e in spans:
        tokens: list[Token] = []
        while k < len(words) and starts[k] < e:
            a = starts[k]
            if a >= s:
                word = words[k]
                b = a + len(word)
                if b > e:
                    b = e
                    word = line[a:b]
                a, b = line_start + a, line_start + b
                if _INNER_SPACE.search(word):
                    tokens.extend(_tokens_of(text, a, b))
                else:
                    tokens.append(Token(a, b, word))
            k += 1
        runs.append(tokens)
    return runs


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
