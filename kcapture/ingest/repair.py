"""Thai text repair and normalisation with an offset map back to the text as read.

PyThaiNLP's `normalize` fixes typing-order problems but does not say where it changed the text, and it does not
know what PDF extraction breaks (sara am split into a space and sara aa, U+FFFD, page numbers in running text,
lines broken mid-word, tone marks shifted onto the next consonant). Each rule here is a regular expression applied
by `RepairedText.sub`, which carries a map from every output character to the input character it came from;
`pythainlp.util.normalize` runs last as a safety net, and if it still changes anything the map is recomputed by
alignment.

A rule that could read an artefact two ways, or that changes letters of text that may be right, asks the dictionary:
`dictionary_choice` tokenizes the words around the match with each candidate and keeps the one with the fewest
characters outside known words (then the fewest pieces). So `เป้ าหมาย` becomes `เป้าหมาย`, not `เป้ำหมาย`, while
`ด าเนิน` still becomes `ดำเนิน`; and a shifted tone mark is moved back only when that turns a non-word into words.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from kcapture.thai.tokenize import default_tokenizer, known_words

CONS = "\u0e01-\u0e2e"
ABOVE_BELOW = "\u0e31\u0e34-\u0e3a\u0e47"  # vowels written above or below the consonant
TONES = "\u0e48-\u0e4b"
THAI = "\u0e00-\u0e7f"

Repl = str | Callable[[re.Match[str]], str | tuple[str, list[int]]]


def extend_offsets(offsets: array[int], more: Sequence[int]) -> None:
    """offsets += more. A range (a stretch no rule changed) goes in by numpy as one block of bytes: extending an
    array from a range makes an int object per character (1.5 M characters: 0.07 s)."""
    if isinstance(more, range) and more.step == 1:
        offsets.frombytes(np.arange(more.start, more.stop, dtype=np.int64).tobytes())
    else:
        offsets.extend(more)


@dataclass
class RepairedText:
    """Text plus, for each character, the offset of the input character it came from (one extra entry for the end)."""

    text: str
    # A range until a rule changes the text (most blocks need no repair: no list of their offsets is built here).
    offsets: Sequence[int]
    counts: Counter = field(default_factory=Counter)

    @classmethod
    def start(cls, text: str, base: int = 0) -> RepairedText:
        return cls(text, range(base, base + len(text) + 1))

    def sub(self, rule: str, pattern: re.Pattern[str] | AnchoredPattern, repl: Repl) -> list[tuple[int, int]]:
        """Replace every match of `pattern` (as re.sub does), keeping the offsets. Returns where the replacements are
        in the new text (none: the text is unchanged)."""
        pieces: list[str] = []
        offsets = array("q")  # 8 bytes an offset, not a 32-byte int object each (1.5 M characters: 45 MB less)
        changed: list[tuple[int, int]] = []
        last = 0
        for m in pattern.finditer(self.text):
            new = repl(m) if callable(repl) else m.expand(repl) if "\\" in repl else repl
            # A rule that moves letters says where each output character came from (positions in the match).
            new, sources = new if isinstance(new, tuple) else (new, None)
            if new == m.group(0):
                continue
            s, e = m.span()
            pieces.append(self.text[last:s])
            extend_offsets(offsets, self.offsets[last:s])
            changed.append((len(offsets), len(offsets) + len(new)))
            pieces.append(new)
            span = max(e - s - 1, 0)
            if sources is not None:
                offsets.extend(self.offsets[s + k] for k in sources)
            else:
                offsets.extend(self.offsets[s + min(k, span)] for k in range(len(new)))
            last = e
        if not changed:
            return changed
        pieces.append(self.text[last:])
        extend_offsets(offsets, self.offsets[last:])
        self.text = "".join(pieces)
        self.offsets = offsets
        self.counts[rule] += len(changed)
        return changed

    def realign(self, rule: str, new_text: str) -> None:
        """Adopt a text changed by a function that gives no offsets (PyThaiNLP), mapping it by alignment."""
        if new_text == self.text:
            return
        offsets = array("q")
        matcher = difflib.SequenceMatcher(None, self.text, new_text, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                extend_offsets(offsets, self.offsets[i1:i2])
            else:
                for k in range(j2 - j1):
                    offsets.append(self.offsets[min(i1 + k, max(i2 - 1, i1))])
        offsets.append(self.offsets[-1])
        self.text = new_text
        self.offsets = offsets
        self.counts[rule] += 1


_THAI_LETTER = re.compile(f"[{CONS}]")
_REACH = 15  # characters of context each side of a match that the dictionary sees


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """The rest of the words around text[start:end]: up to the nearest whitespace, at most _REACH characters."""
    before = text[max(0, start - _REACH) : start]
    after = text[end : end + _REACH]
    left = "" if not before or before[-1].isspace() else before.rsplit(None, 1)[-1]
    right = "" if not after or after[0].isspace() else after.split(None, 1)[0]
    return left, right


@lru_cache(maxsize=65_536)  # the same words recur through a document; each window is tokenized once
def unknown_score(text: str) -> tuple[int, int]:
    """(characters of Thai pieces that are not dictionary words, number of Thai pieces): lower reads better."""
    words = known_words()
    unknown = pieces = 0
    for piece in _pieces(text):
        if _THAI_LETTER.search(piece):
            pieces += 1
            if piece not in words:
                unknown += len(piece)
    return unknown, pieces


def dictionary_choice(m: re.Match[str], candidates: list[str]) -> str:
    """The candidate replacement for the match that makes the words around it read best; ties go to the first."""
    left, right = _context(m.string, *m.span())
    scored = [(unknown_score(left + c + right), i) for i, c in enumerate(candidates)]
    return candidates[min(scored)[1]]


def _sara_am_or_aa(m: re.Match[str]) -> str:
    # "ด าเนิน" / "ด�าเนิน": a lost nikhahit (sara am), or a stray space / broken byte before a real sara aa.
    return dictionary_choice(m, [m.group(1) + "\u0e33", m.group(1) + "\u0e32"])


def _piece_at(text: str, pos: int) -> str:
    """The tokenizer's piece of `text` that covers character `pos`."""
    end = 0
    for piece in _pieces(text):
        end += len(piece)
        if pos < end:
            return piece
    return ""


