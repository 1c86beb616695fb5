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

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

CONS = "\u0e01-\u0e2e"
ABOVE_BELOW = "\u0e31\u0e34-\u0e3a\u0e47"  # vowels written above or below the consonant
TONES = "\u0e48-\u0e4b"
THAI = "\u0e00-\u0e7f"

Repl = str | Callable[[re.Match[str]], str | tuple[str, list[int]]]


@dataclass
class RepairedText:
    """Text plus, for each character, the offset of the input character it came from (one extra entry for the end)."""

    text: str
    offsets: list[int]
    counts: Counter = field(default_factory=Counter)

    @classmethod
    def start(cls, text: str, base: int = 0) -> RepairedText:
        return cls(text, list(range(base, base + len(text) + 1)))

    def sub(self, rule: str, pattern: re.Pattern[str], repl: Repl) -> None:
        pieces: list[str] = []
        offsets: list[int] = []
        last = 0
        n = 0
        for m in pattern.finditer(self.text):
            new = repl(m) if callable(repl) else m.expand(repl)
            # A rule that moves letters says where each output character came from (positions in the match).
            new, sources = new if isinstance(new, tuple) else (new, None)
            if new == m.group(0):
                continue
            s, e = m.span()
            pieces.append(self.text[last:s])
            offsets.extend(self.offsets[last:s])
            pieces.append(new)
            span = max(e - s - 1, 0)
            if sources is not None:
                offsets.extend(self.offsets[s + k] for k in sources)
            else:
                offsets.extend(self.offsets[s + min(k, span)] for k in range(len(new)))
            last = e
            n += 1
        if not n:
            return
        pieces.append(self.text[last:])
        offsets.extend(self.offsets[last:])
        self.text = "".join(pieces)
        self.offsets = offsets
        self.counts[rule] += n

    def realign(self, rule: str, new_text: str) -> None:
        """Adopt a text changed by a function that gives no offsets (PyThaiNLP), mapping it by alignment."""
        if new_text == self.text:
            return
        offsets: list[int] = []
        matcher = difflib.SequenceMatcher(None, self.text, new_text, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                offsets.extend(self.offsets[i1:i2])
            else:
                for k in range(j2 - j1):
                    offsets.append(self.offsets[min(i1 + k, max(i2 - 1, i1))])
        offsets.append(self.offsets[-1])
        self.text = new_text
        self.offsets = offsets
        self.counts[rule] += 1


_THAI_LETTER = re.compile(f"[{CONS}]")
_REACH = 15  # characters of context each side of a match that the dictionary sees


_WORD_TAIL = re.compile(r"\S*\Z")
_WORD_HEAD = re.compile(r"\S*")


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """The rest of the words around text[start:end]: up to the nearest whitespace, at most _REACH characters."""
    left = _WORD_TAIL.search(text, max(0, start - _REACH), start).group()
    right = _WORD_HEAD.match(text, end, end + _REACH).group()
    return left, right


@lru_cache(maxsize=65_536)  # the same words recur through a document; each window is tokenized once
def unknown_score(text: str) -> tuple[int, int]:
    """(characters of Thai pieces that are not dictionary words, number of Thai pieces): lower reads better."""
    from kcapture.thai.tokenize import known_words

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
    start = 0
    for piece in _pieces(text):
        if start <= pos < start + len(piece):
            return piece
        start += len(piece)
    return ""


@lru_cache(maxsize=65_536)
def _pieces(text: str) -> tuple[str, ...]:
    from kcapture.thai.tokenize import default_tokenizer

    return tuple(default_tokenizer().words(text))


@lru_cache(maxsize=1)
def _tone_syllables() -> frozenset[str]:
    """Every consonant + tone mark + consonant that occurs in a dictionary word ("ข้ม" of เข้มแข็ง)."""
    from kcapture.thai.tokenize import known_words

    pattern = re.compile(f"(?=([{CONS}][{TONES}][{CONS}]))")
    return frozenset(m.group(1) for word in known_words() for m in pattern.finditer(word))


def _shifted_tone(m: re.Match[str]) -> str | tuple[str, list[int]]:
    # "เขม้แข็ง": the tone mark of the first consonant drawn after the second. Moved back only when the word it lands
    # in is a dictionary word and the words around it read better; the tone then maps to the consonant it sits on.
    original = m.group(0)
    moved = m.group(1) + m.group(3) + m.group(2)
    if moved not in _tone_syllables():  # no word has that syllable: nothing to gain (most matches stop here)
        return original
    left, right = _context(m.string, *m.span())
    before = unknown_score(left + original + right)
    if before[0] == 0:
        return original
    from kcapture.thai.tokenize import known_words

    if _piece_at(left + moved + right, len(left)) not in known_words():
        return original
    return (moved, [0, 0, 1]) if unknown_score(left + moved + right) < before else original


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    repl: Repl
    # Substrings of which the pattern's every match holds at least one: a text without any skips the rule (a
    # substring test is far cheaper than the regex scan, and most blocks need few of the rules). Empty: always run.
    needs: tuple[str, ...] = ()

    def applies(self, text: str) -> bool:
        return not self.needs or any(n in text for n in self.needs)


_DASHES = ("-", "\u2013", "\u2014")


# Order matters: invisible junk first, so later rules see adjacent characters.
RULES: list[Rule] = [
    Rule("lost_nikhahit", re.compile(f"([{CONS}][{TONES}]?)\ufffd+\u0e32"), _sara_am_or_aa, ("\ufffd",)),
    Rule("invisible", re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+"), ""),
    Rule("nbsp", re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]"), " "),
    Rule("crlf", re.compile("\r\n?"), "\n", ("\r",)),
    # PDF exports from Word drop the nikhahit of sara am and leave a space: "ด าเนิน" -> "ดำเนิน".
    # A Thai word never starts with sara aa, so a space before it after a consonant (+ tone) is always an artefact;
    # other PDFs put a space before a real sara aa ("เป้ าหมาย"): the dictionary tells the two apart.
    Rule("split_sara_am", re.compile(f"([{CONS}][{TONES}]?) \u0e32"), _sara_am_or_aa, (" \u0e32",)),
    Rule("nikhahit_sara_aa", re.compile(f"\u0e4d([{TONES}]?)\u0e32"), "\\1\u0e33", ("\u0e4d",)),
    Rule("nikhahit_sara_aa", re.compile(f"([{TONES}]?)\u0e4d\u0e32"), "\\1\u0e33", ("\u0e4d",)),
    Rule("double_sara_e", re.compile("\u0e40\u0e40"), "\u0e41", ("\u0e40\u0e40",)),
    # Tone mark typed before an above/below vowel: "ท่ี" -> "ที่".
    Rule("tone_order", re.compile(f"([{TONES}])([{ABOVE_BELOW}])"), "\\2\\1"),
    # Sara aa / sara am typed before the tone mark: "ดา้น" -> "ด้าน", "นำ้" -> "น้ำ".
    Rule("tone_order", re.compile(f"([\u0e32\u0e33])([{TONES}])"), "\\2\\1"),
    # A tone mark shifted onto the next consonant ("เขม้แข็ง"): only where that consonant then ends a syllable (a
    # consonant, leading vowel or space follows), which keeps the dictionary check off most words ("สร้าง", "กล้า").
    Rule("shifted_tone", re.compile(f"([{CONS}])([{CONS}])([{TONES}])(?=[{CONS}\u0e40-\u0e44]|\\s|$)"), _shifted_tone),
    Rule("repeated_mark", re.compile(f"([{ABOVE_BELOW}{TONES}\u0e4c\u0e33])\\1+"), "\\1"),
    # Page numbers left inside running text by PDF extraction: "... การทำงาน - 12 - ของชุมชน ...".
    Rule("page_number", re.compile(r"(?<=\S) +[-–—] ?\d{1,4} ?[-–—] +(?=\S)"), " ", _DASHES),
    Rule("page_number",
         re.compile(r"(?m)^[ \t]*(?:[-–—] ?\d{1,4} ?[-–—]|หน้า ?\d{1,4}(?: ?(?:จาก|/) ?\d{1,4})?)[ \t]*\n"), "",
         (*_DASHES, "หน้า")),
    # A line broken inside a word: the next line starts with a mark that cannot begin a word,
    # or the line ends with a leading vowel that cannot end one.
    Rule("midword_break", re.compile(f"(?<=[{THAI}]) ?\n(?=[{ABOVE_BELOW}{TONES}\u0e30\u0e32\u0e33\u0e45\u0e4c])"), "",
         ("\n",)),
    Rule("midword_break", re.compile("(?<=[\u0e40-\u0e44])\n(?=[\u0e01-\u0e2e])"), "", ("\n",)),
    Rule("spaces", re.compile(r"[ \t]{2,}"), " ", ("  ", "\t")),
    Rule("line_edge_space", re.compile(r" +\n|\n +"), "\n", (" \n", "\n ")),
]


def repair_text(text: str, base: int = 0) -> RepairedText:
    """Repair one block of text; offsets start at `base` (the block's place in the source text)."""
    out = RepairedText.start(text, base)
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        out.realign("unicode_nfc", nfc)
    for rule in RULES:
        if rule.applies(out.text):
            out.sub(rule.name, rule.pattern, rule.repl)
    out.realign("pythainlp_normalize", _pythainlp_normalize(out.text))
    return out


# What PyThaiNLP's normalize() still changes after the rules above: a combining mark with no consonant to sit on
# (dangling), two marks of the same kind in a row, or a run of spaces. Text without these is returned untouched,
# which skips a third of the repair step's time.
_NORMALIZE_TRIGGER = re.compile(
    f"(?:^|[^{CONS}\u0e30-\u0e4e])[{ABOVE_BELOW}{TONES}\u0e4c\u0e4d\u0e33]"
    f"|[{ABOVE_BELOW}][{ABOVE_BELOW}]|[{TONES}\u0e4c][{TONES}\u0e4c]|  "
)


def _pythainlp_normalize(text: str) -> str:
    # normalize() also strips and rewrites whitespace-only text; only its Thai fixes are wanted here.
    if not _NORMALIZE_TRIGGER.search(text):
        return text
    from pythainlp.util import normalize

    return normalize(text)
