"""`--redact`: personal data replaced by placeholders ([ชื่อ], [โทรศัพท์], ...) in a new Document, every offset remapped.

Redaction happens after the analysis, on the Analysis: the classifier and the summary see the notes as written, and
the redacted report is the same report with names hidden (same sentences, same lessons), not a re-analysis of
different text. All offsets (sentences, words, blocks, subtitle cues, lessons, personal-data spans) are mapped into
the new text, so `doc.text[s.start:s.end] == s.text` and every lesson is still an exact span of what is exported.

A span that crosses a sentence boundary is replaced piece by piece, once per sentence, so that sentences never
overlap after the replacement. The visit card is read again from the redacted text (a venue with a house address
becomes "[ที่อยู่]"), and keywords that are a redacted string or overlap one in the notes are dropped. The text as the
reader extracted it (`source_text`) holds the personal data too, so the redacted Document replaces it by the redacted
text; cached annotations whose offsets no longer hold (metadata keys starting with "_", such as the entity step's
"_entities") are left behind and recomputed on the redacted text when needed.

What is removed is decided by `kcapture.extract.personal`: persons (with or without a title), phone numbers, national
IDs, e-mail addresses and the household part of an address; provinces, districts, sub-districts, organisations and
programme names are never personal data and stay readable.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from kcapture.document import Analysis, Document, Lesson, Sentence, Token, identity_offsets
from kcapture.extract.personal import PLACEHOLDERS
from kcapture.extract.visit import extract_visit

# Reader metadata that can name a person (a .docx author, the last editor).
_PERSONAL_METADATA = ("author", "creator", "last_modified_by", "lastModifiedBy", "modified_by", "owner")


@dataclass(frozen=True)
class Replacement:
    start: int  # in the old text
    end: int
    new_start: int  # in the new text
    new_end: int
    kind: str


class OffsetMap:
    """Old offsets -> new offsets around a sorted list of non-overlapping replacements."""

    def __init__(self, replacements: list[Replacement]):
        self.reps = replacements
        self._starts = [r.start for r in replacements]

    def start(self, pos: int) -> int:
        """Where a span beginning at `pos` begins now (a span starting inside a replacement starts at its start)."""
        return self._map(pos, inside_to_end=False)

    def end(self, pos: int) -> int:
        """Where a span ending at `pos` ends now (a span ending inside a replacement ends at its end)."""
        return self._map(pos, inside_to_end=True)

    def _map(self, pos: int, inside_to_end: bool) -> int:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        r = self.reps[i]
        if pos >= r.end:
            return r.new_end + (pos - r.end)
        if pos == r.start:
            return r.new_start
        return r.new_end if inside_to_end else r.new_start


def _pieces(doc: Document, spans: list[dict]) -> list[tuple[int, int, str]]:
    """Spans cut at sentence boundaries, whitespace-only pieces dropped, sorted and non-overlapping."""
    bounds = sorted({b for s in doc.sentences for b in (s.start, s.end)})
    out: list[tuple[int, int, str]] = []
    for sp in sorted(spans, key=lambda d: (d["start"], -d["end"])):
        start, end = int(sp["start"]), int(sp["end"])
        if out and start < out[-1][1]:
            start = out[-1][1]
        cuts = [start] + [b for b in bounds[bisect.bisect_right(bounds, start) :] if b < end] + [end]
        for a, b in zip(cuts, cuts[1:], strict=False):
            if b > a and doc.text[a:b].strip():
                out.append((a, b, sp["kind"]))
    return out


def redact_document(doc: Document, spans: list[dict]) -> tuple[Document, OffsetMap]:
    """A copy of `doc` with `spans` ({"start","end","kind"}) replaced by placeholders, and the offset map used."""
    parts: list[str] = []
    reps: list[Replacement] = []
    pos = new_pos = 0
    for a, b, kind in _pieces(doc, spans):
        parts.append(doc.text[pos:a])
        new_pos += a - pos
        ph = PLACEHOLDERS[kind]
        parts.append(ph)
        reps.append(Replacement(a, b, new_pos, new_pos + len(ph), kind))
        new_pos += len(ph)
        pos = b
    parts.append(doc.text[pos:])
    text = "".join(parts)
    om = OffsetMap(reps)

    rep_starts = [r.start for r in reps]
    sentences = []
    for s in doc.sentences:
        inside = reps[bisect.bisect_left(rep_starts, s.start) : bisect.bisect_left(rep_starts, s.end)]
        sentences.append(_map_sentence(s, text, om, [r for r in inside if r.end <= s.end]))
    blocks = [
        replace(b, start=om.start(b.start), end=om.end(b.end), speaker=_redact_string(b.speaker),
                cues=[(om.start(o), t0, t1) for o, t0, t1 in b.cues] if b.cues else b.cues)
        for b in doc.blocks
    ]
    metadata = {k: v for k, v in doc.metadata.items() if k not in _PERSONAL_METADATA and not k.startswith("_")}
    metadata["redacted"] = True
    new = Document(
        name=doc.name, format=doc.format, text=text, source_text=text, source_offsets=identity_offsets(len(text)),
        blocks=blocks, sentences=sentences, metadata=metadata, repairs=dict(doc.repairs),
    )
    return new, om


def _map_sentence(s: Sentence, text: str, om: OffsetMap, inside: list[Replacement]) -> Sentence:
    """The sentence in the new text; `inside` are the replacements within it (pieces never cross sentences)."""
    start, end = om.start(s.start), om.end(s.end)
    tokens: list[Token] = []
    for t in s.tokens:
        hits = [r for r in inside if r.start < t.end and t.start < r.end]
        if not hits:
            a = om.start(t.start)
            tokens.append(Token(a, a + (t.end - t.start), t.text))
            continue
        # The parts of a word outside the replaced span stay words ("นาย" of "นายสม" when "สม" is the name).
        if t.start < hits[0].start:
            a = om.start(t.start)
            tokens.append(Token(a, hits[0].new_start, text[a : hits[0].new_start]))
        if t.end > hits[-1].end:
            b = om.end(t.end)
            tokens.append(Token(hits[-1].new_end, b, text[hits[-1].new_end : b]))
    for r in inside:
        tokens.append(Token(r.new_start, r.new_end, text[r.new_start : r.new_end]))
    tokens = sorted({(t.start, t.end): t for t in tokens if t.end > t.start}.values(), key=lambda t: t.start)
    return replace(s, start=start, end=end, text=text[start:end], tokens=tokens, speaker=_redact_string(s.speaker),
                   themes=list(s.themes), theme_scores=dict(s.theme_scores), facet_scores=dict(s.facet_scores))


def _redact_string(value: str | None) -> str | None:
    """A short string (a speaker label) with its own personal data replaced."""
    if not value:
        return value
    from kcapture.extract.personal import find_personal_data

    out = value
    for sp in sorted(find_personal_data(value), key=lambda p: -p.start):
        out = out[: sp.start] + PLACEHOLDERS[sp.kind] + out[sp.end :]
    return out


def redact_analysis(analysis: Analysis, spans: list[dict] | None = None) -> Analysis:
    """The same Analysis over the redacted text. `spans` defaults to the personal data the analysis found."""
    spans = analysis.personal_data if spans is None else spans
    doc, om = redact_document(analysis.document, spans)
    old_text = analysis.document.text
    hidden = sorted((int(sp["start"]), int(sp["end"])) for sp in spans
                    if old_text[int(sp["start"]) : int(sp["end"])].strip())
    secrets = {old_text[a:b] for a, b in hidden}

    def leaks(word: str) -> bool:
        """A keyword leaks when it is a redacted string or, somewhere in the notes, overlaps one. A keyword that merely
        contains a short name as letters ("คำถาม" when the name "คำ" was redacted) does not."""
        if word in secrets or any(len(s) >= 4 and s in word for s in secrets):
            return True
        pos = old_text.find(word)
        while pos >= 0:
            if any(a < pos + len(word) and pos < b for a, b in hidden):
                return True
            pos = old_text.find(word, pos + 1)
        return False

    def clean(words: list[str]) -> list[str]:
        return [w for w in words if not leaks(w)]

    lessons = []
    for le in analysis.lessons:
        a, b = om.start(le.start), om.end(le.end)
        lessons.append(Lesson(theme=le.theme, facet=le.facet, text=doc.text[a:b], sentence_ids=list(le.sentence_ids),
                              start=a, end=b, score=le.score, themes=list(le.themes)))
    themes = [replace(t, sentence_ids=list(t.sentence_ids), keywords=clean(t.keywords)) for t in analysis.themes]
    personal = [{"start": r.new_start, "end": r.new_end, "kind": r.kind, "text": doc.text[r.new_start : r.new_end]}
                for r in om.reps]
    return Analysis(document=doc, visit=extract_visit(doc), themes=themes, lessons=lessons,
                    keywords=clean(list(analysis.keywords)), personal_data=personal)