@lru_cache(maxsize=65_536)
def _pieces(text: str) -> tuple[str, ...]:
    return tuple(default_tokenizer().words(text))


@lru_cache(maxsize=1)
def _tone_syllables() -> frozenset[str]:
    """Every consonant + tone mark + consonant that occurs in a dictionary word ("ข้ม" of เข้มแข็ง)."""
    # One scan over all words joined by newlines (which no syllable holds), from each tone mark between consonants.
    words = "\n".join(known_words())
    tones = re.finditer(f"[{TONES}](?<=[{CONS}].)(?=[{CONS}])", words)
    return frozenset(words[m.start() - 1 : m.end() + 1] for m in tones)


def _shifted_tone(m: re.Match[str]) -> str | tuple[str, list[int]]:
    # "เขม้แข็ง": the tone mark of the first consonant drawn after the second. Moved back only when the word it lands
    # in is a dictionary word and the words around it read better; the tone then maps to the consonant it sits on.
    original = m.group()
    first, second, tone = original
    moved = first + tone + second
    if moved not in _tone_syllables():  # no word has that syllable: nothing to gain (most matches stop here)
        return original
    left, right = _context(m.string, *m.span())
    # Tested first because it fails for most matches, so the text as written is rarely tokenized.
    after = left + moved + right
    if _piece_at(after, len(left)) not in known_words():
        return original
    before = unknown_score(left + original + right)
    if before[0] == 0:
        return original
    return (moved, [0, 0, 1]) if unknown_score(after) < before else original


