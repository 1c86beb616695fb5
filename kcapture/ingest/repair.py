"""Thai text repair and normalisation with an offset map back to the text as read.

PyThaiNLP's `normalize` fixes typing-order problems but does not say where it changed the text, and it does not
know what PDF extraction breaks (sara am split into a space and sara aa, U+FFFD, page numbers in running text,
lines broken mid-word). Each rule here is a regular expression applied by `RepairedText.sub`, which carries a map
from every output character to the input character it came from; `pythainlp.util.normalize` runs last as a safety net,
and if it still changes anything the map is recomputed by alignment.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

CONS = "\u0e01-\u0e2e"
ABOVE_BELOW = "\u0e31\u0e34-\u0e3a\u0e47"  # vowels written above or below the consonant
TONES = "\u0e48-\u0e4b"
THAI = "\u0e00-\u0e7f"

Repl = str | Callable[[re.Match[str]], str]


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
            if new == m.group(0):
                continue
            s, e = m.span()
            pieces.append(self.text[last:s])
            offsets.extend(self.offsets[last:s])
            pieces.append(new)
            span = max(e - s - 1, 0)
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


# Order matters: invisible junk first, so later rules see adjacent characters.
RULES: list[tuple[str, re.Pattern[str], Repl]] = [
    ("invisible", re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+"), ""),
    ("nbsp", re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]"), " "),
    ("crlf", re.compile("\r\n?"), "\n"),
    # PDF exports from Word drop the nikhahit of sara am and leave a space: "ด าเนิน" -> "ดำเนิน".
    # A Thai word never starts with sara aa, so a space before it after a consonant (+ tone) is always an artefact.
    ("split_sara_am", re.compile(f"([{CONS}][{TONES}]?) \u0e32"), "\\1\u0e33"),
    ("nikhahit_sara_aa", re.compile(f"\u0e4d([{TONES}]?)\u0e32"), "\\1\u0e33"),
    ("nikhahit_sara_aa", re.compile(f"([{TONES}]?)\u0e4d\u0e32"), "\\1\u0e33"),
    ("double_sara_e", re.compile("\u0e40\u0e40"), "\u0e41"),
    # Tone mark typed before an above/below vowel: "ท่ี" -> "ที่".
    ("tone_order", re.compile(f"([{TONES}])([{ABOVE_BELOW}])"), "\\2\\1"),
    # Sara aa / sara am typed before the tone mark: "ดา้น" -> "ด้าน", "นำ้" -> "น้ำ".
    ("tone_order", re.compile(f"([\u0e32\u0e33])([{TONES}])"), "\\2\\1"),
    ("repeated_mark", re.compile(f"([{ABOVE_BELOW}{TONES}\u0e4c\u0e33])\\1+"), "\\1"),
    # Page numbers left inside running text by PDF extraction: "... การทำงาน - 12 - ของชุมชน ...".
    ("page_number", re.compile(r"(?<=\S) +[-–—] ?\d{1,4} ?[-–—] +(?=\S)"), " "),
    ("page_number",
     re.compile(r"(?m)^[ \t]*(?:[-–—] ?\d{1,4} ?[-–—]|หน้า ?\d{1,4}(?: ?(?:จาก|/) ?\d{1,4})?)[ \t]*\n"), ""),
    # A line broken inside a word: the next line starts with a mark that cannot begin a word,
    # or the line ends with a leading vowel that cannot end one.
    ("midword_break", re.compile(f"(?<=[{THAI}]) ?\n(?=[{ABOVE_BELOW}{TONES}\u0e30\u0e32\u0e33\u0e45\u0e4c])"), ""),
    ("midword_break", re.compile("(?<=[\u0e40-\u0e44])\n(?=[\u0e01-\u0e2e])"), ""),
    ("spaces", re.compile(r"[ \t]{2,}"), " "),
    ("line_edge_space", re.compile(r" +\n|\n +"), "\n"),
]


def repair_text(text: str, base: int = 0) -> RepairedText:
    """Repair one block of text; offsets start at `base` (the block's place in the source text)."""
    out = RepairedText.start(text, base)
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        out.realign("unicode_nfc", nfc)
    for rule, pattern, repl in RULES:
        out.sub(rule, pattern, repl)
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
