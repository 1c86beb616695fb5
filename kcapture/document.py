"""The one data model of kcapture.

A reader turns file bytes into `Block`s (paragraphs, headings, list items, table cells, subtitle cues).
`build_document` repairs and joins them into one normalised `Document.text`; every later step (sentences,
tokens, tags, visit card, lessons) only adds annotations that point into that text by character offsets, so
``doc.text[s.start:s.end] == s.text`` holds for every sentence and token, always.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BLOCK_KINDS = ("paragraph", "heading", "list_item", "table_cell", "cue")


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


@dataclass
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
    source_offsets: list[int]  # source_offsets[i] = offset in source_text of text[i]; one extra entry for the end
    blocks: list[BlockSpan] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    repairs: dict[str, int] = field(default_factory=dict)  # repair rule -> times applied

    @property
    def chars(self) -> int:
        return len(self.text)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the text the reader extracted."""
        return self.source_offsets[start], self.source_offsets[end]

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
    theme: str
    facet: str
    text: str
    sentence_ids: list[int]
    start: int
    end: int
    score: float = 0.0


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