@dataclass(frozen=True)
class AnchoredPattern:
    """A pattern found from a rarer character at a fixed place in its matches: `anchor` finds that character (and
    checks what the pattern needs around it), then `pattern` is matched `back` characters before it. Its `finditer`
    yields the pattern's own matches, provided the anchor matches exactly where they have that character and no two
    matches can overlap; the engine then skips the text between anchors instead of trying the pattern at every
    character its first character class allows."""

    pattern: re.Pattern[str]
    anchor: re.Pattern[str]
    back: int

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        match, back = self.pattern.match, self.back
        for a in self.anchor.finditer(text):
            m = match(text, a.start() - back)
            if m is not None:
                yield m


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str] | AnchoredPattern
    repl: Repl
    # A cheap pattern found in every block the rule's pattern matches (None: the pattern itself). `repair_blocks`
    # scans a whole document for each gate once, and a block is tried only with the rules whose gate was found in
    # it: most blocks need none of them, and one scan of all the text costs far less than one regex call per block
    # and rule. A gate may look around only at characters the rule's match needs too, so that it is found in the
    # joined blocks wherever it would be in one block alone; a match of it, with what it looks around at, is at most
    # _GATE_REACH characters long.
    gate: re.Pattern[str] | None = None
    everywhere: bool = False  # tried on every block, without a gate (its pattern matches in nearly all)

    @property
    def scan(self) -> re.Pattern[str]:
        scan = self.gate or self.pattern
        assert isinstance(scan, re.Pattern), f"rule {self.name}: an anchored pattern needs a gate or everywhere=True"
        return scan


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_NBSP = "\u00a0\u2000-\u200a\u202f\u205f\u3000"
_WORD_INNER = f"{ABOVE_BELOW}{TONES}\u0e30\u0e32\u0e33\u0e45\u0e4c"  # marks and vowels no word starts with
_MARKS = f"{ABOVE_BELOW}{TONES}\u0e4c\u0e4d\u0e33"  # combining marks (sara am holds one)

_JUNK_GATE = re.compile(f"[{_INVISIBLE}{_NBSP}\r]")
# Two marks in a row that no correct text has, or a mark after something that is no consonant or vowel (dangling):
# the gate of the mark-order rules, and of what normalize() changes.
_MARK_GATE = re.compile(
    f"[{_MARKS}](?<=[^{CONS}\u0e30-\u0e4e][{_MARKS}]|[{TONES}{ABOVE_BELOW}][{ABOVE_BELOW}]"
    f"|[\u0e32\u0e33{TONES}\u0e4c][{TONES}]|[{TONES}\u0e4c]\u0e4c|\u0e33\u0e33)"
)
# Alternatives that each open with a literal, so that the engine can skip ahead to those characters.
_PAGE_NUMBER_GATE = re.compile(r"- ?\d{1,4} ?[-–—]|– ?\d{1,4} ?[-–—]|— ?\d{1,4} ?[-–—]|หน้า ?\d")
_SPACE_GATE = re.compile(" [ \t\n]|\t[ \t]|\n ")  # two spaces or tabs, or a space at a line's edge


