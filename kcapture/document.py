"""The one data model of kcapture.

A reader turns file bytes into `Block`s (paragraphs, headings, list items, table cells, subtitle cues).
`build_document` repairs and joins them into one normalised `Document.text`; every later step (sentences,
tokens, tags, visit card, lessons) only adds annotations that point into that text by character offsets, so
``doc.text[s.start:s.end] == s.text`` holds for every sentence and token, always.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from operator import attrgetter
from typing import Any

BLOCK_KINDS = ("paragraph", "heading", "list_item", "table_cell", "cue")
DOCUMENT_FORMAT_VERSION = 1  # of Document.to_dict; from_dict reads this version and older


def _offset_breaks(offsets: Sequence[int]) -> list[list[int]]:
    """[i, offsets[i]] wherever offsets[i] != offsets[i - 1] + 1 (and at 0): the map, losslessly, in a few pairs."""
    out: list[list[int]] = []
    prev = None
    for i, o in enumerate(offsets):
        if prev is None or o != prev + 1:
            out.append([i, o])
        prev = o
    return out


def identity_offsets(n_text: int) -> array[int]:
    """The offset map of a text that is its own source (nothing repaired): text[i] came from source_text[i]."""
    return array("q", range(n_text + 1))


def _offsets_from_breaks(breaks: list[list[int]], n_text: int) -> array[int]:
    if not breaks:
        return identity_offsets(n_text)
    out = array("q")
    for k, (i, o) in enumerate(breaks):
        stop = breaks[k + 1][0] if k + 1 < len(breaks) else n_text + 1
        out.extend(range(o, o + stop - i))
    return out


@dataclass
class Block:
    """A structural unit as a reader found it, before repair."""

    text: str
    kind: str = "paragraph"
    level: int = 0  # heading level, or list nesting depth
    speaker: str | None = None
    time_start: str | None = None  # subtitle cue times, "HH:MM:SS.mmm"
    time_end: str | None = None
    page: int | None = None  # 1-based PDF page
    cues: list[tuple[int, str, str]] | None = None  # subtitle cues: (offset in text, start time, end time)


# The fields of tokens and sentences as functions, for per-word work in C: `map(TEXT, sentence.tokens)`.
TEXT, START, END = attrgetter("text"), attrgetter("start"), attrgetter("end")


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str


@dataclass
class Sentence:
    id: int
    start: int
    end: int
    text: str
    block: int  # index into Document.blocks
    kind: str = "paragraph"  # the kind of the block it came from
    speaker: str | None = None
    time_start: str | None = None
    time_end: str | None = None
    tokens: list[Token] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    facet: str | None = None
    theme_scores: dict[str, float] = field(default_factory=dict)
    facet_scores: dict[str, float] = field(default_factory=dict)


    def to_dict(self, with_tokens: bool = True) -> dict[str, Any]:
        """The sentence as stored; `with_tokens=False` leaves out the token offsets (a report does not list them)."""
        d = {
            "id": self.id, "start": self.start, "end": self.end, "block": self.block, "kind": self.kind,
            "speaker": self.speaker, "time_start": self.time_start, "time_end": self.time_end,
            "themes": list(self.themes), "facet": self.facet,
            "theme_scores": dict(self.theme_scores), "facet_scores": dict(self.facet_scores),
        }
        if with_tokens:
            d["tokens"] = [x for t in self.tokens for x in (t.start, t.end)]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], text: str) -> Sentence:
        offs = d.get("tokens") or []
        return cls(
            id=d["id"], start=d["start"], end=d["end"], text=text[d["start"]:d["end"]], block=d["block"],
            kind=d.get("kind", "paragraph"), speaker=d.get("speaker"), time_start=d.get("time_start"),
            time_end=d.get("time_end"),
            tokens=[Token(a, b, text[a:b]) for a, b in zip(offs[::2], offs[1::2], strict=True)],
            themes=list(d.get("themes") or []), facet=d.get("facet"),
            theme_scores=dict(d.get("theme_scores") or {}), facet_scores=dict(d.get("facet_scores") or {}),
        )


@dataclass
class BlockSpan:
    """Where a block's repaired text sits in Document.text."""

    start: int
    end: int
    kind: str
    level: int = 0
    speaker: str | None = None
    time_start: str | None = None
    time_end: str | None = None
    page: int | None = None
    cues: list[tuple[int, str, str]] | None = None  # absolute offsets in Document.text