# Order matters: invisible junk first, so later rules see adjacent characters. Look-behinds come after the first
# character, and a pattern opens with "[...][...]*" (or "  *") rather than "[...]+", so that the engine can skip ahead
# to that character instead of trying every position.
RULES: list[Rule] = [
    Rule("lost_nikhahit", re.compile(f"([{CONS}][{TONES}]?)\ufffd+\u0e32"), _sara_am_or_aa, re.compile("\ufffd")),
    Rule("invisible", re.compile(f"[{_INVISIBLE}][{_INVISIBLE}]*"), "", _JUNK_GATE),
    Rule("nbsp", re.compile(f"[{_NBSP}]"), " ", _JUNK_GATE),
    Rule("crlf", re.compile("\r\n?"), "\n", _JUNK_GATE),
    # PDF exports from Word drop the nikhahit of sara am and leave a space: "ด าเนิน" -> "ดำเนิน".
    # A Thai word never starts with sara aa, so a space before it after a consonant (+ tone) is always an artefact;
    # other PDFs put a space before a real sara aa ("เป้ าหมาย"): the dictionary tells the two apart.
    Rule("split_sara_am", re.compile(f"([{CONS}][{TONES}]?) \u0e32"), _sara_am_or_aa, re.compile(" \u0e32")),
    Rule("nikhahit_sara_aa", re.compile(f"\u0e4d([{TONES}]?)\u0e32"), "\\1\u0e33", re.compile("\u0e4d")),
    Rule("nikhahit_sara_aa", re.compile(f"([{TONES}]?)\u0e4d\u0e32"), "\\1\u0e33", re.compile("\u0e4d")),
    Rule("double_sara_e", re.compile("\u0e40\u0e40"), "\u0e41"),
    # Tone mark typed before an above/below vowel: "ท่ี" -> "ที่".
    Rule("tone_order", re.compile(f"([{TONES}])([{ABOVE_BELOW}])"), "\\2\\1", _MARK_GATE),
    # Sara aa / sara am typed before the tone mark: "ดา้น" -> "ด้าน", "นำ้" -> "น้ำ".
    Rule("tone_order", re.compile(f"([\u0e32\u0e33])([{TONES}])"), "\\2\\1", _MARK_GATE),
    # A tone mark shifted onto the next consonant ("เขม้แข็ง"): only where that consonant then ends a syllable (a
    # consonant, leading vowel or space follows), which keeps the dictionary check off most words ("สร้าง", "กล้า").
    # Found from the tone mark (a consonant is half of all Thai text, a tone mark a twentieth): two matches never
    # overlap, as each has a tone mark where the other would need a consonant.
    Rule("shifted_tone",
         AnchoredPattern(re.compile(f"[{CONS}][{CONS}][{TONES}](?=[{CONS}\u0e40-\u0e44]|\\s|$)"),
                         re.compile(f"[{TONES}](?<=[{CONS}][{CONS}].)(?=[{CONS}\u0e40-\u0e44]|\\s|$)"), back=2),
         _shifted_tone, everywhere=True),
    Rule("repeated_mark", re.compile(f"([{ABOVE_BELOW}{TONES}\u0e4c\u0e33])\\1+"), "\\1", _MARK_GATE),
    # Page numbers left inside running text by PDF extraction: "... การทำงาน - 12 - ของชุมชน ...".
    Rule("page_number", re.compile(r" (?<=\S.) *[-–—] ?\d{1,4} ?[-–—] +(?=\S)"), " ", _PAGE_NUMBER_GATE),
    Rule("page_number",
         re.compile(r"(?m)^[ \t]*(?:[-–—] ?\d{1,4} ?[-–—]|หน้า ?\d{1,4}(?: ?(?:จาก|/) ?\d{1,4})?)[ \t]*\n"), "",
         _PAGE_NUMBER_GATE),
    # A line broken inside a word: the next line starts with a mark that cannot begin a word,
    # or the line ends with a leading vowel that cannot end one.
    Rule("midword_break",
         re.compile(f" \n(?<=[{THAI}] \n)(?=[{_WORD_INNER}])|\n(?<=[{THAI}]\n)(?=[{_WORD_INNER}])"), "",
         re.compile(f"\n[{_WORD_INNER}]")),
    Rule("midword_break", re.compile("\n(?<=[\u0e40-\u0e44]\n)(?=[\u0e01-\u0e2e])"), ""),
    Rule("spaces", re.compile(r"[ \t][ \t]+"), " ", _SPACE_GATE),
    Rule("line_edge_space", re.compile(r"  *\n|\n  *"), "\n", _SPACE_GATE),
]


def repair_text(text: str, base: int = 0) -> RepairedText:
    """Repair one block of text; offsets start at `base` (the block's place in the source text)."""
    return repair_blocks([text], [base])[0]