@dataclass
class Document:
    name: str
    format: str
    text: str  # normalised text; all offsets point here
    source_text: str  # the text as the reader extracted it, before repair
    # source_offsets[i] = offset in source_text of text[i], with one extra entry for the end. Kept as array("q"),
    # 8 bytes a character where a list holds a 32-byte int object each (a list given here is converted).
    source_offsets: array[int]
    blocks: list[BlockSpan] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    repairs: dict[str, int] = field(default_factory=dict)  # repair rule -> times applied

    def __post_init__(self) -> None:
        if not isinstance(self.source_offsets, array):
            self.source_offsets = array("q", self.source_offsets)

    @property
    def chars(self) -> int:
        return len(self.text)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the text the reader extracted."""
        return self.source_offsets[start], self.source_offsets[end]

    # -- the one serialisation: library rows, batch results and exports all use it ------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything the Document holds, as JSON-ready data (lossless; `from_dict` gives it back).

        Tokens are stored as offset pairs into `text`; the source offsets as the points where the map stops running
        one-to-one ([text offset, source offset] pairs), and `source_text` only when it differs from `text`."""
        return {
            "kcapture_document": DOCUMENT_FORMAT_VERSION,
            "name": self.name, "format": self.format, "text": self.text,
            "source_text": None if self.source_text == self.text else self.source_text,
            "source_offsets": _offset_breaks(self.source_offsets),
            "blocks": [asdict(b) for b in self.blocks],
            "sentences": [s.to_dict() for s in self.sentences],
            # Keys starting with "_" are a process's caches (the entity step's): recomputed, never stored.
            "metadata": {k: v for k, v in self.metadata.items() if not k.startswith("_")}, "repairs": self.repairs,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        version = d.get("kcapture_document")
        if not isinstance(version, int) or version > DOCUMENT_FORMAT_VERSION:
            raise ValueError(f"not a kcapture document of format {DOCUMENT_FORMAT_VERSION} or older: {version!r}")
        text = d["text"]
        source_text = text if d.get("source_text") is None else d["source_text"]
        return cls(
            name=d["name"], format=d["format"], text=text, source_text=source_text,
            source_offsets=_offsets_from_breaks(d.get("source_offsets") or [], len(text)),
            blocks=[BlockSpan(**{**b, "cues": [tuple(c) for c in b["cues"]] if b.get("cues") else b.get("cues")})
                    for b in d.get("blocks", [])],
            sentences=[Sentence.from_dict(s, text) for s in d.get("sentences", [])],
            metadata=dict(d.get("metadata") or {}), repairs=dict(d.get("repairs") or {}),
        )

    def check_offsets(self) -> None:
        """Raise AssertionError if any annotation does not point at its own text."""
        for s in self.sentences:
            assert self.text[s.start : s.end] == s.text, (s.id, s.start, s.end)
            for t in s.tokens:
                assert self.text[t.start : t.end] == t.text, (s.id, t)
                assert s.start <= t.start <= t.end <= s.end


@dataclass
class VisitCard:
    title: str | None = None
    date_start: str | None = None  # ISO, Common Era
    date_end: str | None = None
    venue: str | None = None
    host_organizations: list[str] = field(default_factory=list)
    participants: int | None = None
    projects: list[str] = field(default_factory=list)
    cohort: str | None = None  # "รุ่นที่ 5"
    course: str | None = None  # "หลักสูตร..."
    session: str | None = None  # "ครั้งที่ 4"
    sentence_ids: dict[str, list[int]] = field(default_factory=dict)  # field -> sentences it was read from


@dataclass
class Lesson:
    """One point of the lesson report: an exact quote of the notes under its facet, tagged with its themes."""

    theme: str  # the strongest of its themes
    facet: str
    text: str
    sentence_ids: list[int]
    start: int
    end: int
    score: float = 0.0
    themes: list[str] = field(default_factory=list)  # every theme of the point, strongest first


@dataclass
class ThemeSummary:
    id: str
    label: str
    sentence_ids: list[int]
    share: float
    keywords: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    document: Document
    visit: VisitCard
    themes: list[ThemeSummary]
    lessons: list[Lesson]
    keywords: list[str]
    personal_data: list[dict[str, Any]] = field(default_factory=list)  # {"start","end","kind","text"}
    # What one analysis step leaves for a later one (the sentences' terms, their TF-IDF vectors); never exported.
    scratch: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def empty(cls, document: Document) -> Analysis:
        """The Analysis before any step has run: the steps of kcapture.pipeline fill it in."""
        return cls(document=document, visit=VisitCard(), themes=[], lessons=[], keywords=[])