def repair_blocks(texts: Sequence[str], bases: Sequence[int]) -> list[RepairedText]:
    """Repair each block of a document as `repair_text` does; `bases` are the blocks' places in the source text."""
    # Each gate is searched once in all blocks joined by newlines.
    joined = "\n".join(texts)
    starts: list[int] = []
    pos = 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    found: list[set[re.Pattern[str]]] = [set() for _ in texts]
    for gate in _gates(RULES):
        for m in gate.finditer(joined):
            # Every block the match touches (a look-behind may have reached back into the newline before a block).
            first = bisect.bisect_right(starts, m.start()) - 1
            for i in range(first, bisect.bisect_right(starts, m.end() - 1)):
                found[i].add(gate)
    return [_repair(text, base, gates) for text, base, gates in zip(texts, bases, found, strict=True)]


def _repair(text: str, base: int, gates: set[re.Pattern[str]]) -> RepairedText:
    """Repair one block, trying only the rules whose gate is among `gates`: those found in the block's text, to which
    the gates found in what a rule changes are added as the rules run."""
    out = RepairedText.start(text, base)
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        out.realign("unicode_nfc", nfc)
        gates = _gates_near(out.text, [(0, len(out.text))], RULES, set())
    for i, rule in enumerate(RULES):
        if rule.everywhere or gates and rule.scan in gates:  # most blocks hold no gate at all
            changed = out.sub(rule.name, rule.pattern, rule.repl)
            if changed:
                gates = _gates_near(out.text, changed, RULES[i + 1 :], gates)
    # What normalize() may change (see `_needs_normalize`): the mark gate finds all of it but two spaces (quick to look
    # for) and a mark that opens the text (no character before it for the gate to see).
    if _MARK_GATE in gates or "  " in out.text or _LEADING_MARK.match(out.text):
        out.realign("pythainlp_normalize", _pythainlp_normalize(out.text))
    return out


_GATE_REACH = 10  # characters: no gate's match, with what it looks around at, is longer


def _gates(rules: Sequence[Rule]) -> set[re.Pattern[str]]:
    """The gates of these rules and of normalize()."""
    return {rule.scan for rule in rules if not rule.everywhere} | {_MARK_GATE}


def _gates_near(
    text: str, spans: list[tuple[int, int]], rules: Sequence[Rule], found: set[re.Pattern[str]]
) -> set[re.Pattern[str]]:
    """`found` plus the gates of these rules found in `text` from the first of these spans to the last (where it was
    changed: a gate found elsewhere in it was there before the change, so it is in `found` already)."""
    # A search from `lo` still sees the characters before it (look-behinds), and none after `hi`.
    lo, hi = max(0, spans[0][0] - _GATE_REACH), spans[-1][1] + _GATE_REACH
    return found | {gate for gate in _gates(rules) - found if gate.search(text, lo, hi)}


# What PyThaiNLP's normalize() still changes after the rules above: a combining mark with no consonant to sit on
# (dangling), two marks of the same kind in a row, or a run of spaces. Text without these is returned untouched,
# which skips a third of the repair step's time. Each is a pattern of its own that opens with a character class:
# an alternation of them (or a leading "^|") would make the engine try every position.
_LEADING_MARK = re.compile(f"[{_MARKS}]")  # with match(): a dangling mark at the very start
_NORMALIZE_TRIGGERS = (
    re.compile(f"[^{CONS}\u0e30-\u0e4e][{_MARKS}]"),
    re.compile(f"[{ABOVE_BELOW}][{ABOVE_BELOW}]"),
    re.compile(f"[{TONES}\u0e4c][{TONES}\u0e4c]"),
)


def _needs_normalize(text: str) -> bool:
    return "  " in text or _LEADING_MARK.match(text) is not None or any(t.search(text) for t in _NORMALIZE_TRIGGERS)


def _pythainlp_normalize(text: str) -> str:
    # normalize() also strips and rewrites whitespace-only text; only its Thai fixes are wanted here.
    if not _needs_normalize(text):
        return text
    from pythainlp.util import normalize

    return normalize(text)
